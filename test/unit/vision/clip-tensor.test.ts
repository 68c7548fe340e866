import { describe, expect, it } from 'vitest';
import { bicubicTaps, CLIP_DEFAULTS, CLIP_MEAN, CLIP_STD, clipCropGeometry, fillClipInput, normalisationTable } from '../../../src/vision/clip-tensor.js';

const S = 224;
const plane = S * S;

function image(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]) {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * 3);
  return { width, height, data };
}

const normalised = (v: number, c: number) => (v / 255 - CLIP_MEAN[c]) / CLIP_STD[c];

describe('clipCropGeometry', () => {
  it.each([
    // w, h -> resized w, h, left, top (long side truncated as transformers does, crop floor-centred)
    [640, 360, 398, 224, 87, 0],
    [360, 640, 224, 398, 0, 87],
    [1920, 1080, 398, 224, 87, 0],
    [376, 250, 336, 224, 56, 0],
    [224, 224, 224, 224, 0, 0],
    [100, 50, 448, 224, 112, 0],
  ])('%ix%i', (w, h, rw, rh, left, top) => {
    expect(clipCropGeometry(w, h, S)).toEqual({ resizedWidth: rw, resizedHeight: rh, left, top });
  });
});

describe('bicubicTaps', () => {
  it('keeps the size unchanged as the identity', () => {
    const taps = bicubicTaps(10, 10, 0, 10);
    for (let k = 0; k < 10; k++) {
      for (let t = 0; t < taps.count[k]; t++) expect(taps.weights[k * taps.width + t]).toBeCloseTo(taps.start[k] + t === k ? 1 : 0, 12);
    }
  });

  it('widens the filter when shrinking (antialiasing) and its weights sum to one', () => {
    const taps = bicubicTaps(1080, 224, 0, 224);
    // 1080/224 = 4.82: support 2 * 4.82 each side, so about 19 source pixels per output away from the borders.
    expect(taps.count[100]).toBeGreaterThanOrEqual(19);
    for (const k of [0, 100, 223]) {
      let sum = 0;
      for (let t = 0; t < taps.count[k]; t++) sum += taps.weights[k * taps.width + t];
      expect(sum).toBeCloseTo(1, 12);
    }
  });
});

describe('fillClipInput', () => {
  it('turns a flat colour into its normalised value in R, G, B planes', () => {
    const t = new Float32Array(3 * plane);
    fillClipInput(image(640, 360, () => [200, 100, 30]), t, 0);
    for (const i of [0, 1234, plane - 1]) {
      expect(t[i]).toBeCloseTo(normalised(200, 0), 5);
      expect(t[plane + i]).toBeCloseTo(normalised(100, 1), 5);
      expect(t[2 * plane + i]).toBeCloseTo(normalised(30, 2), 5);
    }
  });

  it('crops the centre of a landscape frame: the edges fall outside, the middle stays', () => {
    // Left and right quarters black, middle half white: after the crop only white remains at the centre
    // and the sides of the crop are still inside the white band (398 wide, crop from 87 to 311).
    const frame = image(640, 360, (x) => (x < 160 || x >= 480 ? [0, 0, 0] : [255, 255, 255]));
    const t = new Float32Array(3 * plane);
    fillClipInput(frame, t, 0);
    // The white band spans resized x 99.5..298.5, i.e. crop x 12.5..211.5.
    expect(t[112 * S + 112]).toBeCloseTo(normalised(255, 0), 4);
    expect(t[112 * S + 2]).toBeCloseTo(normalised(0, 0), 4);
    expect(t[112 * S + 221]).toBeCloseTo(normalised(0, 0), 4);
    expect(t[112 * S + 30]).toBeCloseTo(normalised(255, 0), 4);
  });

  it('crops the centre of a portrait frame vertically', () => {
    const frame = image(360, 640, (_x, y) => (y < 320 ? [255, 0, 0] : [0, 0, 255]));
    const t = new Float32Array(3 * plane);
    fillClipInput(frame, t, 0);
    expect(t[5 * S + 100]).toBeCloseTo(normalised(255, 0), 4); // top of the crop is red
    expect(t[2 * plane + 218 * S + 100]).toBeCloseTo(normalised(255, 2), 4); // bottom is blue
  });

  it('matches a full resize followed by a crop computed separately', () => {
    const frame = image(300, 170, (x, y) => [(x * 7 + y * 3) % 256, (x * y) % 256, (255 - x) % 256]);
    const geo = clipCropGeometry(300, 170, S);
    const t = new Float32Array(3 * plane);
    fillClipInput(frame, t, 0);
    // Reference: the whole resized image with one tap table per axis, then the crop.
    const xs = bicubicTaps(300, geo.resizedWidth, 0, geo.resizedWidth);
    const ys = bicubicTaps(170, geo.resizedHeight, 0, geo.resizedHeight);
    for (const [y, x] of [[0, 0], [50, 60], [223, 223], [111, 5]]) {
      const Y = y + geo.top;
      const X = x + geo.left;
      for (let c = 0; c < 3; c++) {
        let v = 0;
        for (let a = 0; a < ys.count[Y]; a++) {
          let rowValue = 0;
          for (let b = 0; b < xs.count[X]; b++) rowValue += xs.weights[X * xs.width + b] * frame.data[((ys.start[Y] + a) * 300 + xs.start[X] + b) * 3 + c];
          v += ys.weights[Y * ys.width + a] * rowValue;
        }
        v = Math.min(255, Math.max(0, v));
        expect(t[c * plane + y * S + x]).toBeCloseTo(normalised(v, c), 4);
      }
    }
  });

  it('writes at an offset and checks the sizes', () => {
    const frame = image(64, 48, () => [1, 2, 3]);
    const t = new Float32Array(2 * 3 * plane).fill(NaN);
    fillClipInput(frame, t, 3 * plane);
    expect(Number.isNaN(t[3 * plane - 1])).toBe(true);
    expect(t[3 * plane]).toBeCloseTo(normalised(1, 0), 5);
    expect(() => fillClipInput(frame, t, 3 * plane + 1)).toThrow(RangeError);
    expect(() => fillClipInput({ width: 64, height: 48, data: new Uint8Array(10) }, t, 0)).toThrow(RangeError);
  });

  it('normalisationTable gives the same values as the tensor for 8-bit inputs', () => {
    const lut = normalisationTable(CLIP_DEFAULTS.mean, CLIP_DEFAULTS.std);
    expect(lut[255]).toBeCloseTo(normalised(255, 0), 6);
    expect(lut[512]).toBeCloseTo(normalised(0, 2), 6);
  });
});
