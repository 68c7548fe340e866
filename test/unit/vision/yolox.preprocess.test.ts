import { describe, expect, it } from 'vitest';
import { fillLetterboxedInput, inputSliceLength, letterboxGeometry, type PreprocessOptions } from '../../../src/vision/yolox.preprocess.js';

const OPTS: PreprocessOptions = { inputWidth: 416, inputHeight: 416, padValue: 114, channelOrder: 'bgr' };

function solid(width: number, height: number, rgb: [number, number, number]) {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) data.set(rgb, i * 3);
  return { width, height, data };
}

describe('letterboxGeometry', () => {
  it.each([
    // frame w, h -> scale, resized w, h (int truncation as in the YOLOX demo)
    [376, 250, 416 / 376, 416, 276],
    [1920, 1080, 416 / 1920, 416, 234],
    [1080, 1920, 416 / 1920, 234, 416],
    [640, 360, 0.65, 416, 234],
    [416, 416, 1, 416, 416],
    [208, 104, 2, 416, 208],
    [100, 50, 4.16, 416, 208],
    [4000, 1, 0.104, 416, 1],
  ])('%ix%i', (w, h, scale, rw, rh) => {
    const g = letterboxGeometry(w, h, 416, 416);
    expect(g.scale).toBeCloseTo(scale, 10);
    expect([g.resizedWidth, g.resizedHeight]).toEqual([rw, rh]);
  });

  it('rejects an empty frame', () => {
    expect(() => letterboxGeometry(0, 10, 416, 416)).toThrow(RangeError);
  });
});

describe('fillLetterboxedInput', () => {
  it('places the image top-left in BGR planes and pads with 114', () => {
    const frame = solid(376, 250, [10, 20, 30]);
    const t = new Float32Array(inputSliceLength(OPTS));
    const g = fillLetterboxedInput(frame, t, 0, OPTS);
    const plane = 416 * 416;
    const at = (c: number, y: number, x: number) => t[c * plane + y * 416 + x];
    // B, G, R planes inside the image
    for (const [y, x] of [[0, 0], [100, 200], [275, 415]]) {
      expect([at(0, y, x), at(1, y, x), at(2, y, x)]).toEqual([30, 20, 10]);
    }
    // padding below the image (rows 276..415)
    for (const [y, x] of [[276, 0], [415, 415], [300, 10]]) {
      expect([at(0, y, x), at(1, y, x), at(2, y, x)]).toEqual([114, 114, 114]);
    }
    expect(g.resizedHeight).toBe(276);
  });

  it('pads on the right for portrait frames', () => {
    const frame = solid(250, 376, [200, 100, 50]);
    const t = new Float32Array(inputSliceLength(OPTS));
    fillLetterboxedInput(frame, t, 0, { ...OPTS, channelOrder: 'rgb' });
    const plane = 416 * 416;
    expect([t[10 * 416 + 275], t[plane + 10 * 416 + 275], t[2 * plane + 10 * 416 + 275]]).toEqual([200, 100, 50]);
    expect([t[10 * 416 + 276], t[plane + 10 * 416 + 300], t[2 * plane + 415 * 416 + 415]]).toEqual([114, 114, 114]);
  });

  it('copies a frame of the input size exactly', () => {
    const frame = { width: 416, height: 416, data: new Uint8Array(416 * 416 * 3) };
    for (let i = 0; i < frame.data.length; i++) frame.data[i] = (i * 7) % 256;
    const t = new Float32Array(inputSliceLength(OPTS));
    fillLetterboxedInput(frame, t, 0, OPTS);
    const plane = 416 * 416;
    for (const p of [0, 1, 417, 5000, plane - 1]) {
      expect(t[2 * plane + p]).toBe(frame.data[p * 3]); // R plane last in BGR
      expect(t[plane + p]).toBe(frame.data[p * 3 + 1]);
      expect(t[p]).toBe(frame.data[p * 3 + 2]);
    }
  });

  it('interpolates bilinearly with half-pixel centres (OpenCV INTER_LINEAR)', () => {
    // 2x1 frame: black then white; scaled x4 into an 8-wide input.
    const frame = { width: 2, height: 1, data: new Uint8Array([0, 0, 0, 255, 255, 255]) };
    const opts: PreprocessOptions = { inputWidth: 8, inputHeight: 8, padValue: 114, channelOrder: 'rgb' };
    const t = new Float32Array(inputSliceLength(opts));
    const g = fillLetterboxedInput(frame, t, 0, opts);
    expect([g.resizedWidth, g.resizedHeight]).toEqual([8, 4]);
    // src x = (d + 0.5) / 4 - 0.5 -> -0.375 (clamped 0), -0.125, 0.125, 0.375, 0.625, 0.875, 1.125, 1.375 (clamped 1)
    const row = Array.from(t.subarray(0, 8));
    const expected = [0, 0, 0.125, 0.375, 0.625, 0.875, 1, 1].map((f) => f * 255);
    row.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 4));
    expect(t[4 * 8]).toBe(114);
  });

  it('writes at the offset and leaves the other slots alone', () => {
    const frame = solid(64, 32, [1, 2, 3]);
    const n = inputSliceLength(OPTS);
    const t = new Float32Array(2 * n).fill(-1);
    fillLetterboxedInput(frame, t, n, OPTS);
    expect(t[0]).toBe(-1);
    expect(t[n - 1]).toBe(-1);
    expect(t[n]).toBe(3);
    expect(t[2 * n - 1]).toBe(114);
    expect(() => fillLetterboxedInput(frame, t, n + 1, OPTS)).toThrow(RangeError);
  });

  it('rejects short frame data', () => {
    const t = new Float32Array(inputSliceLength(OPTS));
    expect(() => fillLetterboxedInput({ width: 10, height: 10, data: new Uint8Array(299) }, t, 0, OPTS)).toThrow(RangeError);
  });
});
