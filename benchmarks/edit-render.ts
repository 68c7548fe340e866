/**
 * Server-side render of an edited 12-megapixel photo (src/edits/render.ts), as the editor asks for it.
 *
 *   npx tsx benchmarks/edit-render.ts [--runs 20] [--width 4000] [--height 3000] [--threads N]
 *
 * The photo is synthetic but photo-like in cost (smooth shading plus sensor-like noise, about 4 MB of
 * JPEG at quality 90). Edits: crop to 80 % of each side, a quarter turn, 3 degrees of straightening,
 * auto-enhance, brightness and one blurred plate. Prints p50/p95/max per case: the full-resolution
 * render (the published photo) and the editor's preview (shrunk while decoding, long side at least 1024 by default).
 * "First render" decodes the original; "next edit" finds it decoded (the editor's loop: the same
 * photo edited again). Each case is warmed up once; libvips' operation cache is off, so no run reuses another's work.
 * `--threads N` sets libvips' threads per image (sharp.concurrency); the default is the service's
 * (editor.renderThreads: one per core; sharp's own default on glibc Linux is 1). The machine's load average is printed: figures taken beside other
 * work are preliminary.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULT_EDITOR_SETTINGS } from '../src/config/config.js';
import { foldEdits } from '../src/edits/fold.js';
import type { Edit } from '../src/edits/model.js';
import { clearDecodedOriginals, renderPhoto } from '../src/edits/render.js';
import { mulberry32 } from '../fixtures/prng.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}

const runs = arg('runs', 20);
const width = arg('width', 4000);
const height = arg('height', 3000);
// As `lotreel serve` sets it (editor.renderThreads: one per core) unless --threads says otherwise.
sharp.concurrency(arg('threads', DEFAULT_EDITOR_SETTINGS.renderThreads));
sharp.cache(false);

async function syntheticPhoto(path: string): Promise<void> {
  const random = mulberry32(7);
  const pixels = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const shade = 60 + 120 * (x / width) * (0.5 + 0.5 * Math.sin(y / 300));
      pixels[i] = Math.min(255, shade + random() * 30);
      pixels[i + 1] = Math.min(255, shade * 0.9 + random() * 30);
      pixels[i + 2] = Math.min(255, shade * 0.8 + 40 + random() * 30);
    }
  }
  await sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toFile(path);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(name: string, fn: () => Promise<unknown>): Promise<void> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  const f = (v: number) => v.toFixed(0).padStart(5);
  console.log(`${name.padEnd(44)} p50 ${f(percentile(times, 50))} ms  p95 ${f(percentile(times, 95))} ms  max ${f(times[times.length - 1]!)} ms`);
}

const dir = join(tmpdir(), `lotreel-edit-bench-${process.pid}`);
mkdirSync(dir, { recursive: true });
try {
  const file = join(dir, 'photo.jpg');
  await syntheticPhoto(file);
  const size = { width, height };
  const mx = width * 0.1;
  const my = height * 0.1;
  const edits: Edit[] = [
    { op: 'crop', box: { x1: mx, y1: my, x2: width - mx, y2: height - my } },
    { op: 'rotate', quarterTurns: 1 },
    { op: 'straighten', degrees: 3 },
    { op: 'enhance', on: true },
    { op: 'brightness', factor: 1.1 },
    { op: 'blur', box: { x1: width * 0.45, y1: height * 0.7, x2: width * 0.55, y2: height * 0.75 } },
  ];
  const all = foldEdits(edits);
  const turnCrop = foldEdits(edits.slice(0, 2));
  const settings = DEFAULT_EDITOR_SETTINGS;
  console.log(`edited ${width}x${height} photo, ${runs} runs per case, sharp concurrency ${sharp.concurrency()}, load ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const cold = (fn: () => Promise<unknown>) => () => {
    clearDecodedOriginals();
    return fn();
  };
  const preview = { previewLongSide: settings.previewLongSide };
  await measure('preview, all edits, first render', cold(() => renderPhoto(file, size, all, settings, preview)));
  await measure('preview, all edits, next edit', () => renderPhoto(file, size, all, settings, preview));
  await measure('preview, crop + quarter turn, first render', cold(() => renderPhoto(file, size, turnCrop, settings, preview)));
  await measure('full resolution, all edits, first render', cold(() => renderPhoto(file, size, all, settings)));
  await measure('full resolution, all edits, next edit', () => renderPhoto(file, size, all, settings));
  await measure('full resolution, crop + quarter turn, first', cold(() => renderPhoto(file, size, turnCrop, settings)));
  console.log(`load after ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
