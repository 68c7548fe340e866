/**
 * Chooses a car's listing photos from its sightings (pure): sharp, well exposed, the whole car large
 * in frame, spread over the walk round the car so the views differ, and no near-duplicates.
 */
import { appearanceDistance } from '../analysis/appearance.js';
import type { CarSighting, Observation, TimeRange } from '../analysis/observation.js';
import { EXPECTED_VIEW_GROUPS, listingRank, type View, type ViewLabel } from '../analysis/views.js';

export interface PhotoCandidate {
  timestampMs: number;
  sighting: CarSighting;
  /** What CLIP says the frame shows, when CLIP ran. */
  view?: ViewLabel;
}

export interface PhotoChoiceSettings {
  maxPhotos: number;
  /** Frames this close to a segment's start or end show the dealer arriving or leaving: avoided. */
  edgeMarginMs: number;
}

export interface PhotoViewSettings {
  /** A view label below this confidence does not count towards covering that view. */
  minConfidence: number;
}

export interface ChosenPhoto {
  candidate: PhotoCandidate;
  /** Sharpness relative to the car's sharpest frames, 0..1. */
  sharpness: number;
  exposure: number;
  framing: number;
  score: number;
  cover: boolean;
  /** A close-up of the car (VIN card, label), not a view of the whole car: never the cover. */
  closeUp?: boolean;
}

/** Crops closer than this in appearance, with a box of the same shape, show the same view. */
const DUPLICATE_DISTANCE = 0.04;
const DUPLICATE_ASPECT = 0.06;
/** Area share at which a car counts as filling the frame well. */
const GOOD_AREA = 0.2;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

export function exposureScore(meanLuma: number, clippedFraction: number): number {
  return Math.max(0, 1 - Math.abs(meanLuma - 0.5) * 2) * Math.max(0, 1 - 3 * clippedFraction);
}

export function framingScore(s: CarSighting): number {
  return Math.min(1, s.areaFraction / GOOD_AREA) * (1 - 0.5 * s.centreOffset);
}

const aspect = (s: CarSighting) => (s.box.x2 - s.box.x1) / Math.max(1, s.box.y2 - s.box.y1);

function isNearDuplicate(a: PhotoCandidate, b: PhotoCandidate): boolean {
  return (
    appearanceDistance(a.sighting.appearance, b.sighting.appearance) < DUPLICATE_DISTANCE &&
    Math.abs(aspect(a.sighting) / aspect(b.sighting) - 1) < DUPLICATE_ASPECT
  );
}

/** What "sharp" means for one car: the sharpness (Laplacian variance) its sharpest tenth of frames reach. */
export function referenceSharpness(sightings: readonly CarSighting[]): number {
  return percentile(sightings.map((s) => s.quality.laplacianVariance), 0.9) || 1;
}

/** Scores every candidate; sharpness is compared within the car, since it depends on distance and resolution. */
export function scoreCandidates(candidates: readonly PhotoCandidate[]): Omit<ChosenPhoto, 'cover'>[] {
  const reference = referenceSharpness(candidates.map((c) => c.sighting));
  return candidates.map((candidate) => {
    const q = candidate.sighting.quality;
    const sharpness = Math.min(1, q.laplacianVariance / reference);
    const exposure = exposureScore(q.meanLuma, q.clippedFraction);
    const framing = framingScore(candidate.sighting);
    return { candidate, sharpness, exposure, framing, score: photoScore(sharpness, exposure, framing) };
  });
}

const photoScore = (sharpness: number, exposure: number, framing: number) => 0.45 * sharpness + 0.2 * exposure + 0.35 * framing;

/**
 * Up to maxPhotos photos: the car's time on screen is cut into equal slices, one per photo, so the
 * photos follow the walk round the car; each slice gives its best whole-car frame that does not
 * repeat an already chosen view. Cars cut off by the frame edge are never chosen, and frames close to
 * a segment's edges (the camera still moving onto or off the car) only when there is nothing else.
 */
export function chooseCarPhotos(
  candidates: readonly PhotoCandidate[],
  segments: readonly TimeRange[],
  settings: PhotoChoiceSettings,
  views: PhotoViewSettings = { minConfidence: 0 },
): ChosenPhoto[] {
  const inside = (margin: number) => (c: PhotoCandidate) =>
    !c.sighting.touchesSide && segments.some((s) => c.timestampMs >= s.startMs + margin && c.timestampMs <= s.endMs - margin);
  const settled = candidates.filter(inside(settings.edgeMarginMs));
  const whole = settled.length > 0 ? settled : candidates.filter(inside(0));
  if (whole.length === 0) return [];
  const scored = scoreCandidates(whole);
  // Position of a moment on the car's own timeline (its segments laid end to end).
  const carTime = (t: number) => {
    let before = 0;
    for (const s of segments) {
      if (t <= s.endMs) return before + Math.max(0, t - s.startMs);
      before += s.endMs - s.startMs;
    }
    return before;
  };
  const times = scored.map((s) => carTime(s.candidate.timestampMs));
  const first = Math.min(...times);
  const span = Math.max(...times) - first + 1;
  const slices = Math.min(settings.maxPhotos, scored.length);
  const chosen: Omit<ChosenPhoto, 'cover'>[] = [];
  const fresh = (s: Omit<ChosenPhoto, 'cover'>) => !chosen.includes(s) && !chosen.some((c) => isNearDuplicate(c.candidate, s.candidate));
  // With view labels, the views a buyer expects come first: the best frame of each, in listing order.
  const labelled = scored.some((s) => s.candidate.view);
  if (labelled) {
    const { minConfidence } = views;
    const bestOf = (views: readonly View[]) =>
      scored
        .filter((s) => s.candidate.view && views.includes(s.candidate.view.view) && s.candidate.view.confidence >= minConfidence)
        .sort((a, b) => b.score - a.score)
        .find(fresh);
    // One of each expected group, then each view not shown yet (the other side, the other corner).
    for (const views of [...EXPECTED_VIEW_GROUPS, ...EXPECTED_VIEW_GROUPS.flat().map((v) => [v])]) {
      if (chosen.length >= settings.maxPhotos) break;
      if (views.length === 1 && chosen.some((c) => c.candidate.view?.view === views[0])) continue;
      const pick = bestOf(views);
      if (pick) chosen.push(pick);
    }
  }
  for (let k = 0; k < slices && chosen.length < settings.maxPhotos; k++) {
    const from = first + (span * k) / slices;
    const to = first + (span * (k + 1)) / slices;
    const inSlice = scored.filter((_, i) => times[i] >= from && times[i] < to).sort((a, b) => b.score - a.score);
    // A slice already holding a chosen view photo has its photo.
    if (labelled && chosen.some((c) => { const t = carTime(c.candidate.timestampMs); return t >= from && t < to; })) continue;
    const pick = inSlice.find(fresh);
    if (pick) chosen.push(pick);
  }
  // Slices left empty (the car was filmed unevenly) give their place to the best remaining frames
  // that are neither near-duplicates nor too close in time to a chosen one.
  const minGap = span / (2 * settings.maxPhotos);
  for (const s of [...scored].sort((a, b) => b.score - a.score)) {
    if (chosen.length >= settings.maxPhotos) break;
    const t = carTime(s.candidate.timestampMs);
    if (!fresh(s) || chosen.some((c) => Math.abs(carTime(c.candidate.timestampMs) - t) < minGap || isNearDuplicate(c.candidate, s.candidate))) continue;
    chosen.push(s);
  }
  if (labelled) chosen.sort((a, b) => listingRank(a.candidate.view?.view) - listingRank(b.candidate.view?.view) || a.candidate.timestampMs - b.candidate.timestampMs);
  else chosen.sort((a, b) => a.candidate.timestampMs - b.candidate.timestampMs);
  const cover = chooseCover(chosen);
  return chosen.map((p) => ({ ...p, cover: p === cover }));
}

/**
 * The cover: a front three-quarter view when view labels show one (the listing convention), else the
 * best large, sharp view.
 */
function chooseCover<T extends { score: number; framing: number; candidate: PhotoCandidate }>(photos: T[]): T | undefined {
  const threeQuarter = photos.filter((p) => p.candidate.view && listingRank(p.candidate.view.view) === 0).sort((a, b) => b.score - a.score)[0];
  return threeQuarter ?? [...photos].sort((a, b) => b.score + b.framing - (a.score + a.framing))[0];
}

/** The photo with another frame in its place, scored on the same scale as the car's other photos. */
export function replacePhotoFrame(photo: ChosenPhoto, candidate: PhotoCandidate): ChosenPhoto {
  const reference = photo.candidate.sighting.quality.laplacianVariance / Math.max(photo.sharpness, 1e-6);
  const q = candidate.sighting.quality;
  const sharpness = Math.min(1, q.laplacianVariance / reference);
  const exposure = exposureScore(q.meanLuma, q.clippedFraction);
  const framing = framingScore(candidate.sighting);
  // A nearby frame of the same view keeps the photo's view label.
  const labelled = { ...candidate, view: candidate.view ?? photo.candidate.view };
  return { ...photo, candidate: labelled, sharpness, exposure, framing, score: photoScore(sharpness, exposure, framing) };
}

/** A frame this much sharper than a blurry photo replaces it. */
const CLEARLY_SHARPER = 1.3;

/**
 * A sharper frame of the same view near a blurry photo (a keyframe caught mid-step), or null. The
 * replacement must show the same car, whole, looking like the photo it replaces.
 */
export function sharperNeighbour(photo: ChosenPhoto, nearby: readonly Observation[], splitDistance: number): PhotoCandidate | null {
  const original = photo.candidate.sighting;
  let best: PhotoCandidate | null = null;
  let bestSharpness = original.quality.laplacianVariance * CLEARLY_SHARPER;
  for (const o of nearby) {
    const s = o.car;
    if (!s || s.touchesSide || appearanceDistance(s.appearance, original.appearance) > splitDistance) continue;
    if (s.quality.laplacianVariance > bestSharpness) {
      bestSharpness = s.quality.laplacianVariance;
      best = { timestampMs: o.timestampMs, sighting: s };
    }
  }
  return best;
}

/** A close-up (a VIN card, a label) as a detail photo: never the cover; no sharper frame is looked for. */
export function closeUpPhoto(candidate: PhotoCandidate): ChosenPhoto {
  const { quality } = candidate.sighting;
  return { candidate, sharpness: 1, exposure: exposureScore(quality.meanLuma, quality.clippedFraction), framing: 0, score: 0, cover: false, closeUp: true };
}
