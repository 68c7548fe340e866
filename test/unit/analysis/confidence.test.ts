/** Confidence and warnings per car, close-up choice and the no-overlap rule between cars. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import { separateCars } from '../../../src/analysis/boundaries.js';
import { carConfidence } from '../../../src/analysis/confidence.js';
import { chooseCloseUps } from '../../../src/analysis/details.js';
import { splitIntoCars } from '../../../src/analysis/segmentation.js';
import { histogramOf, script, sighting } from './fakes.js';

const settings = DEFAULT_SETTINGS.segmentation;

describe('carConfidence', () => {
  it('is sure of cars parted by a gap and less of a change of look the dense look confirmed', () => {
    const gap = script('11111...22222');
    expect(carConfidence(gap, splitIntoCars(gap, settings), [], settings).map((c) => c.confidence)).toEqual([0.95, 0.95]);
    const change = script('1111122222');
    const verdict = { piece: 1, before: 4, after: 5, fromMs: 4000, toMs: 5000, newCar: true, reason: 'abrupt' as const, maxStep: 0.9 };
    expect(carConfidence(change, splitIntoCars(change, settings), [verdict], settings).map((c) => c.confidence)).toEqual([0.85, 0.85]);
    expect(carConfidence(change, splitIntoCars(change, settings), [{ ...verdict, reason: 'unseen' }], settings).map((c) => c.confidence)).toEqual([0.5, 0.5]);
  });

  it('warns "possibly the same car" for two cars that look alike, and "possibly two cars" for a change judged gradual by a narrow margin', () => {
    // Two cars of nearly the same paint (a tenth of the second's pixels a shade off).
    const alike = script('11111...11111').map((o, i) => (o.car ? { ...o, car: { ...o.car, appearance: { colour: histogramOf(2, i > 7 ? 0.1 : 0) } } } : o));
    alike[4].car!.touchesSide = true;
    const cars = splitIntoCars(alike, settings);
    expect(cars).toHaveLength(2);
    expect(carConfidence(alike, cars, [], settings).map((c) => c.warnings)).toEqual([['possibly the same car as car 2'], ['possibly the same car as car 1']]);

    const change = script('1111122222');
    const gradual = { piece: 1, before: 4, after: 5, fromMs: 4000, toMs: 5000, newCar: false, reason: 'gradual' as const, maxStep: 0.19 };
    const joined = splitIntoCars(change, settings, { sameCar: new Set([1]), closeUpGaps: new Set() });
    const [one] = carConfidence(change, joined, [gradual], settings);
    expect(one.warnings).toEqual(['possibly two cars']);
    expect(one.confidence).toBeLessThan(1);
  });
});

describe('chooseCloseUps', () => {
  it('takes the sharpest close-ups, apart in time, leaving out blurred ones', () => {
    const obs = script('1....1').map((o, i) => ({ ...o, closeUp: o.car ? undefined : sighting(0, { quality: { laplacianVariance: [0, 100, 90, 20, 80][i], meanLuma: 0.5, clippedFraction: 0 } }) }));
    expect(chooseCloseUps(obs, [1, 2, 3, 4], 2, 1500)).toEqual([1, 4]);
    expect(chooseCloseUps(obs, [1, 2, 3, 4], 5, 500)).toEqual([1, 2, 4]);
    // Below the car's own floor (a motion-blurred frame the detector lost the car in) none is a photo.
    expect(chooseCloseUps(obs, [1, 2, 3, 4], 5, 500, 95)).toEqual([1]);
    expect(chooseCloseUps(obs, [1, 2, 3, 4], 5, 500, 200)).toEqual([]);
  });
});

describe('separateCars', () => {
  it('cuts an overlap between two cars in its middle', () => {
    expect(separateCars([[{ startMs: 1100, endMs: 6900 }], [{ startMs: 6400, endMs: 14100 }]])).toEqual([[{ startMs: 1100, endMs: 6650 }], [{ startMs: 6650, endMs: 14100 }]]);
    expect(separateCars([[{ startMs: 0, endMs: 5000 }], [{ startMs: 6000, endMs: 9000 }]])).toEqual([[{ startMs: 0, endMs: 5000 }], [{ startMs: 6000, endMs: 9000 }]]);
  });
});
