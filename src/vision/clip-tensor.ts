/**
 * CLIP input preparation (pure): an RGB24 frame to one normalised [3, S, S] float slice, as the
 * Hugging Face CLIPImageProcessor does it: resize the shortest side to S with PIL's BICUBIC filter
 * (antialiased: the kernel widens with the reduction, a = -0.5), centre crop S x S, scale to 0..1,
 * subtract the mean and divide by the std per channel. Only the output pixels that survive the crop
 * are computed, in one pass from the frame to the tensor.
 *
 * Unlike PIL it keeps fractions between the vertical and the horizontal pass (no rounding to 8 bits),
 * so values differ from PIL's by at most about one grey level. The native kernel (native/src/clip.cc)
 * computes the same in float32; tests bound the difference.
 */
import type { RgbImage } from './yolox.preprocess.js';

export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

export interface ClipTensorOptions {
  /** Side of the square input (224 for ViT-B/32). */
  size: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

export const CLIP_DEFAULTS: ClipTensorOptions = { size: 224, mean: CLIP_MEAN, std: CLIP_STD };

export interface ClipCropGeometry {
  /** Size of the whole image after the shortest-side resize. */
  resizedWidth: number;
  resizedHeight: number;
  /** Top-left of the centre crop in the resized image. */
  left: number;
  top: number;
}

/** Shortest side to `size` (the long side truncated, as transformers does), then a centre crop. */
export function clipCropGeometry(width: number, height: number, size: number): ClipCropGeometry {
  if (!(width > 0 && height > 0)) throw new RangeError(`invalid frame size ${width}x${height}`);
  const resizedWidth = width <= height ? size : Math.max(size, Math.trunc((size * width) / height));
  const resizedHeight = width <= height ? Math.max(size, Math.trunc((size * height) / width)) : size;
  return { resizedWidth, resizedHeight, left: (resizedWidth - size) >> 1, top: (resizedHeight - size) >> 1 };
}

/** Filter taps of one axis, PIL-style: for output k, `count[k]` weights starting at source `start[k]`. */
export interface ResampleTaps {
  start: Int32Array;
  count: Int32Array;
  /** Weights (summing to 1), `width` per output. */
  weights: Float64Array;
  width: number;
}

function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

/**
 * Taps for resizing `inSize` to `outSize`, for the outputs `first`..`first + count - 1` only (the
 * crop). Mirrors PIL's precompute_coeffs.
 */
export function bicubicTaps(inSize: number, outSize: number, first: number, count: number): ResampleTaps {
  const scale = inSize / outSize;
  const filterScale = Math.max(1, scale);
  const support = 2 * filterScale;
  const width = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(count);
  const taps = new Int32Array(count);
  const weights = new Float64Array(count * width);
  for (let k = 0; k < count; k++) {
    const center = (first + k + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(center - support + 0.5));
    const xmax = Math.min(inSize, Math.trunc(center + support + 0.5)) - xmin;
    let sum = 0;
    for (let x = 0; x < xmax; x++) {
      weights[k * width + x] = bicubic((x + xmin - center + 0.5) / filterScale);
      sum += weights[k * width + x];
    }
    if (sum !== 0) for (let x = 0; x < xmax; x++) weights[k * width + x] /= sum;
    start[k] = xmin;
    taps[k] = xmax;
  }
  return { start, count: taps, weights, width };
}

const clamp255 = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : v);

/** Writes one frame as CLIP's [3, S, S] RGB planes into `target` at `offset`. */
export function fillClipInput(frame: RgbImage, target: Float32Array, offset: number, options: ClipTensorOptions = CLIP_DEFAULTS): ClipCropGeometry {
  const { width: w, height: h, data: src } = frame;
  const S = options.size;
  if (src.length < w * h * 3) throw new RangeError(`frame data has ${src.length} bytes, expected ${w * h * 3}`);
  const plane = S * S;
  if (offset < 0 || offset + 3 * plane > target.length) throw new RangeError('target tensor too small for this frame');
  const geo = clipCropGeometry(w, h, S);
  const xs = bicubicTaps(w, geo.resizedWidth, geo.left, S);
  const ys = bicubicTaps(h, geo.resizedHeight, geo.top, S);
  const scale = options.std.map((s) => 1 / (255 * s));
  const bias = options.std.map((s, c) => -options.mean[c] / s);

  // Source columns the horizontal taps reach; the vertical pass works on those only.
  const colFirst = xs.start[0];
  const span = (xs.start[S - 1] + xs.count[S - 1] - colFirst) * 3;
  const row = new Float64Array(span);
  for (let y = 0; y < S; y++) {
    row.fill(0);
    for (let t = 0; t < ys.count[y]; t++) {
      const k = ys.weights[y * ys.width + t];
      const p = ((ys.start[y] + t) * w + colFirst) * 3;
      for (let i = 0; i < span; i++) row[i] += k * src[p + i];
    }
    let o = offset + y * S;
    for (let x = 0; x < S; x++, o++) {
      let r = 0;
      let g = 0;
      let b = 0;
      const kw = x * xs.width;
      for (let t = 0, p = (xs.start[x] - colFirst) * 3; t < xs.count[x]; t++, p += 3) {
        const k = xs.weights[kw + t];
        r += k * row[p];
        g += k * row[p + 1];
        b += k * row[p + 2];
      }
      target[o] = clamp255(r) * scale[0] + bias[0];
      target[o + plane] = clamp255(g) * scale[1] + bias[1];
      target[o + 2 * plane] = clamp255(b) * scale[2] + bias[2];
    }
  }
  return geo;
}

/** Per channel, the normalised float of each byte value, ((v / 255) - mean) / std: for 8-bit paths such as sharp's. */
export function normalisationTable(mean: readonly number[], std: readonly number[]): Float32Array {
  const lut = new Float32Array(3 * 256);
  for (let c = 0; c < 3; c++) for (let v = 0; v < 256; v++) lut[c * 256 + v] = (v / 255 - mean[c]) / std[c];
  return lut;
}
