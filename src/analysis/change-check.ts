/**
 * A denser look where the coarse samples disagree or a gap may be close-ups (pure). Keyframes about a second apart cannot tell a
 * change of view from a change of car when the camera moves fast: both show one look, then another.
 * Decoded at a few frames per second, a view turning is gradual (each frame close to the one before,
 * the box moving continuously), while a new car comes with a gap, a jump of the box or one abrupt step.
 */
import { appearanceDistance } from './appearance.js';
import { continuesTrack, type ContinuitySettings } from './continuity.js';
import type { Observation } from './observation.js';
import type { Box } from '../core/geometry.js';
import { findPieces, isCloseUpGap, splitIntoCars, type CarGroup, type Piece, type SegmentationSettings } from './segmentation.js';

export interface ChangeCheckSettings extends ContinuitySettings {
  /** Between two dense frames, a change of look larger than this is abrupt: another car. */
  changeStepDistance: number;
  /** This many dense frames in a row without a car are a gap: the camera left the car. */
  changeGapFrames: number;
}

export interface ChangeCheck {
  /** Index of the piece whose start is in question (see findPieces). */
  piece: number;
  /** The coarse samples either side: the last of the piece before and the first of this piece. */
  before: number;
  after: number;
  fromMs: number;
  toMs: number;
}

export type ChangeReason = 'gap' | 'jump' | 'abrupt' | 'gradual' | 'unseen';

export interface ChangeVerdict {
  newCar: boolean;
  reason: ChangeReason;
  /** Largest change of look between two consecutive frames; near the threshold means unsure. */
  maxStep: number;
}

/** The windows to decode densely: every start of a piece that only a change of look explains. */
export function changeChecks(observations: readonly Observation[], pieces: readonly Piece[]): ChangeCheck[] {
  return windowsBefore(observations, pieces, (piece) => piece.breakBefore === 'change');
}

/** Gaps that may be close-ups of the car around them (see isCloseUpGap): the dense look decides. */
export function gapChecks(observations: readonly Observation[], pieces: readonly Piece[], settings: SegmentationSettings): ChangeCheck[] {
  return windowsBefore(observations, pieces, (piece, p) => piece.breakBefore === 'gap' && isCloseUpGap(observations, pieces[p - 1], piece, settings));
}

/**
 * Whether the dense frames of a gap show close-ups: the car is never seen leaving or arriving by the
 * frame's side (a walking camera passes the car out of frame sideways; a close-up goes in and out).
 */
export function judgeGap(check: ChangeCheck, dense: readonly Observation[]): boolean {
  return !dense.some((o) => o.timestampMs > check.fromMs && o.timestampMs < check.toMs && o.car?.touchesSide);
}

function windowsBefore(observations: readonly Observation[], pieces: readonly Piece[], wanted: (piece: Piece, p: number) => boolean): ChangeCheck[] {
  const checks: ChangeCheck[] = [];
  pieces.forEach((piece, p) => {
    if (p === 0 || !wanted(piece, p)) return;
    const before = pieces[p - 1].members[pieces[p - 1].members.length - 1];
    const after = piece.members[0];
    checks.push({ piece: p, before, after, fromMs: observations[before].timestampMs, toMs: observations[after].timestampMs });
  });
  return checks;
}

/**
 * The verdict from the dense frames between the two coarse samples (the samples themselves are the
 * sequence's ends). With no dense frame in between there is nothing to add: the coarse change stands.
 */
export function judgeChange(check: ChangeCheck, observations: readonly Observation[], dense: readonly Observation[], settings: ChangeCheckSettings): ChangeVerdict {
  const inside = dense.filter((o) => o.timestampMs > check.fromMs && o.timestampMs < check.toMs).sort((a, b) => a.timestampMs - b.timestampMs);
  if (inside.length === 0) return { newCar: true, reason: 'unseen', maxStep: 0 };
  const sequence = [observations[check.before], ...inside, observations[check.after]];
  let previous = sequence[0];
  let missing = 0;
  let maxStep = 0;
  for (const o of sequence.slice(1)) {
    if (!o.car) {
      if (++missing >= settings.changeGapFrames) return { newCar: true, reason: 'gap', maxStep };
      continue;
    }
    missing = 0;
    if (!continuesTrack(previous.car!, o.car, o.timestampMs - previous.timestampMs, settings)) return { newCar: true, reason: 'jump', maxStep };
    maxStep = Math.max(maxStep, appearanceDistance(previous.car!.appearance, o.car.appearance));
    previous = o;
  }
  return maxStep > settings.changeStepDistance ? { newCar: true, reason: 'abrupt', maxStep } : { newCar: false, reason: 'gradual', maxStep };
}

/**
 * Splits into cars with the dense look: every change of look the coarse samples show is decoded at
 * the refine rate (through `observeStretch`, the caller's I/O) and judged; the gradual ones join.
 */
export async function splitWithDenseLook(
  observations: readonly Observation[],
  settings: SegmentationSettings & ChangeCheckSettings,
  observeStretch: (range: { startMs: number; endMs: number }, previous: Box | null) => Promise<Observation[]>,
): Promise<{ groups: CarGroup[]; verdicts: (ChangeCheck & ChangeVerdict)[] }> {
  const pieces = findPieces(observations, settings);
  const look = (check: ChangeCheck) => observeStretch({ startMs: check.fromMs, endMs: check.toMs }, observations[check.before].car?.box ?? null);
  const verdicts: (ChangeCheck & ChangeVerdict)[] = [];
  for (const check of changeChecks(observations, pieces)) verdicts.push({ ...check, ...judgeChange(check, observations, await look(check), settings) });
  const closeUpGaps = new Set<number>();
  for (const check of gapChecks(observations, pieces, settings)) if (judgeGap(check, await look(check))) closeUpGaps.add(check.piece);
  const sameCar = new Set(verdicts.filter((v) => !v.newCar).map((v) => v.piece));
  return { groups: splitIntoCars(observations, settings, { sameCar, closeUpGaps }), verdicts };
}
