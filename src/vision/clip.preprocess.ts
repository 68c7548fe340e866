/**
 * CLIP image input (pure), as CLIP's own preprocessing (Hugging Face CLIPImageProcessor, PIL
 * underneath): resize so the shortest side is `size` with PIL's bicubic filter (a = -0.5, widened by the
 * scale when shrinking, so downscaling is antialiased; each pass rounded to 8 bits as PIL's 8-bit
 * images are), centre crop `size` x `size`, RGB scaled to 0..1, then (x - mean) / std per channel,
 * planar (NCHW). Only the pixels inside the crop are computed.
 *
 * The native kernel (native/src/clip.cc, reached through kernels.ts) computes exactly the same floats:
 * keep the two in step, arithmetic and summation order included.
 */
import type { Box } from '../core/geometry.js';
import type { RgbImage } from './yolox.preprocess.js';

export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

export interface ClipPreprocessOptions {
  /** Input side (224 for ViT-B/32). */
  size: number;
  mean: readonly number[];
  std: readonly number[];
}

export const CLIP_PREPROCESS: ClipPreprocessOptions = { size: 224, mean: CLIP_MEAN, std: CLIP_STD };

/** PIL's bicubic kernel with a = -0.5. */
function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

interface Taps {
  /** First source index per output index. */
  start: Int32Array;
  count: Int32Array;
  /** Normalised weights, `maxTaps` per output index. */
  weights: Float64Array;
  maxTaps: number;
}

/** PIL's resampling coefficients for output indices [from, from + n) of an `inSize` -> `outSize` resize. */
function taps(inSize: number, outSize: number, from: number, n: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const maxTaps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(n);
  const count = new Int32Array(n);
  const weights = new Float64Array(n * maxTaps);
  for (let k = 0; k < n; k++) {
    const centre = (from + k + 0.5) * scale;
    // C's (int) truncates toward zero, as PIL's code does.
    const lo = Math.max(Math.trunc(centre - support + 0.5), 0);
    const hi = Math.min(Math.trunc(centre + support + 0.5), inSize);
    let sum = 0;
    for (let j = lo; j < hi; j++) {
      const w = bicubic((j - centre + 0.5) / filterScale);
      weights[k * maxTaps + (j - lo)] = w;
      sum += w;
    }
    if (sum !== 0) for (let j = 0; j < hi - lo; j++) weights[k * maxTaps + j] /= sum;
    start[k] = lo;
    count[k] = hi - lo;
  }
  return { start, count, weights, maxTaps };
}

const clip8 = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));

/** Size after resizing the shortest side to `size` (the long side truncated, as Hugging Face does). */
export function clipResizedSize(width: number, height: number, size: number): { width: number; height: number } {
  return width <= height ? { width: size, height: Math.trunc((size * height) / width) } : { width: Math.trunc((size * width) / height), height: size };
}

/** Integer pixel region of the image inside `box` (at least 1x1), or the whole image. */
export function cropRegion(image: { width: number; height: number }, box?: Box): { x: number; y: number; width: number; height: number } {
  if (!box) return { x: 0, y: 0, width: image.width, height: image.height };
  const x1 = Math.min(Math.max(Math.floor(box.x1), 0), image.width - 1);
  const y1 = Math.min(Math.max(Math.floor(box.y1), 0), image.height - 1);
  const x2 = Math.max(Math.min(Math.ceil(box.x2), image.width), x1 + 1);
  const y2 = Math.max(Math.min(Math.ceil(box.y2), image.height), y1 + 1);
  return { x: x1, y: y1, width: x2 - x1, height: y2 - y1 };
}

/**
 * Writes the CLIP input of `image` (or of its `box` crop) into `out` at `offset`: 3 planes of
 * size x size floats.
 */
export function fillClipInput(image: RgbImage, out: Float32Array, offset: number, box?: Box, options: ClipPreprocessOptions = CLIP_PREPROCESS): void {
  const { size, mean, std } = options;
  if (image.data.length < image.width * image.height * 3) throw new RangeError(`image data has ${image.data.length} bytes, expected ${image.width * image.height * 3}`);
  if (offset < 0 || offset + 3 * size * size > out.length) throw new RangeError('target tensor too small for this image');
  const region = cropRegion(image, box);
  const resized = clipResizedSize(region.width, region.height, size);
  const left = Math.trunc((resized.width - size) / 2);
  const top = Math.trunc((resized.height - size) / 2);
  const horizontal = taps(region.width, resized.width, left, size);
  const vertical = taps(region.height, resized.height, top, size);

  // Horizontal pass over the source rows the vertical pass reads.
  const rowFrom = vertical.start[0];
  const rowTo = vertical.start[size - 1] + vertical.count[size - 1];
  const rows = rowTo - rowFrom;
  const mid = new Uint8Array(rows * size * 3);
  const src = image.data;
  for (let r = 0; r < rows; r++) {
    const rowBase = ((region.y + rowFrom + r) * image.width + region.x) * 3;
    for (let k = 0; k < size; k++) {
      const s = horizontal.start[k];
      const n = horizontal.count[k];
      const w = k * horizontal.maxTaps;
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let j = 0; j < n; j++) {
        const p = rowBase + (s + j) * 3;
        const c = horizontal.weights[w + j];
        red += src[p] * c;
        green += src[p + 1] * c;
        blue += src[p + 2] * c;
      }
      const m = (r * size + k) * 3;
      mid[m] = clip8(red);
      mid[m + 1] = clip8(green);
      mid[m + 2] = clip8(blue);
    }
  }

  // Vertical pass, then scaling and normalisation into three planes.
  const plane = size * size;
  const scale = [1 / (255 * std[0]), 1 / (255 * std[1]), 1 / (255 * std[2])];
  const shift = [mean[0] / std[0], mean[1] / std[1], mean[2] / std[2]];
  for (let k = 0; k < size; k++) {
    const s = vertical.start[k] - rowFrom;
    const n = vertical.count[k];
    const w = k * vertical.maxTaps;
    for (let x = 0; x < size; x++) {
      let red = 0;
      let green = 0;
      let blue = 0;
      for (let j = 0; j < n; j++) {
        const m = ((s + j) * size + x) * 3;
        const c = vertical.weights[w + j];
        red += mid[m] * c;
        green += mid[m + 1] * c;
        blue += mid[m + 2] * c;
      }
      const o = offset + k * size + x;
      out[o] = clip8(red) * scale[0] - shift[0];
      out[o + plane] = clip8(green) * scale[1] - shift[1];
      out[o + 2 * plane] = clip8(blue) * scale[2] - shift[2];
    }
  }
}
