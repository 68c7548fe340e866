/**
 * PP-OCR input tensors (pure): the detector sees the picture (or a region of it) scaled to a multiple of 32 and
 * normalised with ImageNet mean/std; the recogniser sees each text box scaled to 48 px high, padded
 * on the right. Both models were trained on BGR pictures (PaddleOCR reads with OpenCV), so channels
 * go in as B, G, R.
 */
import type { Box, Quad } from '../core/geometry.js';
import type { RgbImage } from './yolox.preprocess.js';

export const REC_HEIGHT = 48;
/** PaddleOCR's default recogniser width: narrower lines are padded to it. */
export const REC_MIN_WIDTH = 320;

const DET_MEAN = [0.485, 0.456, 0.406];
const DET_STD = [0.229, 0.224, 0.225];

export interface DetInputSize {
  width: number;
  height: number;
  /** Detector pixels per image pixel, per axis. */
  scaleX: number;
  scaleY: number;
}

/** The picture scaled so its long side is at most `limitSide`, each side rounded to a multiple of 32 (at least 32). */
export function detInputSize(width: number, height: number, limitSide: number): DetInputSize {
  return detRegionSize(width, height, { x1: 0, y1: 0, x2: width, y2: height }, limitSide);
}

/** Per BGR channel, the value stored for a sample v in 0..1 is v * scale + offset. */
interface Normalisation {
  scale: readonly [number, number, number];
  offset: readonly [number, number, number];
}

/** ImageNet mean/std, as the detector was trained. */
const DET_NORMALISATION: Normalisation = {
  scale: [1 / DET_STD[0], 1 / DET_STD[1], 1 / DET_STD[2]],
  offset: [-DET_MEAN[0] / DET_STD[0], -DET_MEAN[1] / DET_STD[1], -DET_MEAN[2] / DET_STD[2]],
};
/** [-1, 1], as the recogniser was trained. */
const REC_NORMALISATION: Normalisation = { scale: [2, 2, 2], offset: [-1, -1, -1] };

/**
 * Bilinear sample of `region` of `image` into an `outW`x`outH` patch written as BGR planes of
 * `planeStride` values each (row length `rowStride`) from `offset`. The columns' source pixels and
 * weights are worked out once per patch, not once per row: this runs on millions of pixels a photo.
 */
function sampleInto(image: RgbImage, region: Box, target: Float32Array, offset: number, outW: number, outH: number, rowStride: number, planeStride: number, norm: Normalisation): void {
  const { width: W, height: H, data } = image;
  const sx = (region.x2 - region.x1) / outW;
  const sy = (region.y2 - region.y1) / outH;
  const left = new Int32Array(outW);
  const right = new Int32Array(outW);
  const weight = new Float64Array(outW);
  for (let x = 0; x < outW; x++) {
    const fx = Math.min(W - 1, Math.max(0, region.x1 + (x + 0.5) * sx - 0.5));
    const x0 = Math.floor(fx);
    left[x] = x0 * 3;
    right[x] = Math.min(W - 1, x0 + 1) * 3;
    weight[x] = fx - x0;
  }
  const scale = norm.scale.map((k) => k / 255);
  for (let y = 0; y < outH; y++) {
    const fy = Math.min(H - 1, Math.max(0, region.y1 + (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    const top = y0 * W * 3;
    const bottom = Math.min(H - 1, y0 + 1) * W * 3;
    for (let ch = 0; ch < 3; ch++) {
      const bgr = 2 - ch;
      const k = scale[bgr];
      const o = norm.offset[bgr];
      const row = offset + bgr * planeStride + y * rowStride;
      for (let x = 0; x < outW; x++) {
        const a = top + left[x] + ch;
        const b = top + right[x] + ch;
        const c = bottom + left[x] + ch;
        const d = bottom + right[x] + ch;
        const wx = weight[x];
        const upper = data[a] + (data[b] - data[a]) * wx;
        const lower = data[c] + (data[d] - data[c]) * wx;
        target[row + x] = (upper + (lower - upper) * wy) * k + o;
      }
    }
  }
}

/**
 * The detector's input size for `region` of a `width`x`height` picture: the region at the scale the
 * whole picture would get, so text is found at the same resolution whether or not it is cropped.
 */
export function detRegionSize(width: number, height: number, region: Box, limitSide: number, maxUpscale = 1): DetInputSize {
  if (!(width > 0 && height > 0)) throw new RangeError(`invalid image size ${width}x${height}`);
  // Small pictures are enlarged (at most `maxUpscale` times): text a few pixels high is lost otherwise.
  const ratio = Math.min(Math.max(1, maxUpscale), limitSide / Math.max(width, height));
  const regionW = region.x2 - region.x1;
  const regionH = region.y2 - region.y1;
  if (!(regionW > 0 && regionH > 0)) throw new RangeError('empty detector region');
  const w = Math.max(32, Math.round((regionW * ratio) / 32) * 32);
  const h = Math.max(32, Math.round((regionH * ratio) / 32) * 32);
  return { width: w, height: h, scaleX: w / regionW, scaleY: h / regionH };
}

/** The detector's input size for `region` at `scale` detector pixels per picture pixel, each side a multiple of 32. */
export function scaledRegionSize(region: Box, scale: number): DetInputSize {
  const regionW = region.x2 - region.x1;
  const regionH = region.y2 - region.y1;
  if (!(regionW > 0 && regionH > 0 && scale > 0)) throw new RangeError('empty detector region');
  const w = Math.max(32, Math.round((regionW * scale) / 32) * 32);
  const h = Math.max(32, Math.round((regionH * scale) / 32) * 32);
  return { width: w, height: h, scaleX: w / regionW, scaleY: h / regionH };
}

/** The detector's 1x3xHxW input for `region` of the image (the whole image by default). */
export function detInput(image: RgbImage, size: DetInputSize, region: Box = { x1: 0, y1: 0, x2: image.width, y2: image.height }): Float32Array {
  const { width, height } = size;
  const out = new Float32Array(3 * width * height);
  sampleInto(image, region, out, 0, width, height, width, width * height, DET_NORMALISATION);
  return out;
}

/** Width a text box gets at the recogniser's height, capped at `maxWidth`. */
export function recWidth(box: Box, maxWidth: number): number {
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  if (!(w > 0 && h > 0)) return 1;
  return Math.max(1, Math.min(maxWidth, Math.ceil((REC_HEIGHT * w) / h)));
}

/** Tensor width for a batch of boxes: the widest box (at least REC_MIN_WIDTH), capped at `maxWidth`. */
export function recBatchWidth(boxes: readonly Box[], maxWidth: number): number {
  return Math.max(REC_MIN_WIDTH, ...boxes.map((b) => recWidth(b, maxWidth)));
}

/**
 * Bilinear sample of the quad (q0 to q1 along the text, q0 to q3 down it) into an `outW`x`outH`
 * patch of BGR planes, like sampleInto: slanted text comes out level.
 */
function sampleQuadInto(image: RgbImage, q: Quad, target: Float32Array, offset: number, outW: number, outH: number, rowStride: number, planeStride: number): void {
  const { width: W, height: H, data } = image;
  for (let y = 0; y < outH; y++) {
    const v = (y + 0.5) / outH;
    for (let x = 0; x < outW; x++) {
      const u = (x + 0.5) / outW;
      const fx = Math.min(W - 1, Math.max(0, q[0].x + u * (q[1].x - q[0].x) + v * (q[3].x - q[0].x) - 0.5));
      const fy = Math.min(H - 1, Math.max(0, q[0].y + u * (q[1].y - q[0].y) + v * (q[3].y - q[0].y) - 0.5));
      const x0 = Math.floor(fx);
      const y0 = Math.floor(fy);
      const x1 = Math.min(W - 1, x0 + 1);
      const y1 = Math.min(H - 1, y0 + 1);
      const wx = fx - x0;
      const wy = fy - y0;
      for (let ch = 0; ch < 3; ch++) {
        const top = data[(y0 * W + x0) * 3 + ch] * (1 - wx) + data[(y0 * W + x1) * 3 + ch] * wx;
        const bottom = data[(y1 * W + x0) * 3 + ch] * (1 - wx) + data[(y1 * W + x1) * 3 + ch] * wx;
        target[offset + (2 - ch) * planeStride + y * rowStride + x] = ((top + (bottom - top) * wy) / 255 - 0.5) / 0.5;
      }
    }
  }
}

/** The level box a slanted quad reads as: its length by its thickness. */
export function quadReadingBox(q: Quad): Box {
  return { x1: 0, y1: 0, x2: Math.hypot(q[1].x - q[0].x, q[1].y - q[0].y), y2: Math.hypot(q[3].x - q[0].x, q[3].y - q[0].y) };
}

/**
 * The recogniser's Nx3x48xW input: each box scaled to 48 px high keeping its aspect, values in
 * [-1, 1], right-padded with 0 (mid grey after normalisation) as PaddleOCR does. A box with a quad
 * (slanted text) is read along the quad instead.
 */
export function recInput(image: RgbImage, boxes: readonly Box[], batchWidth: number, quads: readonly (Quad | undefined)[] = []): Float32Array {
  const plane = REC_HEIGHT * batchWidth;
  const out = new Float32Array(boxes.length * 3 * plane);
  boxes.forEach((box, k) => {
    const quad = quads[k];
    const w = Math.min(batchWidth, recWidth(quad ? quadReadingBox(quad) : box, batchWidth));
    if (quad) sampleQuadInto(image, quad, out, k * 3 * plane, w, REC_HEIGHT, batchWidth, plane);
    else sampleInto(image, box, out, k * 3 * plane, w, REC_HEIGHT, batchWidth, plane, REC_NORMALISATION);
  });
  return out;
}
