import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import { applyEdges, edgeWindows, refineEdge, type EdgeWindow } from '../../../src/analysis/boundaries.js';
import type { Observation } from '../../../src/analysis/observation.js';
import { mergeTouching, splitIntoCars } from '../../../src/analysis/segmentation.js';
import { histogramOf, script, sighting } from './fakes.js';

const settings = DEFAULT_SETTINGS.segmentation;

describe('edgeWindows', () => {
  it('opens a window at each edge, reaching across samples that belong to no car', () => {
    const obs = script('1111..x2222');
    const cars = splitIntoCars(obs, settings);
    const windows = edgeWindows(obs, cars, 11_000, 5000);
    const end1 = windows.find((w) => w.car === 0 && w.edge === 'end')!;
    const start2 = windows.find((w) => w.car === 1 && w.edge === 'start')!;
    expect([end1.fromMs, end1.toMs]).toEqual([3000, 7000]);
    expect([start2.fromMs, start2.toMs]).toEqual([3000, 7000]);
    expect(end1.neighbour).not.toBeNull();
    // An odd frame next to the second car leaves its start open back to the first car; the first
    // car's end is pinned by a blank sample; the second car may go on to the video's end.
    expect(start2.uncertaintyMs).toBe(3500);
    expect(end1.uncertaintyMs).toBe(500);
    expect(windows.find((w) => w.car === 1 && w.edge === 'end')!.uncertaintyMs).toBe(1000);
    // The first car starts at the first frame: nothing to refine there; the last runs to the video's end.
    expect(windows.find((w) => w.car === 0 && w.edge === 'start')).toBeUndefined();
    expect(windows.find((w) => w.car === 1 && w.edge === 'end')).toMatchObject({ fromMs: 10_000, toMs: 11_000 });
  });

  it('caps a window at the given length', () => {
    const obs = script('11..........22');
    const windows = edgeWindows(obs, splitIntoCars(obs, { ...settings, minSegmentMs: 500 }), 14_000, 2500);
    for (const w of windows) expect(w.toMs - w.fromMs).toBeLessThanOrEqual(2500);
  });
});

describe('refineEdge', () => {
  const car = sighting(2);
  const other = sighting(8);
  const window = (edge: 'start' | 'end'): EdgeWindow => ({
    car: 0, segment: 0, edge, fromMs: 1000, toMs: 2000,
    reference: { colour: histogramOf(2) }, neighbour: { colour: histogramOf(8) }, typicalArea: 0.3, uncertaintyMs: 500,
  });
  const dense = (pattern: string): Observation[] =>
    [...pattern].map((ch, i) => ({ timestampMs: 1000 + (i + 1) * 100, car: ch === 'c' ? car : ch === 'o' ? other : ch === 'h' ? { ...car, touchesSide: true, areaFraction: 0.05 } : null }));

  it('finds where the car starts, skipping a missed detection inside the car', () => {
    expect(refineEdge(window('start'), dense('oo..c.ccc'), 0.33)).toBe(1450);
  });

  it('finds where the car stops', () => {
    expect(refineEdge(window('end'), dense('cc.c..ooo'), 0.33)).toBe(1450);
  });

  it('does not count a car mostly out of frame, nor the neighbouring car', () => {
    expect(refineEdge(window('start'), dense('hhhhhhccc'), 0.33)).toBe(1650);
    expect(refineEdge(window('start'), dense('ooooooooo'), 0.33)).toBe(1950);
  });
});

describe('applyEdges and mergeTouching', () => {
  it('moves edges, and joins segments of one car that now overlap', () => {
    const moved = applyEdges([{ startMs: 0, endMs: 5000 }, { startMs: 8000, endMs: 12_000 }], [
      { segment: 0, edge: 'end', timeMs: 6500 },
      { segment: 1, edge: 'start', timeMs: 6400 },
    ]);
    expect(moved).toEqual([{ startMs: 0, endMs: 6500 }, { startMs: 6400, endMs: 12_000 }]);
    expect(mergeTouching(moved)).toEqual([{ startMs: 0, endMs: 12_000 }]);
    expect(mergeTouching([{ startMs: 0, endMs: 3500 }, { startMs: 4500, endMs: 9000 }], 1000)).toEqual([{ startMs: 0, endMs: 9000 }]);
    expect(mergeTouching([{ startMs: 0, endMs: 3500 }, { startMs: 4600, endMs: 9000 }], 1000)).toHaveLength(2);
  });
});
