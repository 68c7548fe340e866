import { describe, expect, it } from 'vitest';
import { CLIP_MEAN, CLIP_PREPROCESS, CLIP_STD, clipResizedSize, cropRegion, fillClipInput } from '../../../src/vision/clip.preprocess.js';
import type { RgbImage } from '../../../src/vision/yolox.preprocess.js';
import { mulberry32 } from '../../../fixtures/prng.js';

const normalised = (v: number, c: number) => (v / 255 - CLIP_MEAN[c]) / CLIP_STD[c];

function image(width: number, height: number, pixel: (x: number, y: number, c: number) => number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) for (let c = 0; c < 3; c++) data[(y * width + x) * 3 + c] = pixel(x, y, c);
  return { width, height, data };
}

/** Undoes the normalisation of one plane back to 8-bit values. */
function plane8(out: Float32Array, c: number, size: number): number[] {
  return Array.from(out.subarray(c * size * size, (c + 1) * size * size), (v) => Math.round((v * CLIP_STD[c] + CLIP_MEAN[c]) * 255));
}

describe('CLIP preprocessing', () => {
  it('resizes the shortest side and truncates the long one like Hugging Face', () => {
    expect(clipResizedSize(640, 360, 224)).toEqual({ width: 398, height: 224 });
    expect(clipResizedSize(300, 500, 224)).toEqual({ width: 224, height: 373 });
    expect(clipResizedSize(224, 224, 224)).toEqual({ width: 224, height: 224 });
  });

  it('normalises with CLIP mean and std, in RGB planes', () => {
    const out = new Float32Array(3 * 224 * 224 + 5);
    fillClipInput(image(300, 200, (_x, _y, c) => [10, 128, 250][c]), out, 5);
    for (let c = 0; c < 3; c++) {
      const values = new Set(out.subarray(5 + c * 224 * 224, 5 + (c + 1) * 224 * 224));
      expect(values.size).toBe(1);
      expect([...values][0]).toBeCloseTo(normalised([10, 128, 250][c], c), 5);
    }
  });

  it('leaves a 224x224 image pixel for pixel', () => {
    const random = mulberry32(7);
    const img = image(224, 224, () => Math.floor(random() * 256));
    const out = new Float32Array(3 * 224 * 224);
    fillClipInput(img, out, 0);
    for (const [x, y] of [[0, 0], [223, 0], [17, 101], [223, 223]]) {
      for (let c = 0; c < 3; c++) expect(out[c * 224 * 224 + y * 224 + x]).toBeCloseTo(normalised(img.data[(y * 224 + x) * 3 + c], c), 5);
    }
  });

  it('centre-crops the long side without resampling when the short side is already the size', () => {
    const img = image(448, 224, (x, y, c) => (x * 3 + y + c * 50) % 256);
    const out = new Float32Array(3 * 224 * 224);
    fillClipInput(img, out, 0);
    const g = plane8(out, 1, 224);
    // left = (448 - 224) / 2 = 112
    expect(g[0]).toBe((112 * 3 + 0 + 50) % 256);
    expect(g[10 * 224 + 5]).toBe((117 * 3 + 10 + 50) % 256);
  });

  it('downscales with PIL bicubic weights (hand-computed golden values)', () => {
    // 4 -> 2: support 4, taps at distances 0.25, 0.25, 0.75, 1.25 (scaled by 1/2) with weights
    // 0.8671875, 0.8671875, 0.2265625, -0.0703125 (sum 1.890625). A row 0 0 255 255 gives
    // 255 * 0.15625 / 1.890625 = 21.07 -> 21 and 255 * 1.734375 / 1.890625 = 233.93 -> 234.
    const img = image(4, 4, (x) => (x < 2 ? 0 : 255));
    const out = new Float32Array(3 * 2 * 2);
    fillClipInput(img, out, 0, undefined, { ...CLIP_PREPROCESS, size: 2 });
    for (let c = 0; c < 3; c++) expect(plane8(out, c, 2)).toEqual([21, 234, 21, 234]);
  });

  it('crops the box before resizing', () => {
    const img = image(100, 100, (x, y) => (x >= 20 && x < 60 && y >= 30 && y < 50 ? 200 : 0));
    expect(cropRegion(img, { x1: 20.4, y1: 30, x2: 59.6, y2: 50 })).toEqual({ x: 20, y: 30, width: 40, height: 20 });
    const out = new Float32Array(3 * 8 * 8);
    fillClipInput(img, out, 0, { x1: 20, y1: 30, x2: 60, y2: 50 }, { ...CLIP_PREPROCESS, size: 8 });
    expect(new Set(plane8(out, 0, 8))).toEqual(new Set([200]));
    // A box outside the image still gives a valid 1x1 region.
    expect(cropRegion(img, { x1: 150, y1: 150, x2: 160, y2: 160 })).toEqual({ x: 99, y: 99, width: 1, height: 1 });
  });
});
