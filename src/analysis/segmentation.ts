/**
 * Splits a walkaround into cars (pure). Continuity first, appearance second: a car is a track, the
 * dominant car's box moving as a walking camera can move it. A new car needs evidence that the camera
 * left the car: a gap with no dominant car, a jump of the box that continuity cannot explain, or a
 * sustained change of appearance that a denser look confirms (see change-check.ts). A gradual change
 * of view never splits a car; a car filmed again later is recognised by its nearest views and merged
 * with its earlier segments.
 */
import { appearanceDistance, meanAppearance, type Appearance } from './appearance.js';
import { continuesTrack, type ContinuitySettings } from './continuity.js';
import { isMostlyOutOfFrame, typicalWholeArea, type Observation, type TimeRange } from './observation.js';
import { Prototypes, type PrototypeSettings } from './prototypes.js';

export interface SegmentationSettings extends ContinuitySettings, PrototypeSettings {
  splitDistance: number;
  mergeDistance: number;
  maxGapMs: number;
  minSegmentMs: number;
  /** A stretch without a whole car at most this long, between two sightings of the same car, is its close-ups. */
  closeUpMaxMs: number;
}

/** Why a piece of track began: the video's start, a gap with no car, a jump of the box, a change of look. */
export type BreakKind = 'start' | 'gap' | 'jump' | 'change';

/** A run of sightings the tracker could follow without a break. */
export interface Piece {
  members: number[];
  breakBefore: BreakKind;
}

/** A stretch of consecutive sightings of one car. */
export interface Tracklet {
  /** Indices into the observations, in time order. */
  members: number[];
  range: TimeRange;
  /** What ended the car before this stretch (the evidence for its start edge). */
  startEvidence: BreakKind;
  /** Frames without a whole car inside this stretch, bracketed by it: close-ups of this car. */
  closeUps: number[];
  /** Changes of look inside the stretch that a denser look showed to be gradual (a view turning). */
  viewChanges: number;
}

export interface CarGroup {
  tracklets: Tracklet[];
  segments: TimeRange[];
  members: number[];
  /** Close-up frames (no whole car) that belong to this car, in time order. */
  closeUps: number[];
}

/** How many recent sightings form the reference a new sighting is compared with while tracking. */
const REFERENCE_WINDOW = 4;

/**
 * Pieces of track. A sighting continues the current piece when its box continues the track and it
 * looks like the car's recent sightings (the reference follows the view as it turns; a faster change
 * of look is left to the dense look, see change-check.ts). One sighting whose box jumps away (the
 * neighbour glimpsed) is skipped: it belongs to no car; one that continues the box but looks odd
 * (glare, a passer-by in front) stays the car's. A change needs two sightings in a row that agree.
 */
export function findPieces(observations: readonly Observation[], settings: SegmentationSettings): Piece[] {
  const pieces: Piece[] = [];
  let current: Piece | null = null;
  let reference: Appearance = { colour: new Float32Array(0) };
  // The sightings that look like the car: an odd-looking one (glare, someone in front) joins the car but not its reference.
  let lookalikes: number[] = [];
  let last = -1;
  const updateReference = () => {
    reference = meanAppearance(lookalikes.slice(-REFERENCE_WINDOW).map((m) => observations[m].car!.appearance));
  };
  // Last time the current car, or an odd frame inside it, was in view: gaps are measured from here.
  let lastSeenMs = -Infinity;
  let pendingBreak: BreakKind = 'start';
  const start = (i: number, breakBefore: BreakKind) => {
    current = { members: [i], breakBefore };
    pieces.push(current);
    lookalikes = [i];
    updateReference();
    last = i;
    lastSeenMs = observations[i].timestampMs;
  };
  const add = (i: number, looksLikeCar = true) => {
    current!.members.push(i);
    if (looksLikeCar) {
      lookalikes.push(i);
      updateReference();
    }
    last = i;
    lastSeenMs = observations[i].timestampMs;
  };
  const nextSighting = (i: number) => {
    let k = i + 1;
    while (k < observations.length && observations[k].car === null) k++;
    return k < observations.length && observations[k].timestampMs - observations[i].timestampMs <= settings.maxGapMs ? k : -1;
  };
  const continues = (from: number, to: number) =>
    continuesTrack(observations[from].car!, observations[to].car!, observations[to].timestampMs - observations[from].timestampMs, settings);
  for (let i = 0; i < observations.length; i++) {
    const sighting = observations[i].car;
    const t = observations[i].timestampMs;
    if (current && t - lastSeenMs > settings.maxGapMs) {
      current = null;
      pendingBreak = 'gap';
    }
    if (!sighting) continue;
    if (!current) {
      start(i, pieces.length === 0 ? 'start' : pendingBreak);
      continue;
    }
    const k = nextSighting(i);
    const likeCar = (j: number) => appearanceDistance(observations[j].car!.appearance, reference) <= settings.splitDistance;
    if (!continues(last, i)) {
      // The box jumped. If the next sighting continues the car, this one was a glimpse of something else.
      if (k >= 0 && continues(last, k) && likeCar(k)) lastSeenMs = t;
      else start(i, 'jump');
      continue;
    }
    if (likeCar(i)) {
      add(i);
      continue;
    }
    // Unlike the car's recent look: the next sighting decides. Like this one and unlike the car: a
    // change (to be confirmed). Like both: the same car, its look drifting as the view turns. Like the
    // car only: an odd look (glare, someone in front) of a box that continues the track: still the car.
    const next = k >= 0 ? observations[k].car! : null;
    const nextLikeThis = next !== null && appearanceDistance(next.appearance, sighting.appearance) <= settings.splitDistance;
    const nextLikeCar = k >= 0 && likeCar(k);
    if (next === null || (nextLikeThis && !nextLikeCar)) start(i, 'change');
    else if (nextLikeThis) add(i);
    else add(i, false);
  }
  return pieces;
}

/** Pieces in one run: joined where a change of look was shown to be gradual or a gap was close-ups. */
interface Run {
  members: number[];
  startEvidence: BreakKind;
  closeUps: number[];
  viewChanges: number;
}

/**
 * Whether the stretch between two pieces is close-ups of one car (a VIN card, a door-jamb label):
 * short, no car at all in it, the car not leaving or arriving by the frame's side (which is walking
 * on), and the car after it looking like one of the car's views before it.
 */
export function isCloseUpGap(observations: readonly Observation[], before: Piece, after: Piece, settings: SegmentationSettings): boolean {
  const last = before.members[before.members.length - 1];
  const first = after.members[0];
  if (observations[first].timestampMs - observations[last].timestampMs > settings.closeUpMaxMs) return false;
  const edgeSamples = [...before.members.slice(-2), ...after.members.slice(0, 2)];
  if (edgeSamples.some((m) => observations[m].car!.touchesSide)) return false;
  for (let k = last + 1; k < first; k++) if (observations[k].car) return false;
  const prototypes = Prototypes.of(before.members.map((m) => observations[m].car!.appearance), settings);
  const returning = after.members.slice(0, 3).map((m) => prototypes.distance(observations[m].car!.appearance));
  return returning.reduce((a, b) => a + b, 0) / returning.length <= settings.splitDistance;
}

/** What the dense look decided, by piece index (see findPieces and change-check.ts). */
export interface DenseDecisions {
  /** Pieces whose change of look was gradual: they continue the piece before them. */
  sameCar: ReadonlySet<number>;
  /** Pieces after a gap the dense look showed to be close-ups (the car never left by the side). */
  closeUpGaps: ReadonlySet<number>;
}

export const NO_DENSE_LOOK: DenseDecisions = { sameCar: new Set(), closeUpGaps: new Set() };

/** Joins pieces into runs where the dense look showed a gradual change of look or a gap of close-ups. */
export function joinPieces(observations: readonly Observation[], pieces: readonly Piece[], decisions: DenseDecisions, settings: SegmentationSettings): Run[] {
  const runs: Run[] = [];
  pieces.forEach((piece, p) => {
    const run = runs.at(-1);
    if (run && piece.breakBefore === 'change' && decisions.sameCar.has(p)) {
      run.members.push(...piece.members);
      run.viewChanges++;
      return;
    }
    if (run && piece.breakBefore === 'gap' && decisions.closeUpGaps.has(p) && isCloseUpGap(observations, pieces[p - 1], piece, settings)) {
      const gapFrom = run.members[run.members.length - 1] + 1;
      for (let k = gapFrom; k < piece.members[0]; k++) if (!observations[k].car) run.closeUps.push(k);
      run.members.push(...piece.members);
      return;
    }
    runs.push({ members: [...piece.members], startEvidence: piece.breakBefore, closeUps: [], viewChanges: 0 });
  });
  return runs;
}

/** Runs of sightings with every unconfirmed change taken as a new car (what the coarse pass alone says). */
export function findTracklets(observations: readonly Observation[], settings: SegmentationSettings): number[][] {
  return joinPieces(observations, findPieces(observations, settings), NO_DENSE_LOOK, settings).map((r) => r.members);
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
      return { tracklets: sorted, segments: sorted.map((t) => t.range), members: sorted.flatMap((t) => t.members), closeUps: sorted.flatMap((t) => t.closeUps) };
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

/**
 * Per-car groups of sightings with their time segments, in order of first appearance, given what the
 * dense look decided (without it, every change of look is a new car and every gap ends a stretch).
 */
export function splitIntoCars(observations: readonly Observation[], settings: SegmentationSettings, decisions: DenseDecisions = NO_DENSE_LOOK): CarGroup[] {
  const tracklets = joinPieces(observations, findPieces(observations, settings), decisions, settings)
    .map((run) => ({ ...run, members: trimPartialEnds(observations, run.members) }))
    .filter((run) => run.members.length > 0)
    .map((run) => {
      const range = trackletRange(observations, run.members);
      const closeUps = run.closeUps.filter((k) => k > run.members[0] && k < run.members[run.members.length - 1]);
      return { members: run.members, range, startEvidence: run.startEvidence, closeUps, viewChanges: run.viewChanges };
    })
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
