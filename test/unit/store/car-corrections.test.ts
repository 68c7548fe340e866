import { describe, expect, it } from 'vitest';
import { isLotreelError } from '../../../src/core/errors.js';
import { mergedPhotoOrder, mergedSegments, planSplit, renumberedWarnings, type TimedPhoto } from '../../../src/store/car-corrections.js';

const photo = (id: string, ordinal: number, timestampMs: number, isCover = false): TimedPhoto => ({ id, ordinal, timestampMs, isCover });

describe('mergedSegments', () => {
  it.each([
    ['apart', [[0, 10]], [[20, 30]], [[0, 10], [20, 30]]],
    ['touching', [[0, 10]], [[10, 30]], [[0, 30]]],
    ['overlapping, given out of order', [[15, 40]], [[0, 20], [50, 60]], [[0, 40], [50, 60]]],
    ['one inside the other', [[0, 100]], [[20, 30]], [[0, 100]]],
  ])('%s', (_name, a, b, expected) => {
    const spans = (list: number[][]) => list.map(([startMs, endMs]) => ({ startMs: startMs!, endMs: endMs! }));
    expect(mergedSegments(spans(a), spans(b))).toEqual(spans(expected));
  });
});

describe('mergedPhotoOrder', () => {
  it("keeps the survivor's photos first and its cover", () => {
    expect(mergedPhotoOrder([photo('b', 2, 5), photo('a', 1, 9, true)], [photo('c', 1, 1, true)])).toEqual({ orderedIds: ['a', 'b', 'c'], coverId: 'a' });
  });
  it("takes the other's cover when the survivor has no photo", () => {
    expect(mergedPhotoOrder([], [photo('c', 1, 1), photo('d', 2, 2, true)])).toEqual({ orderedIds: ['c', 'd'], coverId: 'd' });
    expect(mergedPhotoOrder([], [])).toEqual({ orderedIds: [], coverId: null });
  });
});

describe('planSplit', () => {
  const segments = [{ startMs: 1000, endMs: 5000 }, { startMs: 8000, endMs: 9000 }];
  const photos = [photo('p1', 1, 1000, true), photo('p2', 2, 4000), photo('close-up', 3, 6500), photo('p3', 4, 8500)];

  it('cuts the segment the moment falls in; photos go with the side of their moment, each side with a cover', () => {
    expect(planSplit(segments, photos, 3000)).toEqual({
      before: [{ startMs: 1000, endMs: 3000 }],
      after: [{ startMs: 3000, endMs: 5000 }, { startMs: 8000, endMs: 9000 }],
      keptIds: ['p1'],
      movedIds: ['p2', 'close-up', 'p3'],
      keptCoverId: 'p1',
      movedCoverId: 'p2',
    });
  });

  it('a moment in a gap between segments splits there (a close-up in the gap goes with its moment)', () => {
    const plan = planSplit(segments, photos, 7000);
    expect(plan.before).toEqual([segments[0]]);
    expect(plan.after).toEqual([segments[1]]);
    expect(plan.keptIds).toEqual(['p1', 'p2', 'close-up']);
  });

  it.each([0, 1000, 9000, 12_000])('refuses %i ms: one part would have no footage', (atMs) => {
    let code = '';
    try {
      planSplit(segments, photos, atMs);
    } catch (error) {
      if (isLotreelError(error)) code = `${error.code}: ${error.message}`;
    }
    expect(code).toMatch(/^SPLIT_OUTSIDE_CAR: the car is filmed from 1\.0 s to 9\.0 s/);
  });

  it('refuses a car without footage', () => {
    expect(() => planSplit([], [], 10)).toThrow(/no footage/);
  });
});

describe('renumberedWarnings', () => {
  it('renames the cars a warning names, and nothing else', () => {
    const merged = (n: number) => (n === 3 ? 2 : n > 3 ? n - 1 : n); // car 3 merged into car 2
    expect(renumberedWarnings(['possibly the same car as car 3', 'possibly the same car as car 5', 'possibly two cars'], merged)).toEqual([
      'possibly the same car as car 2',
      'possibly the same car as car 4',
      'possibly two cars',
    ]);
  });
});
