/** Continuity-first segmentation: tracks, prototypes, close-up gaps and the dense look at changes of look. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import { changeChecks, gapChecks, judgeChange, judgeGap } from '../../../src/analysis/change-check.js';
import { boxMotion, continuesTrack } from '../../../src/analysis/continuity.js';
import type { Observation } from '../../../src/analysis/observation.js';
import { Prototypes } from '../../../src/analysis/prototypes.js';
import { findPieces, splitIntoCars } from '../../../src/analysis/segmentation.js';
import { blendOf, histogramOf, script, shifted, sighting } from './fakes.js';

const settings = DEFAULT_SETTINGS.segmentation;

/** Observations every `stepMs` with the given colour histograms (null: no car). */
function looks(colours: (Float32Array | null)[], stepMs = 1000): Observation[] {
  return colours.map((colour, i) => ({ timestampMs: i * stepMs, car: colour ? { ...sighting(0), appearance: { colour } } : null }));
}

describe('continuesTrack', () => {
  const base = sighting(2);
  it.each([
    ['the same box', 0, 1000, true],
    ['half a width in one second (walking round)', 200, 1000, true],
    ['two widths in one second (another car across the frame)', 800, 1000, false],
    ['half a width in a sixth of a second (a cut)', 200, 166, false],
  ])('%s', (_, dx, dt, expected) => {
    expect(continuesTrack(base, shifted(base, dx), dt, settings)).toBe(expected);
  });

  it('is broken by a car cut by the frame side at under half the size of its neighbour in time (walking past)', () => {
    const sliding = { ...shifted(base, -100), touchesSide: true, areaFraction: 0.1 };
    expect(continuesTrack(base, sliding, 1000, settings)).toBe(false);
    expect(continuesTrack(sliding, base, 1000, settings)).toBe(false);
    expect(continuesTrack(base, { ...sliding, areaFraction: 0.25 }, 1000, settings)).toBe(true);
  });

  it('bounds the change of size', () => {
    const small = { ...base, box: { x1: 250, y1: 175, x2: 350, y2: 225 } };
    expect(boxMotion(base.box, small.box).scale).toBeCloseTo(16);
    expect(continuesTrack(base, small, 1000, settings)).toBe(false);
    expect(continuesTrack(base, small, 3000, settings)).toBe(true);
  });
});

describe('Prototypes', () => {
  it('opens a prototype per view and finds the nearest', () => {
    const p = new Prototypes(settings);
    p.add({ colour: histogramOf(2) });
    p.add({ colour: histogramOf(8) });
    expect(p.items).toHaveLength(2);
    expect(p.distance({ colour: histogramOf(8) })).toBe(0);
    expect(p.distance({ colour: histogramOf(14) })).toBeCloseTo(1);
  });
});

describe('findPieces: continuity first', () => {
  it('never splits a gradual change of view, even from one paint to another (a two-tone car)', () => {
    const obs = looks(Array.from({ length: 15 }, (_, i) => blendOf(2, 8, i / 14)));
    expect(findPieces(obs, settings)).toHaveLength(1);
    expect(splitIntoCars(obs, settings)).toHaveLength(1);
  });

  it('calls a box jump a new piece even when the look stays', () => {
    const obs = script('11111111');
    for (let i = 4; i < 8; i++) obs[i].car = shifted(obs[i].car!, 900);
    expect(findPieces(obs, settings).map((p) => p.breakBefore)).toEqual(['start', 'jump']);
  });

  it('skips one sighting whose box jumps away and back (the neighbour glimpsed)', () => {
    const obs = script('11111111');
    obs[4].car = shifted(obs[4].car!, 900);
    const pieces = findPieces(obs, settings);
    expect(pieces).toHaveLength(1);
    expect(pieces[0].members).not.toContain(4);
  });

  it('keeps an odd-looking sighting whose box continues the track in the car (glare, someone in front)', () => {
    const pieces = findPieces(script('11111x11111'), settings);
    expect(pieces).toHaveLength(1);
    expect(pieces[0].members).toContain(5);
  });

  it('asks for a dense look where a continuous track changes look abruptly, and splits only when it confirms', () => {
    const obs = script('1111122222');
    const pieces = findPieces(obs, settings);
    expect(pieces.map((p) => p.breakBefore)).toEqual(['start', 'change']);
    expect(changeChecks(obs, pieces)).toEqual([{ piece: 1, before: 4, after: 5, fromMs: 4000, toMs: 5000 }]);
    expect(splitIntoCars(obs, settings)).toHaveLength(2);
    const confirmedSame = splitIntoCars(obs, settings, { sameCar: new Set([1]), closeUpGaps: new Set() });
    expect(confirmedSame).toHaveLength(1);
    expect(confirmedSame[0].tracklets[0].viewChanges).toBe(1);
  });

  it('merges a revisit filmed from the same side into the first car', () => {
    const obs = script('111111...222222...111111');
    obs[5].car!.touchesSide = true;
    obs[14].car!.touchesSide = true;
    obs[18].car!.touchesSide = true;
    expect(splitIntoCars(obs, settings)).toHaveLength(2);
  });
});

describe('close-ups between two views of the same car', () => {
  const closeUpSeen = { sameCar: new Set<number>(), closeUpGaps: new Set([1]) };

  it('attaches a stretch with no car, bracketed by the same car, to that car instead of splitting it', () => {
    const obs = script('11111...11111');
    expect(gapChecks(obs, findPieces(obs, settings), settings)).toEqual([{ piece: 1, before: 4, after: 8, fromMs: 4000, toMs: 8000 }]);
    const cars = splitIntoCars(obs, settings, closeUpSeen);
    expect(cars).toHaveLength(1);
    expect(cars[0].segments).toEqual([{ startMs: 0, endMs: 12_000 }]);
    expect(cars[0].closeUps).toEqual([5, 6, 7]);
  });

  it('is not a close-up when the car left by the frame side (walking on) or another car comes back', () => {
    const walked = script('11111...11111');
    walked[4].car!.touchesSide = true;
    expect(splitIntoCars(walked, settings, closeUpSeen)[0].closeUps).toEqual([]);
    const other = splitIntoCars(script('11111...22222'), settings, closeUpSeen);
    expect(other).toHaveLength(2);
    expect(other.flatMap((c) => c.closeUps)).toEqual([]);
  });

  it('is not a close-up when the stretch is longer than a close-up lasts', () => {
    const cars = splitIntoCars(script(`11111${'.'.repeat(25)}11111`), settings, closeUpSeen);
    expect(cars[0].closeUps).toEqual([]);
    expect(cars[0].tracklets).toHaveLength(2);
  });
});

describe('judgeGap', () => {
  const check = { piece: 1, before: 4, after: 8, fromMs: 4000, toMs: 8000 };
  it('sees close-ups when no dense frame shows the car at the frame side, a walk when one does', () => {
    const frames = script('1....', 1000).map((o, k) => ({ ...o, timestampMs: 4500 + k * 500 }));
    expect(judgeGap(check, frames)).toBe(true);
    frames[0].car!.touchesSide = true;
    expect(judgeGap(check, frames)).toBe(false);
  });

  it('leaves a gap to a walk when the dense look was not taken', () => {
    const obs = script('11111...11111');
    expect(splitIntoCars(obs, settings)[0].tracklets).toHaveLength(2);
  });
});

describe('judgeChange', () => {
  const coarse = looks([blendOf(2, 8, 0.1), blendOf(2, 8, 0.9)]);
  const check = { piece: 1, before: 0, after: 1, fromMs: 0, toMs: 1000 };
  const dense = (colours: (Float32Array | null)[], dx = 0): Observation[] =>
    colours.map((colour, k) => ({ timestampMs: (k + 1) * 166, car: colour ? shifted({ ...sighting(0), appearance: { colour } }, k === 2 ? dx : 0) : null }));

  it.each([
    ['a view turning: each frame near the one before', dense([0.25, 0.375, 0.5, 0.625, 0.75].map((w) => blendOf(2, 8, w))), false, 'gradual'],
    ['a cut: one abrupt step', dense([histogramOf(2), histogramOf(2), histogramOf(8), histogramOf(8), histogramOf(8)]), true, 'abrupt'],
    ['the camera left the car: frames with none', dense([histogramOf(2), null, null, histogramOf(8), histogramOf(8)]), true, 'gap'],
    ['a jump of the box', dense([0.2, 0.35, 0.5, 0.65, 0.8].map((w) => blendOf(2, 8, w)), 900), true, 'jump'],
    ['nothing decoded in between', [], true, 'unseen'],
  ])('%s', (_, frames, newCar, reason) => {
    expect(judgeChange(check, coarse, frames, settings)).toMatchObject({ newCar, reason });
  });
});
