/**
 * The text stage alone, on the same photos: `readCarText` over every car of a `lotreel process`
 * output folder, in one process, with plates looked for and blurred and without, alternating. In a
 * whole run the text stage shares the cores with the edge refinement (and, since the photos are
 * copied from the analysis' stills, starts at once beside it), so its wall time there says as much
 * about what runs beside it as about itself; here nothing else runs. Two commits compare on the same
 * pictures: run this file from each commit's tree on one output folder.
 *
 *   node bin/lotreel.js process VIDEO --no-blur-plates --json --out DIR > DIR/result.json
 *   npx tsx benchmarks/text-stage.ts DIR [--runs 3]
 *
 * The vehicles a photo's plates are looked for on are the analysis' in a whole run; here YOLOX finds
 * them on the photo brought to the analysis size, before the clock starts. Prints per variant the
 * medians of wall ms, the process' CPU ms (every thread: onnxruntime, libvips) and the text
 * detector's runs and pixels.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { parseSettings } from '../src/config/config.js';
import { silentLogger } from '../src/core/log.js';
import { locateFfmpeg } from '../src/media/binaries.js';
import { openTextReaders, readCarText } from '../src/text/text-stage.js';
import { vehiclesIn } from '../src/text/plate-search.js';
import { scaledSize } from '../src/media/ffmpeg-args.js';
import { YoloxDetector } from '../src/vision/yolox.js';
import { sharedFile } from '../fixtures/paths.js';

const argv = process.argv.slice(2);
const folder = argv[0];
if (!folder || folder.startsWith('--')) throw new Error('usage: npx tsx benchmarks/text-stage.ts DIR [--runs N]');
const runs = Number(argv[argv.indexOf('--runs') + 1]) || 3;

interface ResultPhoto { file: string; carBox: { x1: number; y1: number; x2: number; y2: number } | null }
const result = JSON.parse(readFileSync(join(folder, 'result.json'), 'utf8')) as { video: { width: number; height: number }; cars: { photos: ResultPhoto[] }[] };
const settings = parseSettings();
// The analysis' frame size, which the result's car boxes are in.
const analysed = scaledSize(result.video.width, result.video.height, settings.sampling.longSide);

const detector = await YoloxDetector.create({ modelsDir: sharedFile('models/yolox_nano'), device: 'cpu', intraOpThreads: settings.detection.threads });
const readers = await openTextReaders({ device: 'cpu', settings: settings.ocr, dataDir: mkdtempSync(join(tmpdir(), 'lotreel-text-bench-')), log: silentLogger });
if (!readers.ocr) throw new Error(`OCR is off: ${readers.problem}`);
const ocrStats = (readers.ocr as unknown as { stats: { detRuns: number; detPixels: number } }).stats;

/** Every vehicle YOLOX sees in the photo at the analysis size, in photo pixels. */
async function vehiclesOf(path: string) {
  const { data, info } = await sharp(path).resize(analysed.width, analysed.height, { fit: 'fill' }).raw().toBuffer({ resolveWithObject: true });
  const k = result.video.width / analysed.width;
  const seen = await vehiclesIn({ width: info.width, height: info.height, data: new Uint8Array(data) }, detector);
  return seen.map((v) => ({ box: { x1: v.box.x1 * k, y1: v.box.y1 * k, x2: v.box.x2 * k, y2: v.box.y2 * k }, score: v.score }));
}
const vehicles = new Map<string, Awaited<ReturnType<typeof vehiclesOf>>>();
for (const car of result.cars) for (const p of car.photos) vehicles.set(p.file, await vehiclesOf(join(folder, p.file)));

async function runOnce(blur: boolean): Promise<{ wallMs: number; cpuMs: number; detRuns: number; detMpx: number; plates: number }> {
  // Blurring rewrites the photos: each run reads fresh copies.
  const work = mkdtempSync(join(tmpdir(), 'lotreel-text-bench-'));
  const cars = result.cars.map((car, i) => ({ ordinal: i + 1, photos: car.photos }));
  for (const car of cars) for (const p of car.photos) cpSync(join(folder, p.file), join(work, p.file));
  const runSettings = { ...settings, plates: { ...settings.plates, blur } };
  const context = { readers, detector, info: result.video as never, binaries: locateFfmpeg(), settings: runSettings, scratchDir: join(work, '.text'), log: silentLogger };
  const before = { ...ocrStats };
  const cpu = process.cpuUsage();
  const started = performance.now();
  let plates = 0;
  for (const car of cars) {
    const read = await readCarText(
      {
        ordinal: car.ordinal,
        photos: car.photos.map((p, k) => ({
          path: join(work, p.file),
          file: p.file,
          originalPath: join(work, `car-${car.ordinal}`, 'originals', `${k}.jpg`),
          carShare: p.carBox && { x1: p.carBox.x1 / analysed.width, y1: p.carBox.y1 / analysed.height, x2: p.carBox.x2 / analysed.width, y2: p.carBox.y2 / analysed.height },
          vehicles: vehicles.get(p.file),
        })),
        extraFrames: [],
      },
      context,
    );
    plates += read.plates.flat().length;
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  rmSync(work, { recursive: true, force: true });
  return { wallMs, cpuMs: (used.user + used.system) / 1000, detRuns: ocrStats.detRuns - before.detRuns, detMpx: (ocrStats.detPixels - before.detPixels) / 1e6, plates };
}

const photos = result.cars.reduce((n, car) => n + car.photos.length, 0);
console.log(`text stage alone: ${result.cars.length} cars, ${photos} photos from ${folder}; ${runs} alternations; ${availableParallelism()} CPUs, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
await runOnce(true); // warm-up: first runs of the sessions, file cache
const figures = { 'plates blurred': [] as Awaited<ReturnType<typeof runOnce>>[], 'no plates': [] as Awaited<ReturnType<typeof runOnce>>[] };
for (let r = 0; r < runs; r++) {
  figures['plates blurred'].push(await runOnce(true));
  figures['no plates'].push(await runOnce(false));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log('variant          wall ms (runs)                 median   CPU ms median   det runs   det Mpx   plates');
for (const [name, list] of Object.entries(figures)) {
  const walls = list.map((f) => f.wallMs);
  console.log(
    `${name.padEnd(16)} ${walls.map((w) => w.toFixed(0)).join(', ').padEnd(30)} ${median(walls).toFixed(0).padStart(6)}   ${median(list.map((f) => f.cpuMs)).toFixed(0).padStart(13)}   ${String(list[0].detRuns).padStart(8)}   ${list[0].detMpx.toFixed(2).padStart(7)}   ${String(list[0].plates).padStart(6)}`,
  );
}
await readers.close();
await detector.dispose();
