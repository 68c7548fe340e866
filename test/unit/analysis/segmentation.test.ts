import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import { findTracklets, splitIntoCars, trackletRange } from '../../../src/analysis/segmentation.js';
import { script } from './fakes.js';

const settings = DEFAULT_SETTINGS.segmentation;
const ranges = (text: string, step = 1000) => splitIntoCars(script(text, step), settings).map((c) => c.segments.map((s) => [s.startMs, s.endMs]));

describe('splitIntoCars', () => {
  it('keeps one car filmed throughout as one segment', () => {
    expect(ranges('1111111111')).toEqual([[[0, 9000]]]);
  });

  it('splits a continuous take where the appearance changes, with no gap and no cut', () => {
    const cars = ranges('11111122222');
    expect(cars).toHaveLength(2);
    expect(cars[0]).toEqual([[0, 5500]]);
    expect(cars[1]).toEqual([[5500, 10000]]);
  });

  it('leaves walking between cars (no dominant car) to no car', () => {
    const cars = ranges('11111...22222');
    expect(cars).toEqual([[[0, 4500]], [[7500, 12000]]]);
  });

  it('merges a revisit into the car filmed earlier', () => {
    const cars = ranges('11111...22222...11111');
    expect(cars).toHaveLength(2);
    expect(cars[0]).toEqual([[0, 4500], [15500, 20000]]);
  });

  it('ignores a single odd frame instead of splitting the car', () => {
    expect(ranges('11111x11111')).toEqual([[[0, 10000]]]);
  });

  it('drops glimpses shorter than the minimum segment', () => {
    expect(ranges('1111111...2...3333333')).toHaveLength(2);
  });

  it('splits on a long gap the car left by the side, and merges the two parts back when they look alike', () => {
    const obs = script('1111......1111');
    obs[3].car!.touchesSide = true;
    const cars = splitIntoCars(obs, settings);
    expect(cars).toHaveLength(1);
    expect(cars[0].tracklets).toHaveLength(2);
    expect(cars[0].closeUps).toEqual([]);
  });

  it('returns no car for a video with none', () => {
    expect(ranges('........')).toEqual([]);
  });
});

describe('trackletRange', () => {
  it('puts edges half-way to the neighbouring samples', () => {
    const obs = script('..111..', 1000);
    expect(trackletRange(obs, [2, 3, 4])).toEqual({ startMs: 1500, endMs: 4500 });
  });

  it('starts at the first sample when the car is there from the start', () => {
    const obs = script('111..', 1000);
    expect(findTracklets(obs, settings)).toEqual([[0, 1, 2]]);
    expect(trackletRange(obs, [0, 1, 2])).toEqual({ startMs: 0, endMs: 2500 });
  });
});
