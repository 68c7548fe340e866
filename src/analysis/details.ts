/**
 * Interior, engine-bay and other detail shots (pure): frames with no whole car in view that CLIP calls
 * a detail view belong to the car being filmed around them, never to a new car and never to nobody.
 * The dealer walks round a car, opens it and films inside, then walks on: a detail stretch belongs to
 * the car filmed just before it; when nothing was filmed before (the video opens inside a car), to the
 * car filmed just after.
 */
import type { Observation, TimeRange } from './observation.js';
import type { CarGroup } from './segmentation.js';

export interface DetailSettings {
  /** A detail shot further than this from any sighting of a car is left out (someone else's car, a break). */
  detailAttachMs: number;
}

/** Per car (same order as `groups`), the indices of the detail observations that belong to it, in time order. */
export function attachDetailShots(observations: readonly Observation[], groups: readonly CarGroup[], settings: DetailSettings): number[][] {
  // Which car each sighting belongs to.
  const owner = new Map<number, number>();
  groups.forEach((g, c) => g.members.forEach((m) => owner.set(m, c)));
  const out: number[][] = groups.map(() => []);
  for (let i = 0; i < observations.length; i++) {
    const o = observations[i];
    if (o.car || !o.detail) continue;
    const before = nearestOwned(observations, owner, i, -1);
    const after = nearestOwned(observations, owner, i, +1);
    const near = (k: number | undefined) => k !== undefined && Math.abs(observations[k].timestampMs - o.timestampMs) <= settings.detailAttachMs;
    const pick = near(before) ? before : near(after) ? after : undefined;
    if (pick !== undefined) out[owner.get(pick)!].push(i);
  }
  return out;
}

function nearestOwned(observations: readonly Observation[], owner: ReadonlyMap<number, number>, from: number, step: -1 | 1): number | undefined {
  for (let k = from + step; k >= 0 && k < observations.length; k += step) if (owner.has(k)) return k;
  return undefined;
}

/**
 * Time ranges of runs of consecutive detail shots (a run breaks where other frames come between), each
 * widened half-way to its neighbouring samples, like a tracklet's range.
 */
export function detailRanges(observations: readonly Observation[], indices: readonly number[]): TimeRange[] {
  const ranges: TimeRange[] = [];
  let start = 0;
  for (let k = 1; k <= indices.length; k++) {
    if (k < indices.length && indices[k] === indices[k - 1] + 1) continue;
    const first = indices[start];
    const last = indices[k - 1];
    const before = first > 0 ? observations[first - 1].timestampMs : observations[first].timestampMs;
    const after = last < observations.length - 1 ? observations[last + 1].timestampMs : observations[last].timestampMs;
    const startMs = Math.round((before + observations[first].timestampMs) / 2);
    ranges.push({ startMs, endMs: Math.max(startMs + 1, Math.round((observations[last].timestampMs + after) / 2)) });
    start = k;
  }
  return ranges;
}

/**
 * The sharpest close-ups of a car (a VIN card, a label), at most `count`, at least `minGapMs` apart so
 * they are not the same shot twice, in time order. Frames less than half as sharp as the sharpest, or
 * below `minSharpness` (the car's own sharp frames give it: a motion-blurred frame in which the detector
 * lost the car looks like a close-up too), are left out: a close-up is worth a photo only when it can be read.
 */
export function chooseCloseUps(observations: readonly Observation[], indices: readonly number[], count: number, minGapMs: number, minSharpness = 0): number[] {
  const sharpness = (k: number) => observations[k].closeUp?.quality.laplacianVariance ?? 0;
  const sharpest = Math.max(0, ...indices.map(sharpness));
  const taken: number[] = [];
  const sharpEnough = (k: number) => sharpness(k) > 0 && sharpness(k) >= sharpest / 2 && sharpness(k) >= minSharpness;
  for (const k of [...indices].filter(sharpEnough).sort((a, b) => sharpness(b) - sharpness(a))) {
    if (taken.length >= count) break;
    if (taken.every((j) => Math.abs(observations[j].timestampMs - observations[k].timestampMs) >= minGapMs)) taken.push(k);
  }
  return taken.sort((a, b) => a - b);
}
