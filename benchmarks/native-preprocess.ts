/**
 * Per-frame preprocessing: the native addon (native/) against the JavaScript paths and sharp, on real
 * frames at the sizes the pipeline sees (640 px long side from ffmpeg) and at 1080p.
 *
 *   npx tsx benchmarks/native-preprocess.ts [--frames 48] [--repeat 5]
 *
 * Stages, per frame:
 * - YOLOX: letterbox to 416x416 BGR planes. Today's path is JavaScript (yolox.preprocess.ts); a sharp
 *   resize plus a JavaScript planar copy is shown too.
 * - CLIP: the car-sized box of each frame (as the encoder gets it), shortest side 224 bicubic, centre
 *   crop, normalised RGB planes. The usual path is sharp (extract, cubic resize + crop) plus a
 *   JavaScript normalisation loop, one frame at a time and 8 at once (sharp spreads those over libuv's
 *   threads); the PIL-exact JavaScript (clip.preprocess.ts, the encoder without the addon) too.
 * - quality: variance of the Laplacian and exposure of the same box (image-stats.ts).
 * The summary compares the whole preprocessing stage (YOLOX + CLIP + quality) per frame: native
 * against the current path (JavaScript YOLOX and quality, sharp + JavaScript CLIP).
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg } from 'node:os';
import sharp from 'sharp';
import type { Box } from '../src/core/geometry.js';
import { CLIP_PREPROCESS, cropRegion } from '../src/vision/clip.preprocess.js';
import { jsKernels, nativeKernelStatus, nativeKernels, type FrameKernels } from '../src/vision/kernels.js';
import { letterboxGeometry, type PreprocessOptions, type RgbImage } from '../src/vision/yolox.preprocess.js';
import { sharedFile } from '../fixtures/paths.js';
import { binaries } from '../fixtures/run.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

const YOLOX: PreprocessOptions = { inputWidth: 416, inputHeight: 416, padValue: 114, channelOrder: 'bgr' };
const S = CLIP_PREPROCESS.size;

function decode(file: string, width: number, height: number, limit: number): RgbImage[] {
  const ffmpeg = binaries().ffmpeg;
  const args = ['-v', 'error', '-i', file, '-vf', `scale=${width}:${height}`, '-frames:v', String(limit), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];
  const out = spawnSync(ffmpeg, args, { maxBuffer: 1 << 30 });
  if (out.status !== 0) throw new Error(`ffmpeg failed: ${out.stderr.toString()}`);
  const size = width * height * 3;
  return Array.from({ length: Math.floor(out.stdout.length / size) }, (_, i) => ({ width, height, data: new Uint8Array(out.stdout.buffer, out.stdout.byteOffset + i * size, size) }));
}

interface Timing {
  /** Wall time per frame, best pass. */
  wallMs: number;
  /** CPU time (user + system, all the process's threads, sharp's pool included) per frame, best pass. */
  cpuMs: number;
}

/**
 * Best of `repeat` passes over all frames. CPU time is reported beside wall time because on a shared
 * machine wall time mostly measures the neighbours: CPU time is what this work itself costs.
 */
async function timePerFrame(frames: readonly RgbImage[], repeat: number, body: (frames: readonly RgbImage[]) => unknown): Promise<Timing> {
  await body(frames.slice(0, 2)); // warm the JIT / thread pool
  let wallMs = Infinity;
  let cpuMs = Infinity;
  for (let r = 0; r < repeat; r++) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    await body(frames);
    wallMs = Math.min(wallMs, (performance.now() - started) / frames.length);
    const used = process.cpuUsage(cpu);
    cpuMs = Math.min(cpuMs, (used.user + used.system) / 1000 / frames.length);
  }
  return { wallMs, cpuMs };
}

/** Per channel, the normalised float of each byte value, ((v / 255) - mean) / std: for sharp's 8-bit output. */
function normalisationTable(mean: readonly number[], std: readonly number[]): Float32Array {
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v / 255 - mean[c]) / std[c];
  return lut;
}

const clipLut = normalisationTable(CLIP_PREPROCESS.mean, CLIP_PREPROCESS.std);

const carBox = (f: RgbImage): Box => ({ x1: f.width * 0.15, y1: f.height * 0.2, x2: f.width * 0.85, y2: f.height * 0.9 });

/** sharp: the car's box, cubic resize to cover 224x224 with a centre crop, then bytes to normalised planes in JavaScript. */
async function clipWithSharp(frame: RgbImage, target: Float32Array, offset: number): Promise<void> {
  const r = cropRegion(frame, carBox(frame));
  const bytes = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .extract({ left: r.x, top: r.y, width: r.width, height: r.height })
    .resize({ width: S, height: S, fit: 'cover', position: 'centre', kernel: 'cubic' })
    .raw()
    .toBuffer();
  const plane = S * S;
  for (let i = 0, p = 0; p < plane; p++, i += 3) {
    target[offset + p] = clipLut[bytes[i]];
    target[offset + plane + p] = clipLut[256 + bytes[i + 1]];
    target[offset + 2 * plane + p] = clipLut[512 + bytes[i + 2]];
  }
}

/** sharp: bilinear resize into the letterbox size, then a JavaScript copy into padded BGR planes. */
async function yoloxWithSharp(frame: RgbImage, target: Float32Array, offset: number): Promise<void> {
  const g = letterboxGeometry(frame.width, frame.height, YOLOX.inputWidth, YOLOX.inputHeight);
  const bytes = await sharp(frame.data, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .resize({ width: g.resizedWidth, height: g.resizedHeight, fit: 'fill', kernel: 'linear' })
    .raw()
    .toBuffer();
  const W = YOLOX.inputWidth;
  const plane = W * YOLOX.inputHeight;
  target.fill(YOLOX.padValue, offset, offset + 3 * plane);
  for (let y = 0; y < g.resizedHeight; y++) {
    for (let x = 0, i = y * g.resizedWidth * 3, o = offset + y * W; x < g.resizedWidth; x++, i += 3, o++) {
      target[o + 2 * plane] = bytes[i];
      target[o + plane] = bytes[i + 1];
      target[o] = bytes[i + 2];
    }
  }
}

async function measure(label: string, frames: readonly RgbImage[], repeat: number, native: FrameKernels | undefined) {
  const yoloxTarget = new Float32Array(3 * YOLOX.inputWidth * YOLOX.inputHeight * 8);
  const clipTarget = new Float32Array(3 * S * S * 8);
  const yoloxSlice = 3 * YOLOX.inputWidth * YOLOX.inputHeight;
  const clipSlice = 3 * S * S;
  const sync = (kernels: FrameKernels, stage: 'yolox' | 'clip' | 'quality') => (fs: readonly RgbImage[]) => {
    for (const f of fs) {
      if (stage === 'yolox') kernels.fillLetterboxedInput(f, yoloxTarget, 0, YOLOX);
      else if (stage === 'clip') kernels.fillClipInput(f, clipTarget, 0, carBox(f));
      else kernels.measureCropQuality(f, carBox(f));
    }
  };
  const sharpOneByOne = (fn: typeof clipWithSharp) => async (fs: readonly RgbImage[]) => {
    for (const f of fs) await fn(f, clipTarget, 0);
  };
  const sharpEightAtOnce = (fn: typeof clipWithSharp, slice: number, target: Float32Array) => async (fs: readonly RgbImage[]) => {
    for (let i = 0; i < fs.length; i += 8) await Promise.all(fs.slice(i, i + 8).map((f, k) => fn(f, target, k * slice)));
  };

  const rows: Array<[string, string, Timing]> = [];
  const add = async (stage: string, path: string, body: (fs: readonly RgbImage[]) => unknown) => {
    const timing = await timePerFrame(frames, repeat, body);
    rows.push([stage, path, timing]);
    return timing;
  };
  const none: Timing = { wallMs: NaN, cpuMs: NaN };
  const yoloxJs = await add('yolox', 'javascript (current)', sync(jsKernels, 'yolox'));
  await add('yolox', 'sharp + javascript, 1 at a time', sharpOneByOne(yoloxWithSharp));
  await add('yolox', 'sharp + javascript, 8 at once', sharpEightAtOnce(yoloxWithSharp, yoloxSlice, yoloxTarget));
  const yoloxNative = native ? await add('yolox', 'native', sync(native, 'yolox')) : none;
  const clipSharp = await add('clip', 'sharp + javascript, 1 at a time (current)', sharpOneByOne(clipWithSharp));
  const clipSharp8 = await add('clip', 'sharp + javascript, 8 at once', sharpEightAtOnce(clipWithSharp, clipSlice, clipTarget));
  const clipJs = await add('clip', 'javascript (PIL-exact, clip.preprocess.ts)', sync(jsKernels, 'clip'));
  const clipNative = native ? await add('clip', 'native', sync(native, 'clip')) : none;
  const qualityJs = await add('quality', 'javascript (current)', sync(jsKernels, 'quality'));
  const qualityNative = native ? await add('quality', 'native', sync(native, 'quality')) : none;

  console.log(`\n${label}: ${frames.length} frames ${frames[0].width}x${frames[0].height}, best of ${repeat}`);
  console.log(`${'stage'.padEnd(8)} ${'path'.padEnd(44)} ${'wall ms'.padStart(8)} ${'cpu ms'.padStart(8)} ${'frames/s'.padStart(9)}`);
  for (const [stage, path, t] of rows) {
    console.log(`${stage.padEnd(8)} ${path.padEnd(44)} ${t.wallMs.toFixed(3).padStart(8)} ${t.cpuMs.toFixed(3).padStart(8)} ${(1000 / t.wallMs).toFixed(0).padStart(9)}`);
  }
  const speedups = (key: keyof Timing) => {
    const current = yoloxJs[key] + clipSharp[key] + qualityJs[key];
    const currentBest = yoloxJs[key] + Math.min(clipSharp[key], clipSharp8[key]) + qualityJs[key];
    const nativeTotal = yoloxNative[key] + clipNative[key] + qualityNative[key];
    return {
      current,
      nativeTotal,
      yolox: yoloxJs[key] / yoloxNative[key],
      clip: clipSharp[key] / clipNative[key],
      clipVsJs: clipJs[key] / clipNative[key],
      quality: qualityJs[key] / qualityNative[key],
      stage: current / nativeTotal,
      stageVsBest: currentBest / nativeTotal,
    };
  };
  const result = { wall: speedups('wallMs'), cpu: speedups('cpuMs') };
  for (const [name, r] of Object.entries(result)) {
    console.log(
      `${name.padEnd(4)} stage total: current ${r.current.toFixed(3)} ms/frame, native ${r.nativeTotal.toFixed(3)} ms/frame; ` +
        `speed-up yolox ${r.yolox.toFixed(1)}x, clip ${r.clip.toFixed(1)}x (${r.clipVsJs.toFixed(1)}x against javascript), quality ${r.quality.toFixed(1)}x, ` +
        `whole stage ${r.stage.toFixed(1)}x (${r.stageVsBest.toFixed(1)}x against sharp 8 at once)`,
    );
  }
  return result;
}

async function main(): Promise<void> {
  const count = Number(arg('frames', '48'));
  const repeat = Number(arg('repeat', '5'));
  const native = nativeKernels();
  console.log(`native addon: ${nativeKernelStatus().reason}`);
  console.log(`${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'}), load ${loadavg().map((l) => l.toFixed(2)).join(' ')}, sharp threads ${sharp.concurrency()}`);
  const video = sharedFile('media/videos/davis-car-turn-720p.mp4');
  const results = [];
  results.push(await measure('640 px long side (what ffmpeg hands the analysis)', decode(video, 640, 360, count), repeat, native));
  results.push(await measure('1080p', decode(video, 1920, 1080, count), repeat, native));
  if (native) {
    const [analysis, fullHd] = results;
    const verdict = (x: number) => `${x.toFixed(1)}x (${x >= 3 ? 'meets' : 'misses'} the 3x bar)`;
    console.log(`\nwhole preprocessing stage, native against the current path, at 640 px: wall ${verdict(analysis.wall.stage)}, cpu ${verdict(analysis.cpu.stage)}`);
    console.log(`at 1080p: wall ${verdict(fullHd.wall.stage)}, cpu ${verdict(fullHd.cpu.stage)}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
