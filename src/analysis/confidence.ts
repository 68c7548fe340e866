/**
 * How sure the split is, per car (pure): a confidence for its boundaries from the evidence that ended
 * or started each of its stretches, and warnings a seller can act on (merge two cars, split one).
 */
import type { ChangeCheck, ChangeVerdict } from './change-check.js';
import type { Observation } from './observation.js';
import { nearestPrototypeDistance, Prototypes, type PrototypeSettings } from './prototypes.js';
import type { BreakKind, CarGroup } from './segmentation.js';

export interface ConfidenceSettings extends PrototypeSettings {
  splitDistance: number;
  mergeDistance: number;
  changeStepDistance: number;
}

export interface CarConfidence {
  /** 0..1: how sure the car's boundaries are. */
  confidence: number;
  warnings: string[];
}

/**
 * How much each kind of evidence for a boundary is worth. The video's start and a gap with no car are
 * near certain; a jump of the box is a cut or a pan to another car; a change of look confirmed by the
 * dense look is good evidence, one the dense look never saw is the coarse pass's guess.
 */
const EVIDENCE_WEIGHT: Record<BreakKind | 'unseen' | 'confirmed', number> = { start: 1, gap: 0.95, jump: 0.8, change: 0.6, confirmed: 0.85, unseen: 0.5 };
/** A measure this close to its threshold (as a share of it) makes the decision unsure. */
const NEAR_THRESHOLD = 0.75;
/** What a warning costs the car's confidence. */
const WARNING_FACTOR = 0.7;

export function carConfidence(
  observations: readonly Observation[],
  groups: readonly CarGroup[],
  verdicts: readonly (ChangeCheck & ChangeVerdict)[],
  settings: ConfidenceSettings,
): CarConfidence[] {
  const byFirstSample = new Map(verdicts.map((v) => [v.after, v]));
  const startWeight = (evidence: BreakKind, firstMember: number) => {
    if (evidence !== 'change') return EVIDENCE_WEIGHT[evidence];
    const verdict = byFirstSample.get(firstMember);
    if (!verdict) return EVIDENCE_WEIGHT.change;
    return verdict.reason === 'unseen' ? EVIDENCE_WEIGHT.unseen : EVIDENCE_WEIGHT.confirmed;
  };
  // Every stretch of every car in time order: a stretch's end is as sure as the next one's start.
  const stretches = groups
    .flatMap((g, car) => g.tracklets.map((t) => ({ car, weight: startWeight(t.startEvidence, t.members[0]), startMs: t.range.startMs })))
    .sort((a, b) => a.startMs - b.startMs);
  const prototypes = groups.map((g) => Prototypes.of(g.members.map((m) => observations[m].car!.appearance), settings));
  return groups.map((group, car) => {
    let confidence = 1;
    stretches.forEach((s, k) => {
      if (s.car === car) confidence = Math.min(confidence, s.weight, stretches[k + 1]?.weight ?? 1);
    });
    const warnings: string[] = [];
    const nearStep = verdicts.some((v) => !v.newCar && group.members.includes(v.after) && v.maxStep >= NEAR_THRESHOLD * settings.changeStepDistance);
    const joinedLoosely = group.tracklets.length > 1 && tracklets(observations, group, settings).some((d) => d >= NEAR_THRESHOLD * settings.mergeDistance);
    if (nearStep || joinedLoosely) warnings.push('possibly two cars');
    groups.forEach((_, other) => {
      if (other === car) return;
      const d = Math.min(nearestPrototypeDistance(prototypes[car], prototypes[other]), nearestPrototypeDistance(prototypes[other], prototypes[car]));
      if (d <= NEAR_THRESHOLD * settings.splitDistance) warnings.push(`possibly the same car as car ${other + 1}`);
    });
    for (let k = 0; k < warnings.length; k++) confidence *= WARNING_FACTOR;
    return { confidence: Math.round(confidence * 100) / 100, warnings };
  });
}

/** For each stretch after the first, how far it is from the stretches before it (nearest views). */
function tracklets(observations: readonly Observation[], group: CarGroup, settings: PrototypeSettings): number[] {
  const of = (members: readonly number[]) => Prototypes.of(members.map((m) => observations[m].car!.appearance), settings);
  return group.tracklets.slice(1).map((t, k) => nearestPrototypeDistance(of(t.members), of(group.tracklets.slice(0, k + 1).flatMap((u) => u.members))));
}
