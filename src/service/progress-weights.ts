/**
 * One number for a video's progress (pure): the pipeline reports each stage's own {done, total}; the
 * stages are weighted by the share of the time they usually take and run in this order.
 */
import type { ProgressEvent, Stage } from '../core/progress.js';

const WEIGHTS: Record<Stage, number> = { probe: 0.02, decode: 0.45, detect: 0, segment: 0.12, photos: 0.13, text: 0.12, clips: 0.13, store: 0.03 };
const ORDER: readonly Stage[] = ['probe', 'decode', 'detect', 'segment', 'photos', 'text', 'clips', 'store'];

/** Overall progress 0..1 after `event`, never below `previous` (stages may report out of order). */
export function overallProgress(event: ProgressEvent, previous = 0): number {
  const index = ORDER.indexOf(event.stage);
  const before = ORDER.slice(0, Math.max(0, index)).reduce((sum, stage) => sum + WEIGHTS[stage], 0);
  const share = event.total > 0 ? Math.min(1, Math.max(0, event.done / event.total)) : 0;
  const value = Math.min(1, before + WEIGHTS[event.stage] * share);
  return Math.max(previous, Math.round(value * 1000) / 1000);
}
