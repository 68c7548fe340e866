/**
 * Which frames of a car are worth reading, and what everything read on a car adds up to (pure).
 */
import { clampBox, type Box } from '../core/geometry.js';
import type { BadgeCatalogue } from '../vehicle/badge-catalogue.js';
import type { Evidence } from '../evidence/evidence.js';
import type { CarSighting } from '../analysis/observation.js';
import { badgeEvidence, DEFAULT_PLACEMENT } from './badge-evidence.js';
import { documentEvidence } from './sticker-document.js';
import { byPicture, stickerEvidence, stripPrices, type ReadText } from './text-evidence.js';
import { placeLines, type PlacementSettings } from './text-placement.js';
import { findVins, vinEvidence, type DecodedVin, type VinCandidate, type VinOptions } from '../vehicle/vin.js';

/**
 * Besides the photos, up to `count` frames of the car likely to show small text: close-ups (the car
 * box filling the frame: a badge, the VIN plate, a sticker on the glass), sharp ones first, at least
 * `minGapMs` from each other and from the photos.
 */
export function textCandidateFrames(
  sightings: readonly { timestampMs: number; sighting: CarSighting }[],
  photoTimesMs: readonly number[],
  count: number,
  minGapMs: number,
): number[] {
  const sharpest = Math.max(1e-9, ...sightings.map((s) => s.sighting.quality.laplacianVariance));
  const ranked = [...sightings].sort(
    (a, b) => b.sighting.areaFraction * (0.5 + a.sighting.quality.laplacianVariance / sharpest) - a.sighting.areaFraction * (0.5 + b.sighting.quality.laplacianVariance / sharpest),
  );
  const taken: number[] = [];
  const far = (t: number) => [...photoTimesMs, ...taken].every((u) => Math.abs(u - t) >= minGapMs);
  for (const s of ranked) {
    if (taken.length >= count) break;
    if (far(s.timestampMs)) taken.push(s.timestampMs);
  }
  return taken.sort((a, b) => a - b);
}

/**
 * Where to look for a car's text in a picture: the car's box (given as shares of the picture) grown
 * by `margin` of its size on each side, so plates and badges at the bumpers' edges stay in. Text off
 * the car (signs, other cars' stickers) is not the car's. Both boxes in picture pixels.
 */
export function textSearchRegion(carShare: Box, picture: { width: number; height: number }, margin: number): { car: Box; search: Box } {
  const { width, height } = picture;
  const car = clampBox({ x1: carShare.x1 * width, y1: carShare.y1 * height, x2: carShare.x2 * width, y2: carShare.y2 * height }, width, height);
  const dx = margin * (car.x2 - car.x1);
  const dy = margin * (car.y2 - car.y1);
  return { car, search: clampBox({ x1: car.x1 - dx, y1: car.y1 - dy, x2: car.x2 + dx, y2: car.y2 + dy }, width, height) };
}

/** A VIN that checks but that vPIC does not know: surely read, yet not the manufacturer's record. */
export const UNDECODED_VIN_CONFIDENCE = 0.9;
/** A VIN without a check digit (structure and a known WMI only): what it says is less sure. */
export const UNCHECKED_VIN_CONFIDENCE = 0.7;

/** The VIN options that accept VINs without a check digit whose WMI the catalogue knows. */
export function catalogueVinOptions(catalogue: BadgeCatalogue, maxRepairs = 2): VinOptions {
  return { maxRepairs, knownWmi: (wmi) => wmi in catalogue.wmis };
}

/** Distinct VINs in the lines, most often read first. */
export function vinsInText(lines: readonly ReadText[], options: number | VinOptions = 2): (VinCandidate & { reads: number; picture: string })[] {
  const byVin = new Map<string, VinCandidate & { reads: number; picture: string }>();
  for (const line of lines) {
    for (const candidate of findVins(line.text, options)) {
      const seen = byVin.get(candidate.vin);
      if (seen) seen.reads++;
      else byVin.set(candidate.vin, { ...candidate, reads: 1, picture: line.picture });
    }
  }
  return [...byVin.values()].sort((a, b) => b.reads - a.reads);
}

/**
 * All text evidence of one car: every decoded VIN (source 'vin', confidence 1), badge and sticker
 * text. A VIN that checks but that the database does not know still counts as the car's VIN, less
 * surely (0.9), with nothing else taken from it.
 */
export function carTextEvidence(
  lines: readonly ReadText[],
  decoded: readonly { candidate: VinCandidate & { picture: string }; decoded: DecodedVin | null }[],
  catalogue: BadgeCatalogue,
  options: { currentYear: number; placement?: PlacementSettings },
): Evidence[] {
  const placement = options.placement ?? DEFAULT_PLACEMENT;
  const evidence: Evidence[] = [];
  const vinOptions = catalogueVinOptions(catalogue);
  for (const { candidate, decoded: known } of decoded) {
    const unchecked = candidate.checked === false;
    const detail = `${candidate.picture}: read ${candidate.read}${candidate.repaired.length > 0 ? `, repaired at ${candidate.repaired.map((i) => i + 1).join(', ')}` : ''}${unchecked ? '; no check digit' : ''}`;
    if (known) {
      evidence.push(...vinEvidence(known, detail, unchecked ? UNCHECKED_VIN_CONFIDENCE : 1));
      continue;
    }
    evidence.push({ attribute: 'vin', value: candidate.vin, source: 'vin', confidence: unchecked ? UNCHECKED_VIN_CONFIDENCE : UNDECODED_VIN_CONFIDENCE, detail: `${detail}; not in the VIN database` });
    // Without the database's answer, the WMI still names the manufacturer.
    const make = catalogue.wmis[candidate.vin.slice(0, 3)];
    if (unchecked && make) evidence.push({ attribute: 'make', value: make, source: 'vin', confidence: UNCHECKED_VIN_CONFIDENCE, detail: `${detail}; WMI ${candidate.vin.slice(0, 3)}` });
  }
  const withoutVins = lines.filter((line) => findVins(line.text, vinOptions).length === 0);
  evidence.push(...badgeEvidence(withoutVins, catalogue, placement));
  // Signs (off the car, or far larger than a badge) say nothing about this car.
  const notSigns = [...byPicture(withoutVins).values()].flatMap((group) => {
    const places = placeLines(group, placement);
    return group.filter((_, i) => places[i] !== 'sign');
  });
  evidence.push(...stickerEvidence(notSigns, catalogue, options));
  evidence.push(...documentEvidence(lines, catalogue, options));
  // One item per attribute, value and source: the surest (a sticker's mileage is found both as free text and as a label's value).
  const best = new Map<string, Evidence>();
  for (const e of evidence) {
    const key = `${e.attribute}|${String(e.value).toLowerCase()}|${e.source}`;
    if ((best.get(key)?.confidence ?? -1) < e.confidence) best.set(key, e);
  }
  return [...best.values()].map((e) => (e.detail ? { ...e, detail: stripPrices(e.detail) } : e));
}
