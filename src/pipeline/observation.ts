/** What the analysis keeps of one sampled frame: small numbers, never pixels, so memory stays bounded. */
import type { Box } from '../geometry.js';
import type { Appearance } from './appearance.js';
import type { ColourVotes } from './colour-name.js';
import type { CropQuality } from './image-stats.js';

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
}

export interface TimeRange {
  startMs: number;
  endMs: number;
}
