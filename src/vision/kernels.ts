/**
 * The per-frame hot loops, native when the addon in native/ was built, JavaScript otherwise: the
 * only module that loads the addon. Both paths compute the same thing (tests check they agree):
 * - `fillLetterboxedInput`: YOLOX letterbox to planar float (yolox.preprocess.ts);
 * - `fillClipInput`: CLIP input of a frame or of a box in it, PIL bicubic shortest side, centre crop,
 *   normalised planes (clip.preprocess.ts; the native kernel gives the very same floats);
 * - `measureCropQuality`: sharpness (variance of the Laplacian) and exposure (image-stats.ts).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Box } from '../core/geometry.js';
import { innerRect, measureCropQuality as measureCropQualityJs, samplingStep, type CropQuality } from './image-stats.js';
import { CLIP_PREPROCESS, cropRegion, fillClipInput as fillClipInputJs, type ClipPreprocessOptions } from './clip.preprocess.js';
import {
  fillLetterboxedInput as fillLetterboxedInputJs,
  inputSliceLength,
  letterboxGeometry,
  type LetterboxGeometry,
  type PreprocessOptions,
  type RgbImage,
} from './yolox.preprocess.js';

export interface FrameKernels {
  readonly name: 'native' | 'js';
  fillLetterboxedInput(frame: RgbImage, target: Float32Array, offset: number, options: PreprocessOptions): LetterboxGeometry;
  fillClipInput(frame: RgbImage, target: Float32Array, offset: number, box?: Box, options?: ClipPreprocessOptions): void;
  measureCropQuality(frame: RgbImage, box: Box, maxPixels?: number): CropQuality;
}

export const jsKernels: FrameKernels = {
  name: 'js',
  fillLetterboxedInput: fillLetterboxedInputJs,
  fillClipInput: fillClipInputJs,
  measureCropQuality: measureCropQualityJs,
};

/** The addon's functions (native/src/addon.cc); they check sizes again and throw RangeError. */
interface Addon {
  abi: number;
  letterbox(data: Uint8Array, width: number, height: number, target: Float32Array, offset: number, W: number, H: number, rw: number, rh: number, pad: number, bgr: boolean): void;
  clipTensor(
    data: Uint8Array,
    width: number,
    height: number,
    target: Float32Array,
    offset: number,
    x: number,
    y: number,
    regionWidth: number,
    regionHeight: number,
    size: number,
    mean: readonly number[],
    std: readonly number[],
  ): void;
  cropQuality(data: Uint8Array, width: number, height: number, x1: number, y1: number, x2: number, y2: number, step: number): Float64Array;
}

const ADDON_ABI = 2;

function checkFrame(frame: RgbImage): void {
  if (frame.data.length < frame.width * frame.height * 3) {
    throw new RangeError(`frame data has ${frame.data.length} bytes, expected ${frame.width * frame.height * 3}`);
  }
}

function nativeKernelsFrom(addon: Addon): FrameKernels {
  return {
    name: 'native',
    fillLetterboxedInput(frame, target, offset, options) {
      checkFrame(frame);
      if (offset < 0 || offset + inputSliceLength(options) > target.length) throw new RangeError('target tensor too small for this frame');
      const geo = letterboxGeometry(frame.width, frame.height, options.inputWidth, options.inputHeight);
      addon.letterbox(frame.data, frame.width, frame.height, target, offset, geo.inputWidth, geo.inputHeight, geo.resizedWidth, geo.resizedHeight, options.padValue, options.channelOrder === 'bgr');
      return geo;
    },
    fillClipInput(frame, target, offset, box, options = CLIP_PREPROCESS) {
      checkFrame(frame);
      if (offset < 0 || offset + 3 * options.size * options.size > target.length) throw new RangeError('target tensor too small for this frame');
      const r = cropRegion(frame, box);
      addon.clipTensor(frame.data, frame.width, frame.height, target, offset, r.x, r.y, r.width, r.height, options.size, options.mean, options.std);
    },
    measureCropQuality(frame, box, maxPixels = 40_000) {
      checkFrame(frame);
      const r = innerRect(box, frame.width, frame.height);
      const step = samplingStep(r.x2 - r.x1, r.y2 - r.y1, maxPixels);
      const [laplacianVariance, meanLuma, clippedFraction] = addon.cropQuality(frame.data, frame.width, frame.height, r.x1, r.y1, r.x2, r.y2, step);
      return { laplacianVariance, meanLuma, clippedFraction };
    },
  };
}

export interface NativeStatus {
  available: boolean;
  /** Where the addon was loaded from, or why it was not. */
  reason: string;
}

/** native/build/Release beside the package root (this file is src/vision/ or dist/vision/). */
export const ADDON_PATH = fileURLToPath(new URL('../../native/build/Release/lotreel_native.node', import.meta.url));

let loaded: { kernels: FrameKernels | undefined; status: NativeStatus } | undefined;

function load(): { kernels: FrameKernels | undefined; status: NativeStatus } {
  if (!existsSync(ADDON_PATH)) return { kernels: undefined, status: { available: false, reason: `the native addon was not built (no ${ADDON_PATH})` } };
  try {
    const addon = createRequire(import.meta.url)(ADDON_PATH) as Addon;
    if (addon.abi !== ADDON_ABI) return { kernels: undefined, status: { available: false, reason: `the native addon is stale (abi ${addon.abi}, expected ${ADDON_ABI}): rebuild it` } };
    return { kernels: nativeKernelsFrom(addon), status: { available: true, reason: `loaded ${ADDON_PATH}` } };
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    return { kernels: undefined, status: { available: false, reason: `the native addon does not load: ${message}` } };
  }
}

/** The native kernels, or undefined (see `nativeKernelStatus` for why). Loaded once. */
export function nativeKernels(): FrameKernels | undefined {
  loaded ??= load();
  return loaded.kernels;
}

export function nativeKernelStatus(): NativeStatus {
  loaded ??= load();
  return loaded.status;
}

/** The kernels to use: native when available, else JavaScript. */
export function frameKernels(): FrameKernels {
  return nativeKernels() ?? jsKernels;
}
