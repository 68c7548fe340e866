import { describe, expect, it } from 'vitest';
import { colourVotes, nameCarColour, pixelColourName, emptyVotes } from '../../../src/analysis/colour-name.js';
import { colourHistogram, measureCropQuality, rgbToHsv } from '../../../src/vision/image-stats.js';
import { appearanceDistance, hellingerDistance, meanAppearance } from '../../../src/analysis/appearance.js';
import { paintBox, solidFrame } from './fakes.js';

describe('colour names', () => {
  it.each([
    [[250, 250, 250], 'white'],
    [[200, 215, 235], 'white'],
    [[170, 172, 175], 'silver'],
    [[100, 100, 100], 'grey'],
    [[15, 15, 18], 'black'],
    [[200, 20, 30], 'red'],
    [[240, 200, 20], 'yellow'],
    [[20, 60, 200], 'blue'],
    [[30, 150, 60], 'green'],
    [[240, 130, 20], 'orange'],
    [[100, 60, 30], 'brown'],
    [[220, 200, 160], 'beige'],
  ] as const)('names %j %s', (rgb, name) => {
    expect(pixelColourName(rgb[0], rgb[1], rgb[2])).toBe(name);
  });

  it('names a car from the body band of its box, not from the background', () => {
    const frame = paintBox(solidFrame(200, 100, [20, 120, 40]), { x1: 40, y1: 20, x2: 160, y2: 90 }, [200, 20, 30]);
    expect(nameCarColour(colourVotes(frame, { x1: 40, y1: 20, x2: 160, y2: 90 }))).toBe('red');
  });

  it('lets a clear paint colour win over grey reflections, and black only when it dominates', () => {
    expect(nameCarColour({ ...emptyVotes(), grey: 20, blue: 30, black: 50 })).toBe('blue');
    expect(nameCarColour({ ...emptyVotes(), white: 35, blue: 29, black: 26 })).toBe('white');
    expect(nameCarColour({ ...emptyVotes(), black: 70, grey: 30 })).toBe('black');
    expect(nameCarColour({ ...emptyVotes(), black: 45, white: 40, grey: 15 })).toBe('white');
    expect(nameCarColour(emptyVotes())).toBeNull();
  });
});

describe('image statistics', () => {
  it('converts RGB to HSV', () => {
    expect(rgbToHsv(255, 0, 0)).toEqual([0, 1, 1]);
    const [h] = rgbToHsv(0, 0, 255);
    expect(h).toBeCloseTo(2 / 3);
  });

  it('measures a sharp checkerboard as sharper than a flat crop, and exposure', () => {
    const flat = solidFrame(100, 100, [128, 128, 128]);
    const checker = solidFrame(100, 100, [0, 0, 0]);
    for (let y = 0; y < 100; y++) for (let x = 0; x < 100; x++) if ((x + y) % 2) checker.data.set([255, 255, 255], (y * 100 + x) * 3);
    const box = { x1: 10, y1: 10, x2: 90, y2: 90 };
    expect(measureCropQuality(flat, box).laplacianVariance).toBe(0);
    expect(measureCropQuality(checker, box).laplacianVariance).toBeGreaterThan(1000);
    expect(measureCropQuality(flat, box).meanLuma).toBeCloseTo(128 / 255, 2);
    expect(measureCropQuality(checker, box).clippedFraction).toBe(1);
  });

  it('gives the same car the same histogram and another paint a distant one', () => {
    const box = { x1: 20, y1: 20, x2: 180, y2: 80 };
    const red1 = paintBox(solidFrame(200, 100, [90, 90, 90]), box, [200, 20, 30]);
    const red2 = paintBox(solidFrame(200, 100, [40, 40, 40]), box, [205, 25, 28]);
    const blue = paintBox(solidFrame(200, 100, [90, 90, 90]), box, [20, 40, 200]);
    const a = colourHistogram(red1, box);
    expect(a.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
    expect(hellingerDistance(a, colourHistogram(red2, box))).toBeLessThan(0.05);
    expect(hellingerDistance(a, colourHistogram(blue, box))).toBeGreaterThan(0.9);
  });
});

describe('appearance', () => {
  it('combines colour and embedding when both are known', () => {
    const colour = new Float32Array([1, 0]);
    const e1 = new Float32Array([1, 0]);
    const e2 = new Float32Array([0, 1]);
    expect(appearanceDistance({ colour }, { colour })).toBe(0);
    expect(appearanceDistance({ colour, embedding: e1 }, { colour, embedding: e2 })).toBeCloseTo(0.1);
    const mean = meanAppearance([{ colour, embedding: e1 }, { colour, embedding: e2 }]);
    expect(mean.embedding![0]).toBeCloseTo(Math.SQRT1_2);
  });
});
