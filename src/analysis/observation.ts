/** What the analysis keeps of one sampled frame: small numbers, never pixels, so memory stays bounded. */
import type { Box } from '../core/geometry.js';
import type { Appearance } from './appearance.js';
import type { ColourVotes } from './colour-name.js';
import type { CropQuality } from '../vision/image-stats.js';
import type { ViewLabel } from './views.js';

export interface CarSighting {
  box: Box;
  classId: number;
  score: number;
  areaFraction: number;
  centreOffset: number;
  touchesSide: boolean;
  appearance: Appearance;
  quality: CropQuality;
  colour: ColourVotes;
}

export interface Observation {
  timestampMs: number;
  /** The dominant car, or null when none is being filmed. */
  car: CarSighting | null;
  /** CLIP's view of the frame (of the car's crop, or of the whole frame when no car), when CLIP ran. */
  view?: ViewLabel;
  /**
   * A frame with no whole car that CLIP calls a detail view (interior, engine bay, wheel...): the whole
   * frame measured as a sighting, so it can become a photo of the car it is attached to.
   */
  detail?: CarSighting;
  /**
   * A frame with no dominant car: the whole frame measured as a sighting (sharpness, colour), so that a
   * close-up (a VIN card, a label, a wheel) bracketed by a car can become its photo and be read for text.
   */
  closeUp?: CarSighting;
}

export interface TimeRange {
  startMs: number;
  endMs: number;
}

/** The car's area share when whole: the median over sightings not cut by the frame's side (else all). */
export function typicalWholeArea(sightings: readonly CarSighting[]): number {
  const whole = sightings.filter((s) => !s.touchesSide);
  const areas = (whole.length > 0 ? whole : sightings).map((s) => s.areaFraction).sort((a, b) => a - b);
  return areas[Math.floor(areas.length / 2)] ?? 0;
}

/** Cut by the frame's side and under half its whole size: the car is mostly out of frame. */
export function isMostlyOutOfFrame(s: CarSighting, typicalArea: number): boolean {
  return s.touchesSide && s.areaFraction < 0.5 * typicalArea;
}
