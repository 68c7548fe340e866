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

/** Undoes the normalisation of one plane back to 8-bit values (0, not -0, for black). */
function plane8(out: Float32Array, c: number, size: number): number[] {
  return Array.from(out.subarray(c * size * size, (c + 1) * size * size), (v) => Math.max(0, Math.round((v * CLIP_STD[c] + CLIP_MEAN[c]) * 255)));
}

/**
 * PIL's resize written out plainly, as the reference for the crop-only code: the whole image,
 * horizontal pass then vertical, 8 bits in between, antialiased bicubic (a = -0.5).
 */
function pilResize(img: RgbImage, outWidth: number, outHeight: number): RgbImage {
  const cubic = (x: number) => {
    const t = Math.abs(x);
    return t < 1 ? (1.5 * t - 2.5) * t * t + 1 : t < 2 ? (((t - 5) * t + 8) * t - 4) * -0.5 : 0;
  };
  const coefficients = (inSize: number, outSize: number) =>
    Array.from({ length: outSize }, (_, k) => {
      const scale = inSize / outSize;
      const filterScale = Math.max(scale, 1);
      const centre = (k + 0.5) * scale;
      const lo = Math.max(Math.trunc(centre - 2 * filterScale + 0.5), 0);
      const hi = Math.min(Math.trunc(centre + 2 * filterScale + 0.5), inSize);
      const w = Array.from({ length: hi - lo }, (_, j) => cubic((lo + j - centre + 0.5) / filterScale));
      const sum = w.reduce((a, b) => a + b, 0);
      return { lo, w: w.map((v) => v / sum) };
    });
  const to8 = (v: number) => Math.min(255, Math.max(0, Math.round(v)));
  const pass = (src: RgbImage, width: number, height: number, horizontal: boolean): RgbImage => {
    const taps = coefficients(horizontal ? src.width : src.height, horizontal ? width : height);
    return image(width, height, (x, y, c) => {
      const { lo, w } = taps[horizontal ? x : y];
      return to8(w.reduce((sum, wj, j) => sum + wj * src.data[((horizontal ? y : lo + j) * src.width + (horizontal ? lo + j : x)) * 3 + c], 0));
    });
  };
  return pass(pass(img, outWidth, img.height, true), outWidth, outHeight, false);
}

function crop(img: RgbImage, r: { x: number; y: number; width: number; height: number }): RgbImage {
  return image(r.width, r.height, (x, y, c) => img.data[((r.y + y) * img.width + r.x + x) * 3 + c]);
}

describe('CLIP preprocessing', () => {
  it('resizes the shortest side and truncates the long one like Hugging Face', () => {
    expect(clipResizedSize(640, 360, 224)).toEqual({ width: 398, height: 224 });
    expect(clipResizedSize(300, 500, 224)).toEqual({ width: 224, height: 373 });
    expect(clipResizedSize(224, 224, 224)).toEqual({ width: 224, height: 224 });
    expect(clipResizedSize(1920, 1080, 224)).toEqual({ width: 398, height: 224 });
    expect(clipResizedSize(376, 250, 224)).toEqual({ width: 336, height: 224 });
    expect(clipResizedSize(100, 50, 224)).toEqual({ width: 448, height: 224 });
    expect(clipResizedSize(1, 1, 224)).toEqual({ width: 224, height: 224 });
  });

  it.each([
    ['landscape', 300, 170, undefined],
    ['portrait', 150, 260, undefined],
    ['upscaled box', 120, 90, { x1: 10.5, y1: 20, x2: 70, y2: 61.2 }],
    ['box partly outside', 120, 90, { x1: -30, y1: 40, x2: 50, y2: 200 }],
  ])('equals a full PIL resize then a centre crop (%s)', (_name, width, height, box) => {
    const img = image(width, height, (x, y, c) => (x * 7 + y * 3 + c * 50 + ((x * y) % 13) * 9) % 256);
    const out = new Float32Array(3 * 224 * 224);
    fillClipInput(img, out, 0, box);
    const region = crop(img, cropRegion(img, box));
    const resized = clipResizedSize(region.width, region.height, 224);
    const full = pilResize(region, resized.width, resized.height);
    const expected = crop(full, { x: Math.trunc((resized.width - 224) / 2), y: Math.trunc((resized.height - 224) / 2), width: 224, height: 224 });
    for (let c = 0; c < 3; c++) expect(plane8(out, c, 224)).toEqual(Array.from({ length: 224 * 224 }, (_, i) => expected.data[i * 3 + c]));
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

  it('keeps a flat colour flat through a wide antialiasing filter (weights sum to one)', () => {
    const out = new Float32Array(3 * 224 * 224);
    fillClipInput(image(1920, 1080, (_x, _y, c) => [200, 100, 30][c]), out, 0);
    for (let c = 0; c < 3; c++) expect(new Set(plane8(out, c, 224))).toEqual(new Set([[200, 100, 30][c]]));
  });

  it('antialiases when shrinking: one-pixel stripes average to grey instead of aliasing', () => {
    // 1080 -> 224 rows: the filter widens to ~19 source rows, so alternate black and white rows blur
    // to mid grey; an unwidened bicubic (4 rows) would swing from black to white with the phase.
    const out = new Float32Array(3 * 224 * 224);
    fillClipInput(image(1080, 1080, (_x, y) => (y % 2 ? 255 : 0)), out, 0);
    const grey = plane8(out, 0, 224);
    expect(Math.min(...grey)).toBeGreaterThanOrEqual(110); // measured 119..136
    expect(Math.max(...grey)).toBeLessThanOrEqual(145);
  });

  it('checks the sizes and writes nothing before the offset', () => {
    const img = image(64, 48, () => 1);
    const out = new Float32Array(2 * 3 * 224 * 224).fill(NaN);
    fillClipInput(img, out, 3 * 224 * 224);
    expect(Number.isNaN(out[3 * 224 * 224 - 1])).toBe(true);
    expect(out[3 * 224 * 224]).toBeCloseTo(normalised(1, 0), 5);
    expect(() => fillClipInput(img, out, 3 * 224 * 224 + 1)).toThrow(RangeError);
    expect(() => fillClipInput(img, out, -1)).toThrow(RangeError);
    expect(() => fillClipInput({ width: 64, height: 48, data: new Uint8Array(10) }, out, 0)).toThrow(RangeError);
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
