import { describe, expect, it } from 'vitest';
import { attachDetailShots, detailRanges } from '../../../src/analysis/details.js';
import type { Observation } from '../../../src/analysis/observation.js';
import type { CarGroup } from '../../../src/analysis/segmentation.js';
import { sighting } from './fakes.js';

/**
 * A script a second per character: a digit is car N in view, 'd' a detail shot (interior, engine...),
 * '.' nothing. Cars are grouped by digit.
 */
function scene(text: string): { observations: Observation[]; groups: CarGroup[] } {
  const observations: Observation[] = [...text].map((ch, i) => ({
    timestampMs: i * 1000,
    car: /\d/.test(ch) ? sighting(Number(ch)) : null,
    detail: ch === 'd' ? sighting(0, { areaFraction: 1 }) : undefined,
    view: ch === 'd' ? { view: 'dashboard', confidence: 0.9 } : undefined,
  }));
  const digits = [...new Set([...text].filter((c) => /\d/.test(c)))];
  const groups = digits.map((d) => {
    const members = [...text].flatMap((c, i) => (c === d ? [i] : []));
    return { tracklets: [], segments: [{ startMs: members[0] * 1000, endMs: members.at(-1)! * 1000 + 1 }], members, closeUps: [] };
  });
  return { observations, groups };
}

const settings = { detailAttachMs: 10_000 };

describe('attachDetailShots', () => {
  it.each([
    ['interior between two views of the same car', '111ddd111', [[3, 4, 5]]],
    ['interior after a car, before the next one: the car filmed before', '111dd222', [[3, 4], []]],
    ['a video that opens inside a car: the car filmed after', 'dd111222', [[0, 1], []]],
    ['a gap without anything between car and interior is still that car', '11..dd..22', [[4, 5], []]],
    ['too far from any car: nobody', `1${'.'.repeat(12)}dd`, [[]]],
    ['no detail shots: nothing attached', '1112222', [[], []]],
  ])('%s', (_name, text, expected) => {
    const { observations, groups } = scene(text as string);
    expect(attachDetailShots(observations, groups, settings)).toEqual(expected);
  });

  it('never makes a detail shot a car of its own, and never leaves one near a car unattached', () => {
    const { observations, groups } = scene('1dd1.dd22d2');
    const attached = attachDetailShots(observations, groups, settings);
    expect(attached).toHaveLength(groups.length);
    expect(attached.flat().sort((a, b) => a - b)).toEqual([1, 2, 5, 6, 9]);
  });
});

describe('detailRanges', () => {
  it('gives one range per run of consecutive detail shots, widened half-way to the neighbours', () => {
    const { observations } = scene('11ddd1d');
    expect(detailRanges(observations, [2, 3, 4, 6])).toEqual([
      { startMs: 1500, endMs: 4500 },
      { startMs: 5500, endMs: 6000 },
    ]);
    expect(detailRanges(observations, [])).toEqual([]);
  });
});
