/**
 * The seller's corrections of the split into cars, as plans (pure): which footage and photos each car
 * keeps when two cars are merged into one or one car is split in two at a moment of the video. The
 * repository (car-corrections.repository.ts) applies a plan in one transaction.
 */
import { LotreelError } from '../core/errors.js';

export interface Span {
  startMs: number;
  endMs: number;
}

export interface TimedPhoto {
  id: string;
  ordinal: number;
  timestampMs: number;
  isCover: boolean;
}

/** The footage of two cars as one: sorted, overlapping or touching segments joined. */
export function mergedSegments(a: readonly Span[], b: readonly Span[]): Span[] {
  const sorted = [...a, ...b].sort((x, y) => x.startMs - y.startMs || x.endMs - y.endMs);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.startMs <= last.endMs) last.endMs = Math.max(last.endMs, s.endMs);
    else out.push({ ...s });
  }
  return out;
}

/** The merged car's photos: the survivor's in its order, then the other's in theirs; one cover, the survivor's. */
export function mergedPhotoOrder(survivor: readonly TimedPhoto[], other: readonly TimedPhoto[]): { orderedIds: string[]; coverId: string | null } {
  const byOrdinal = (p: readonly TimedPhoto[]) => [...p].sort((x, y) => x.ordinal - y.ordinal);
  const ordered = [...byOrdinal(survivor), ...byOrdinal(other)];
  const cover = survivor.find((p) => p.isCover) ?? other.find((p) => p.isCover) ?? ordered[0];
  return { orderedIds: ordered.map((p) => p.id), coverId: cover?.id ?? null };
}

export interface SplitPlan {
  /** The footage the car keeps (before the moment) and the new car's (from it on). */
  before: Span[];
  after: Span[];
  /** Photo ids each part keeps, in their old order, and each part's cover (null without photos). */
  keptIds: string[];
  movedIds: string[];
  keptCoverId: string | null;
  movedCoverId: string | null;
}

const fmt = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/**
 * Splits a car's footage at `atMs`: what is before stays, what is at or after it becomes the new car.
 * The moment must leave footage on both sides (strictly inside the car's span), else SPLIT_OUTSIDE_CAR.
 * Photos (close-ups included) go with the side of their moment.
 */
export function planSplit(segments: readonly Span[], photos: readonly TimedPhoto[], atMs: number): SplitPlan {
  const sorted = [...segments].sort((x, y) => x.startMs - y.startMs);
  const first = sorted[0];
  const last = sorted.reduce((end, s) => Math.max(end, s.endMs), 0);
  if (!first || atMs <= first.startMs || atMs >= last) {
    throw new LotreelError(
      'SPLIT_OUTSIDE_CAR',
      first ? `the car is filmed from ${fmt(first.startMs)} to ${fmt(last)}: a split at ${fmt(atMs)} leaves one part without footage` : 'the car has no footage to split',
      { details: { atMs, startMs: first?.startMs ?? null, endMs: first ? last : null } },
    );
  }
  const before: Span[] = [];
  const after: Span[] = [];
  for (const s of sorted) {
    if (s.endMs <= atMs) before.push({ ...s });
    else if (s.startMs >= atMs) after.push({ ...s });
    else {
      before.push({ startMs: s.startMs, endMs: atMs });
      after.push({ startMs: atMs, endMs: s.endMs });
    }
  }
  const ordered = [...photos].sort((x, y) => x.ordinal - y.ordinal);
  const kept = ordered.filter((p) => p.timestampMs < atMs);
  const moved = ordered.filter((p) => p.timestampMs >= atMs);
  const coverOf = (part: TimedPhoto[]) => (part.find((p) => p.isCover) ?? part[0])?.id ?? null;
  return { before, after, keptIds: kept.map((p) => p.id), movedIds: moved.map((p) => p.id), keptCoverId: coverOf(kept), movedCoverId: coverOf(moved) };
}

/** Warnings that name other cars by ordinal ("possibly the same car as car 3"), renamed after cars moved. */
export function renumberedWarnings(warnings: readonly string[], newOrdinal: (old: number) => number): string[] {
  return warnings.map((w) => w.replace(/\bcar (\d+)\b/g, (_m, n: string) => `car ${newOrdinal(Number(n))}`));
}
