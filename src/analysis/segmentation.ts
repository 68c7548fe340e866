/**
 * Splits a walkaround into cars from appearance change over time (pure). A walkaround is one shot,
 * so cuts say nothing: a car ends where its appearance stops (the next car, or nothing), and a car
 * filmed again later is recognised by its appearance and merged with its earlier segments.
 */
import { appearanceDistance, meanAppearance, type Appearance } from './appearance.js';
import { isMostlyOutOfFrame, typicalWholeArea, type Observation, type TimeRange } from './observation.js';

export interface SegmentationSettings {
  splitDistance: number;
  mergeDistance: number;
  maxGapMs: number;
  minSegmentMs: number;
}

/** A stretch of consecutive sightings of one car. */
export interface Tracklet {
  /** Indices into the observations, in time order. */
  members: number[];
  range: TimeRange;
}

export interface CarGroup {
  tracklets: Tracklet[];
  segments: TimeRange[];
  members: number[];
}

/** How many recent sightings form the reference a new sighting is compared with. */
const REFERENCE_WINDOW = 4;

function reference(observations: readonly Observation[], members: number[]): Appearance {
  return meanAppearance(members.slice(-REFERENCE_WINDOW).map((i) => observations[i].car!.appearance));
}

/**
 * Consecutive sightings of the same-looking car. A change needs two sightings in a row that differ
 * from the current car and agree with each other: one odd frame (a passer-by, a glimpse of the car
 * behind) does not split a car and belongs to none.
 */
export function findTracklets(observations: readonly Observation[], settings: SegmentationSettings): number[][] {
  const runs: number[][] = [];
  let current: number[] = [];
  // Last time the current car, or an odd frame inside it, was in view: gaps are measured from here.
  let lastSeenMs = -Infinity;
  const close = () => {
    if (current.length > 0) runs.push(current);
    current = [];
  };
  const start = (i: number) => {
    close();
    current.push(i);
    lastSeenMs = observations[i].timestampMs;
  };
  for (let i = 0; i < observations.length; i++) {
    const sighting = observations[i].car;
    const t = observations[i].timestampMs;
    if (current.length > 0 && t - lastSeenMs > settings.maxGapMs) close();
    if (!sighting) continue;
    if (current.length === 0) {
      start(i);
      continue;
    }
    const ref = reference(observations, current);
    if (appearanceDistance(sighting.appearance, ref) <= settings.splitDistance) {
      current.push(i);
      lastSeenMs = t;
      continue;
    }
    // A sighting unlike the current car: the next sighting decides. Like this one and unlike the car:
    // a new car. Like both: the same car, its look drifting as the view turns. Like the car only: an odd
    // frame (a passer-by, a glimpse of the car behind), which belongs to no car.
    let k = i + 1;
    while (k < observations.length && observations[k].car === null) k++;
    const next = observations[k]?.car ?? null;
    const nextLikeThis = next !== null && appearanceDistance(next.appearance, sighting.appearance) <= settings.splitDistance;
    const nextLikeCar = next !== null && appearanceDistance(next.appearance, ref) <= settings.splitDistance;
    if (next === null || (nextLikeThis && !nextLikeCar)) start(i);
    else if (nextLikeThis) current.push(i);
    lastSeenMs = t;
  }
  close();
  return runs;
}

/**
 * The time range of a run of sightings. Its edges lie half-way to the neighbouring samples that are
 * not part of it, which is where the change happened to within half a sampling interval.
 */
export function trackletRange(observations: readonly Observation[], members: number[]): TimeRange {
  const first = members[0];
  const last = members[members.length - 1];
  const before = first > 0 ? observations[first - 1].timestampMs : observations[first].timestampMs;
  const after = last < observations.length - 1 ? observations[last + 1].timestampMs : observations[last].timestampMs;
  const startMs = Math.round((before + observations[first].timestampMs) / 2);
  const endMs = Math.round((observations[last].timestampMs + after) / 2);
  return { startMs, endMs: Math.max(endMs, startMs + 1) };
}

/**
 * Merges tracklets of the same car (a revisit, or a car briefly out of view), closest pair first.
 * The distance between two groups is the mean, over the smaller group, of each sighting's nearest
 * match in the other: views change as the dealer walks round, so comparing averages would call the
 * front and the back of one car different cars; nearest matches compare like with like. Each
 * sighting's nearest distance to each tracklet is computed once, so merging stays cheap.
 */
export function mergeTracklets(observations: readonly Observation[], tracklets: Tracklet[], mergeDistance: number): CarGroup[] {
  const appearance = (i: number) => observations[i].car!.appearance;
  // nearest[t][u][k]: distance from the k-th sighting of tracklet t to its nearest sighting in tracklet u.
  const nearest = tracklets.map((t) =>
    tracklets.map((u) => t.members.map((i) => Math.min(...u.members.map((j) => appearanceDistance(appearance(i), appearance(j)))))),
  );
  let groups: number[][] = tracklets.map((_, t) => [t]);
  const size = (g: number[]) => g.reduce((n, t) => n + tracklets[t].members.length, 0);
  const distance = (g: number[], h: number[]) => {
    const [from, to] = size(g) <= size(h) ? [g, h] : [h, g];
    let sum = 0;
    for (const t of from) for (let k = 0; k < tracklets[t].members.length; k++) sum += Math.min(...to.map((u) => nearest[t][u][k]));
    return sum / size(from);
  };
  for (;;) {
    let best: [number, number] | null = null;
    let bestDistance = mergeDistance;
    for (let a = 0; a < groups.length; a++) {
      for (let b = a + 1; b < groups.length; b++) {
        const d = distance(groups[a], groups[b]);
        if (d <= bestDistance) {
          bestDistance = d;
          best = [a, b];
        }
      }
    }
    if (!best) break;
    const [a, b] = best;
    groups = groups.filter((_, i) => i !== b).map((g, i) => (i === a ? [...g, ...groups[b]] : g));
  }
  return groups
    .map((g) => {
      const sorted = g.map((t) => tracklets[t]).sort((x, y) => x.range.startMs - y.range.startMs);
      return { tracklets: sorted, segments: sorted.map((t) => t.range), members: sorted.flatMap((t) => t.members) };
    })
    .sort((x, y) => x.segments[0].startMs - y.segments[0].startMs);
}

/**
 * Drops sightings at either end of a run that show the car mostly out of frame (cut by the frame's
 * side and much smaller than the car usually is): the dealer is walking to it or away from it.
 */
export function trimPartialEnds(observations: readonly Observation[], members: number[]): number[] {
  const typical = typicalWholeArea(members.map((m) => observations[m].car!));
  const partial = (m: number) => isMostlyOutOfFrame(observations[m].car!, typical);
  let from = 0;
  let to = members.length;
  while (from < to && partial(members[from])) from++;
  while (to > from && partial(members[to - 1])) to--;
  return members.slice(from, to);
}

/** Per-car groups of sightings with their time segments, in order of first appearance. */
export function splitIntoCars(observations: readonly Observation[], settings: SegmentationSettings): CarGroup[] {
  const tracklets = findTracklets(observations, settings)
    .map((members) => trimPartialEnds(observations, members))
    .filter((members) => members.length > 0)
    .map((members) => ({ members, range: trackletRange(observations, members) }))
    .filter((t) => t.range.endMs - t.range.startMs >= settings.minSegmentMs);
  return mergeTracklets(observations, tracklets, settings.mergeDistance);
}

/** Sorted ranges with overlapping ones, or ones at most `gapMs` apart, joined. */
export function mergeTouching(ranges: readonly TimeRange[], gapMs = 0): TimeRange[] {
  const merged: TimeRange[] = [];
  for (const r of [...ranges].sort((a, b) => a.startMs - b.startMs)) {
    const last = merged.at(-1);
    if (last && r.startMs <= last.endMs + gapMs) last.endMs = Math.max(last.endMs, r.endMs);
    else merged.push({ ...r });
  }
  return merged;
}
