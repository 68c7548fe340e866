import type { Box } from '../geometry.js';

export interface Detection {
  box: Box;
  score: number;
  classId: number;
  label: string;
}

/** Execution provider actually used by a session. */
export type Provider = 'cpu' | 'cuda';
