import type { Box } from '../core/geometry.js';

export interface Detection {
  box: Box;
  score: number;
  classId: number;
  label: string;
  /**
   * Appearance vector from the detector's own features: the neck's feature map at stride 16
   * averaged over the box, centred on a reference vehicle mean and L2-normalised (cosine similarity
   * in -1..1). Present when the detector was created with embeddings on and the model supports it.
   */
  embedding?: Float32Array;
}

/** Execution provider actually used by a session. */
export type Provider = 'cpu' | 'cuda' | 'webgpu';
