/** The shapes every eval section shares (pure types): what an item gave and what a section reports. */
import type { Box, Quad } from '../core/geometry.js';
import type { Evidence } from '../evidence/evidence.js';
import type { CarLabel } from './labels.js';

export interface PlateRegionOut {
  box: Box;
  quad: Quad;
}

/** What processing one labelled car gave. */
export interface CarOutcome {
  label: CarLabel;
  /** Null when the car was not found at all (a video split into fewer cars than labelled). */
  evidence: Evidence[] | null;
}

export interface ItemOutcome {
  file: string;
  kind: 'picture' | 'video';
  cars: CarOutcome[];
  /**
   * Pictures: the plate regions found and, when labelled, how many plates there are and how many were
   * found; with labelled boxes (plates.json) also the regions that blur no plate.
   */
  plates?: { regions: PlateRegionOut[]; labelled?: number; found?: number; falseBlurs?: number };
  /** Free-form extras a section may need (e.g. LLM answers), keyed by section id. */
  extra?: Record<string, unknown>;
  error?: string;
  ms: number;
}

export interface EvalFigure {
  name: string;
  /** A share 0..1, a count, or null when nothing was labelled for it. */
  value: number | null;
  /** "12/15" and the like. */
  detail?: string;
}

export interface EvalSection {
  id: string;
  title: string;
  figures(outcomes: readonly ItemOutcome[]): EvalFigure[];
}

