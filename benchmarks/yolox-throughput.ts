/**
 * YOLOX-Nano throughput per batch size on the production detector (real EPFL frames).
 *
 *   npx tsc -p tsconfig.json --outDir bench-out && node bench-out/benchmarks/yolox-throughput.js [--device cpu|cuda|auto] [--threads N] [--batches 1,2,4,8,16] [--frames 64]
 *
 * Needs ../shared (model and media) and /usr/bin/ffmpeg (or LOTREEL_FFMPEG). Prints one line per batch
 * size: frames/s, ms/frame, and the split between preprocessing, inference and postprocessing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Device } from '../src/config/config.js';
import type { Frame } from '../src/media/types.js';
import { YoloxDetector } from '../src/vision/index.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

/** ../shared beside the package root (this file may run from bench-out/benchmarks/). */
function findShared(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let up = 0; up < 5; up++) {
    const candidate = join(dir, '..', 'shared');
    if (existsSync(join(candidate, 'models', 'yolox_nano', 'yolox_nano.onnx'))) return resolve(candidate);
    dir = dirname(dir);
  }
  throw new Error('cannot find ../shared with models/yolox_nano/yolox_nano.onnx');
}

function decode(file: string, width: number, height: number, limit: number): Frame[] {
  const ffmpeg = process.env.LOTREEL_FFMPEG ?? '/usr/bin/ffmpeg';
  const out = spawnSync(ffmpeg, ['-v', 'error', '-i', file, '-frames:v', String(limit), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], { maxBuffer: 1 << 30 });
  if (out.status !== 0) throw new Error(`ffmpeg failed: ${out.stderr.toString()}`);
  const size = width * height * 3;
  return Array.from({ length: Math.floor(out.stdout.length / size) }, (_, i) => ({
    timestampMs: i * 100,
    width,
    height,
    data: new Uint8Array(out.stdout.buffer, out.stdout.byteOffset + i * size, size),
  }));
}

async function main(): Promise<void> {
  const shared = findShared();
  const device = arg('device', 'cpu') as Device;
  const threads = Number(arg('threads', '0')) || undefined;
  const batches = arg('batches', '1,2,4,8,16').split(',').map(Number);
  const count = Number(arg('frames', '64'));
  const frames = decode(join(shared, 'media', 'epfl-gims08', 'car02.mp4'), 376, 250, count);
  console.log(`${frames.length} frames 376x250, device ${device}, intra-op threads ${threads ?? 'default'}, ${availableParallelism()} CPUs (${cpus()[0]?.model ?? '?'})`);

  for (const batchSize of batches) {
    const detector = await YoloxDetector.create({ modelsDir: join(shared, 'models', 'yolox_nano'), device, batchSize, intraOpThreads: threads });
    try {
      await detector.detect(frames.slice(0, batchSize)); // one full batch to warm this shape up
      Object.assign(detector.stats, { frames: 0, runs: 0, preprocessMs: 0, inferenceMs: 0, postprocessMs: 0 });
      const started = performance.now();
      await detector.detect(frames);
      const ms = performance.now() - started;
      const s = detector.stats;
      const per = (v: number) => (v / s.frames).toFixed(2);
      console.log(
        `batch ${String(batchSize).padStart(2)}: ${((frames.length * 1000) / ms).toFixed(1).padStart(6)} frames/s, ${(ms / frames.length).toFixed(2)} ms/frame ` +
          `(preprocess ${per(s.preprocessMs)}, inference ${per(s.inferenceMs)}, postprocess ${per(s.postprocessMs)}) on ${detector.provider}`,
      );
    } finally {
      await detector.dispose();
    }
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
