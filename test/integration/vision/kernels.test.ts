/**
 * The native kernels (native/) against their JavaScript twins on real frames at the sizes the
 * pipeline sees, and the install step's fallback when the addon cannot be built. In CI the addon must
 * be there (.ci/run builds it with LOTREEL_NATIVE_BUILD=required); elsewhere a missing addon skips
 * the parity checks loudly.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Box } from '../../../src/core/geometry.js';
import { jsKernels, nativeKernelStatus, nativeKernels } from '../../../src/vision/kernels.js';
import type { PreprocessOptions, RgbImage } from '../../../src/vision/yolox.preprocess.js';
import { projectRoot, scratchDir, sharedFile } from '../../helpers/shared.js';
import { FFMPEG } from './frames.js';

/** Tolerances: the letterbox runs in float32 natively and in doubles in JavaScript (values 0..255). */
const LETTERBOX_TOLERANCE = 1e-3;
/** Quality: the same doubles in the same order, so equal up to rounding. */
const QUALITY_RELATIVE_TOLERANCE = 1e-9;

const native = nativeKernels();
if (!native) {
  if (process.env.CI) throw new Error(`CI must build the native addon: ${nativeKernelStatus().reason}`);
  console.warn(`native kernels not tested: ${nativeKernelStatus().reason}`);
}

function decodeScaled(file: string, width: number, height: number, frames: number): RgbImage[] {
  const out = spawnSync(FFMPEG, ['-v', 'error', '-i', file, '-vf', `scale=${width}:${height}`, '-frames:v', String(frames), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], {
    maxBuffer: 1 << 28,
  });
  if (out.status !== 0) throw new Error(`ffmpeg failed: ${out.stderr.toString()}`);
  const size = width * height * 3;
  return Array.from({ length: out.stdout.length / size }, (_, i) => ({ width, height, data: new Uint8Array(out.stdout.buffer, out.stdout.byteOffset + i * size, size) }));
}

function randomImage(width: number, height: number, seed: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    data[i] = s >> 16;
  }
  return { width, height, data };
}

function maxDifference(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

const davis = () => sharedFile('media/videos/davis-car-turn-720p.mp4');
const epfl = () => sharedFile('media/epfl-gims08/car01.mp4');
const YOLOX: PreprocessOptions = { inputWidth: 416, inputHeight: 416, padValue: 114, channelOrder: 'bgr' };

const cases: Array<[string, () => RgbImage[]]> = [
  ['640x360 (analysis frames)', () => decodeScaled(davis(), 640, 360, 4)],
  ['360x640 (portrait)', () => decodeScaled(davis(), 360, 640, 2)],
  ['1920x1080', () => decodeScaled(davis(), 1920, 1080, 2)],
  ['376x250 (EPFL, upscaled by YOLOX)', () => decodeScaled(epfl(), 376, 250, 2)],
  ['odd sizes and noise', () => [randomImage(3, 500, 1), randomImage(501, 7, 2), randomImage(1, 1, 3), randomImage(223, 225, 4)]],
];

describe.skipIf(!native)('native kernels agree with JavaScript', () => {
  it.each(cases)('%s', (_name, load) => {
    const frames = load();
    expect(frames.length).toBeGreaterThan(0);
    for (const frame of frames) {
      for (const options of [YOLOX, { ...YOLOX, channelOrder: 'rgb' as const, inputWidth: 320, inputHeight: 256 }]) {
        const a = new Float32Array(3 * options.inputWidth * options.inputHeight + 5).fill(-1);
        const b = new Float32Array(a.length).fill(-1);
        const ga = jsKernels.fillLetterboxedInput(frame, a, 5, options);
        const gb = native!.fillLetterboxedInput(frame, b, 5, options);
        expect(gb).toEqual(ga);
        expect(b[4]).toBe(-1); // nothing written before the offset
        expect(maxDifference(a, b)).toBeLessThanOrEqual(LETTERBOX_TOLERANCE);
      }
      const boxes: Box[] = [
        { x1: 0, y1: 0, x2: frame.width, y2: frame.height },
        { x1: frame.width * 0.2, y1: frame.height * 0.3, x2: frame.width * 0.7, y2: frame.height * 0.9 },
        { x1: 1.5, y1: 1.5, x2: 3.2, y2: 2.9 },
      ];
      // CLIP: the same doubles in the same order, so the very same floats, for the whole frame and boxes.
      for (const box of [undefined, ...boxes, { x1: -frame.width * 0.3, y1: frame.height * 0.4, x2: frame.width * 0.5, y2: frame.height * 1.6 }]) {
        const ca = new Float32Array(3 * 224 * 224 + 5).fill(-9);
        const cb = new Float32Array(ca.length).fill(-9);
        jsKernels.fillClipInput(frame, ca, 5, box);
        native!.fillClipInput(frame, cb, 5, box);
        expect(cb[4]).toBe(-9); // nothing written before the offset
        expect(Array.from(cb)).toEqual(Array.from(ca));
      }

      for (const box of boxes) {
        for (const maxPixels of [40_000, 500]) {
          const qa = jsKernels.measureCropQuality(frame, box, maxPixels);
          const qb = native!.measureCropQuality(frame, box, maxPixels);
          for (const key of ['laplacianVariance', 'meanLuma', 'clippedFraction'] as const) {
            expect(Math.abs(qb[key] - qa[key])).toBeLessThanOrEqual(QUALITY_RELATIVE_TOLERANCE * Math.max(1, Math.abs(qa[key])));
          }
        }
      }
    }
  });

  it('rejects buffers that do not fit instead of reading or writing outside them', () => {
    const frame = randomImage(64, 48, 5);
    const short = { width: 64, height: 48, data: frame.data.subarray(0, 100) };
    const small = new Float32Array(3 * 416 * 416 - 1);
    expect(() => native!.fillLetterboxedInput(frame, small, 0, YOLOX)).toThrow(RangeError);
    expect(() => native!.fillLetterboxedInput(short, new Float32Array(3 * 416 * 416), 0, YOLOX)).toThrow(RangeError);
    expect(() => native!.fillClipInput(frame, new Float32Array(3 * 224 * 224), 1)).toThrow(RangeError);
    expect(() => native!.fillClipInput(short, new Float32Array(3 * 224 * 224), 0, { x1: 0, y1: 0, x2: 8, y2: 8 })).toThrow(RangeError);
    expect(() => native!.measureCropQuality(short, { x1: 0, y1: 0, x2: 64, y2: 48 })).toThrow(RangeError);
  });
});

describe('install step (native/build.mjs)', () => {
  const dir = scratchDir('native-build');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** A copy of native/ beside the project's node_modules, built with a compiler that always fails. */
  function brokenBuild(mode: string | undefined) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'native'), { recursive: true });
    for (const entry of ['build.mjs', 'binding.gyp', 'src']) cpSync(join(projectRoot, 'native', entry), join(dir, 'native', entry), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{"name":"copy"}');
    symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'));
    const env: NodeJS.ProcessEnv = { ...process.env, CXX: '/bin/false', CC: '/bin/false' };
    delete env.LOTREEL_NATIVE_BUILD;
    if (mode) env.LOTREEL_NATIVE_BUILD = mode;
    return spawnSync(process.execPath, [join(dir, 'native', 'build.mjs')], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
  }

  it('succeeds with the JavaScript kernels when the compiler fails', () => {
    const run = brokenBuild(undefined);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/native addon not built .*JavaScript kernels will be used/);
    expect(existsSync(join(dir, 'native', 'build'))).toBe(false);
  }, 120_000);

  it('fails when CI requires the addon', () => {
    const run = brokenBuild('required');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/native addon could not be built/);
  }, 120_000);
});
