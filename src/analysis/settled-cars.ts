/**
 * Which cars of a video still being analysed are settled (pure): the camera has left them for good,
 * as far as the segmentation can tell from the frames so far. A car is settled when another car is
 * being filmed after it, for longer than the gap continuity bridges (`maxGapMs`) and in at least two
 * sightings (what findPieces needs to call a change): no later sample can then continue its track,
 * and a gap of close-ups cannot join it either (that needs a stretch with no car at all). Only a
 * revisit can still bring it back, which the final pass over the whole video merges.
 */
import type { ChangeCheck, ChangeVerdict } from './change-check.js';
import type { Observation } from './observation.js';
import { trackletRange, type CarGroup } from './segmentation.js';

/**
 * How many of `groups` (in order of first appearance) are settled, from the first: a car whose
 * stretch another car's sightings interleave (a revisit within the frames so far) waits for the final
 * pass, and so do the cars after it.
 */
export function settledCarCount(observations: readonly Observation[], groups: readonly CarGroup[], maxGapMs: number): number {
  let settled = 0;
  for (const [g, group] of groups.entries()) {
    const first = Math.min(...group.members);
    const last = Math.max(...group.members);
    const others = groups.filter((_, h) => h !== g).flatMap((h) => h.members);
    if (others.some((m) => m > first && m < last)) break;
    const lastMs = observations[last].timestampMs;
    const after = others.filter((m) => m > last);
    if (after.length < 2 || !after.some((m) => observations[m].timestampMs > lastMs + maxGapMs)) break;
    settled++;
  }
  return settled;
}

/**
 * Groups found in `observations.slice(offset)`, their indices made indices into the whole array and
 * their ranges measured there (a stretch's first edge lies half-way to the sample before it, which
 * the slice did not have), as the split of the whole video would give them.
 */
export function shiftGroups(groups: readonly CarGroup[], offset: number, observations: readonly Observation[]): CarGroup[] {
  const shift = (indices: readonly number[]) => indices.map((i) => i + offset);
  return groups.map((g) => {
    const tracklets = g.tracklets.map((t) => {
      const members = shift(t.members);
      return { ...t, members, closeUps: shift(t.closeUps), range: trackletRange(observations, members) };
    });
    return { ...g, members: shift(g.members), closeUps: shift(g.closeUps), tracklets, segments: tracklets.map((t) => t.range) };
  });
}

/** Verdicts of the dense look on a slice, their sample indices made indices into the whole array. */
export function shiftVerdicts<V extends ChangeCheck & ChangeVerdict>(verdicts: readonly V[], offset: number): V[] {
  return verdicts.map((v) => ({ ...v, before: v.before + offset, after: v.after + offset }));
}

/** Whether two groups hold the same sightings: a car the final pass found as the early pass did. */
export function sameSightings(a: CarGroup, b: CarGroup): boolean {
  return a.members.length === b.members.length && a.members.every((m, k) => m === b.members[k]);
}
