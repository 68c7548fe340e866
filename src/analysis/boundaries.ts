/**
 * Sharpens segment edges (pure). The coarse pass sees a frame every keyframe interval, so an edge is
 * only known to lie between two samples; where the samples there were unclear (a missed detection, a
 * glimpse too short to be a car), the edge can be off by more. These functions say which stretch to
 * decode densely and where the edge lies in the dense frames.
 */
import { appearanceDistance, meanAppearance, type Appearance } from './appearance.js';
import { isMostlyOutOfFrame, typicalWholeArea, type Observation, type TimeRange } from './observation.js';
import type { CarGroup } from './segmentation.js';

export interface EdgeWindow {
  car: number;
  segment: number;
  edge: 'start' | 'end';
  /** Decode this stretch (exclusive of the car's own outermost sample). */
  fromMs: number;
  toMs: number;
  /** What the car looks like near this edge. */
  reference: Appearance;
  /** What the car on the other side of the window looks like, when there is one. */
  neighbour: Appearance | null;
  /** Typical area share of the car when whole, to tell a car half out of frame. */
  typicalArea: number;
  /** How far the coarse edge may be from the true one, given the samples around it. */
  uncertaintyMs: number;
}

/** Samples used for an edge's reference appearance. */
const EDGE_REFERENCE_SAMPLES = 4;

/** Mean appearance of the samples nearest one end of a run, preferring whole (not cut-off) views. */
function edgeAppearance(observations: readonly Observation[], members: readonly number[], end: 'start' | 'end'): Appearance {
  const whole = members.filter((m) => !observations[m].car!.touchesSide);
  const pool = whole.length > 0 ? whole : [...members];
  const near = end === 'start' ? pool.slice(0, EDGE_REFERENCE_SAMPLES) : pool.slice(-EDGE_REFERENCE_SAMPLES);
  return meanAppearance(near.map((m) => observations[m].car!.appearance));
}

/**
 * One window per segment edge: from the car's outermost sample to the nearest sample that belongs to
 * another car, or to the video's end, at most `maxWindowMs` long. Samples in between that belong to
 * no car (nothing seen, an odd frame, a dropped glimpse) are exactly where the edge is uncertain.
 */
export function edgeWindows(observations: readonly Observation[], cars: readonly CarGroup[], durationMs: number, maxWindowMs: number): EdgeWindow[] {
  const owner = new Map<number, number>();
  cars.forEach((car, c) => car.members.forEach((m) => owner.set(m, c)));
  const windows: EdgeWindow[] = [];
  cars.forEach((car, c) => {
    const typicalArea = typicalWholeArea(car.members.map((m) => observations[m].car!));
    car.tracklets.forEach((tracklet, s) => {
      const first = tracklet.members[0];
      const last = tracklet.members[tracklet.members.length - 1];
      let before = first - 1;
      while (before >= 0 && !owner.has(before) && observations[first].timestampMs - observations[before].timestampMs < maxWindowMs) before--;
      let after = last + 1;
      while (after < observations.length && !owner.has(after) && observations[after].timestampMs - observations[last].timestampMs < maxWindowMs) after++;
      const startFrom = before >= 0 ? observations[before].timestampMs : 0;
      const endTo = after < observations.length ? observations[after].timestampMs : durationMs;
      const firstMs = observations[first].timestampMs;
      const lastMs = observations[last].timestampMs;
      // How far the coarse edge may be from the true one. A neighbouring sample showing nothing, or
      // another car, pins the edge between it and the car's sample; an unclear one (a glimpse, an odd
      // frame, a car half out of frame) or the video's end leaves the whole window open.
      const clear = (i: number) => i >= 0 && i < observations.length && (observations[i].car === null || owner.has(i));
      const { startMs, endMs } = tracklet.range;
      const startUncertainty = clear(first - 1)
        ? (firstMs - observations[first - 1].timestampMs) / 2
        : Math.max(startMs - startFrom, firstMs - startMs);
      const endUncertainty = clear(last + 1) ? (observations[last + 1].timestampMs - lastMs) / 2 : Math.max(endMs - lastMs, endTo - endMs);
      const nearBefore = before >= 0 && owner.has(before) ? edgeAppearance(observations, cars[owner.get(before)!].members.filter((m) => m <= before), 'end') : null;
      const nearAfter = after < observations.length && owner.has(after) ? edgeAppearance(observations, cars[owner.get(after)!].members.filter((m) => m >= after), 'start') : null;
      if (firstMs > startFrom) {
        windows.push({
          car: c, segment: s, edge: 'start', fromMs: Math.max(startFrom, firstMs - maxWindowMs), toMs: firstMs,
          reference: edgeAppearance(observations, tracklet.members, 'start'), neighbour: nearBefore, typicalArea, uncertaintyMs: startUncertainty,
        });
      }
      if (endTo > lastMs) {
        windows.push({
          car: c, segment: s, edge: 'end', fromMs: lastMs, toMs: Math.min(endTo, lastMs + maxWindowMs),
          reference: edgeAppearance(observations, tracklet.members, 'end'), neighbour: nearAfter, typicalArea, uncertaintyMs: endUncertainty,
        });
      }
    });
  });
  return windows;
}

/** Whether a dense frame shows the car of this window, at least about half of it in frame. */
export function showsCar(observation: Observation, window: EdgeWindow, splitDistance: number): boolean {
  const s = observation.car;
  if (!s) return false;
  const distance = appearanceDistance(s.appearance, window.reference);
  if (distance > splitDistance) return false;
  // The neighbouring car leaving or arriving is in the same window: it must not pass for this one.
  if (window.neighbour && appearanceDistance(s.appearance, window.neighbour) <= distance) return false;
  return !isMostlyOutOfFrame(s, window.typicalArea);
}

/**
 * The edge inside the window from its dense frames (time-ordered): half-way between the outermost
 * frame that shows the car and its neighbour outward. Missed detections between the car's frames do
 * not stop the search; when no frame shows the car, the edge stays at the window's inner end.
 */
export function refineEdge(window: EdgeWindow, dense: readonly Observation[], splitDistance: number): number {
  const inside = dense.filter((o) => o.timestampMs > window.fromMs && o.timestampMs < window.toMs);
  if (window.edge === 'start') {
    const k = inside.findIndex((o) => showsCar(o, window, splitDistance));
    if (k < 0) return Math.round((window.toMs + (inside.at(-1)?.timestampMs ?? window.fromMs)) / 2);
    const outward = k > 0 ? inside[k - 1].timestampMs : window.fromMs;
    return Math.round((outward + inside[k].timestampMs) / 2);
  }
  let k = -1;
  for (let i = inside.length - 1; i >= 0; i--) {
    if (showsCar(inside[i], window, splitDistance)) {
      k = i;
      break;
    }
  }
  if (k < 0) return Math.round((window.fromMs + (inside[0]?.timestampMs ?? window.toMs)) / 2);
  const outward = k < inside.length - 1 ? inside[k + 1].timestampMs : window.toMs;
  return Math.round((inside[k].timestampMs + outward) / 2);
}

/** The car's segments with refined edges; a segment never shrinks below 1 ms. */
export function applyEdges(segments: readonly TimeRange[], edges: readonly { segment: number; edge: 'start' | 'end'; timeMs: number }[]): TimeRange[] {
  return segments.map((range, s) => {
    const start = edges.find((e) => e.segment === s && e.edge === 'start')?.timeMs ?? range.startMs;
    const end = edges.find((e) => e.segment === s && e.edge === 'end')?.timeMs ?? range.endMs;
    return { startMs: start, endMs: Math.max(end, start + 1) };
  });
}

/**
 * Cars' segments with no time shared between two cars: refined edges can reach past each other (each
 * edge placed from its own car's side); where they do, the overlap is cut in the middle. A car is
 * filmed one at a time, so a moment belongs to one car at most.
 */
export function separateCars(cars: readonly (readonly TimeRange[])[]): TimeRange[][] {
  const out = cars.map((segments) => segments.map((s) => ({ ...s })));
  for (let a = 0; a < out.length; a++) {
    for (let b = a + 1; b < out.length; b++) {
      for (const x of out[a]) {
        for (const y of out[b]) {
          const from = Math.max(x.startMs, y.startMs);
          const to = Math.min(x.endMs, y.endMs);
          if (to <= from) continue;
          const middle = Math.round((from + to) / 2);
          // The segment that starts first keeps the first half.
          const [early, late] = x.startMs <= y.startMs ? [x, y] : [y, x];
          early.endMs = Math.min(early.endMs, Math.max(early.startMs + 1, middle));
          late.startMs = Math.max(late.startMs, Math.min(late.endMs - 1, middle));
        }
      }
    }
  }
  return out;
}
