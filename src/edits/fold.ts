/**
 * How an edit list folds into the one state the renderer draws (pure, no dependency at run time: the
 * web page folds a photo's edits with this same code). The empty list is the original.
 */
import type { Box } from '../core/geometry.js';
import type { Edit } from './model.js';

/** What an edit list amounts to, applied in this order: blur, tone, rotate, straighten, crop. */
export interface EditState {
  /** 0..3 clockwise quarter turns. */
  quarterTurns: 0 | 1 | 2 | 3;
  /** Clockwise degrees after the quarter turns. */
  straightenDegrees: number;
  /** Original pixels; null: the whole (straightened) picture. */
  crop: Box | null;
  enhance: boolean;
  brightness: number;
  /** Original pixels, in the order they were added. */
  blurRegions: Box[];
}

export const ORIGINAL_STATE: EditState = Object.freeze({
  quarterTurns: 0,
  straightenDegrees: 0,
  crop: null,
  enhance: false,
  brightness: 1,
  blurRegions: [],
}) as EditState;

const overlaps = (a: Box, b: Box) => a.x1 < b.x2 && b.x1 < a.x2 && a.y1 < b.y2 && b.y1 < a.y2;

/** Folds an edit list into the state the renderer draws. The empty list is the original. */
export function foldEdits(edits: readonly Edit[]): EditState {
  const state: EditState = { ...ORIGINAL_STATE, blurRegions: [] };
  for (const edit of edits) {
    switch (edit.op) {
      case 'crop':
        state.crop = { ...edit.box };
        break;
      case 'uncrop':
        state.crop = null;
        break;
      case 'rotate':
        state.quarterTurns = ((((state.quarterTurns + edit.quarterTurns) % 4) + 4) % 4) as EditState['quarterTurns'];
        break;
      case 'straighten':
        state.straightenDegrees = edit.degrees;
        break;
      case 'enhance':
        state.enhance = edit.on;
        break;
      case 'brightness':
        state.brightness = edit.factor;
        break;
      case 'blur':
        state.blurRegions.push({ ...edit.box });
        break;
      case 'unblur':
        state.blurRegions = state.blurRegions.filter((region) => !overlaps(region, edit.box));
        break;
    }
  }
  return state;
}

/** True when the state draws the original unchanged. */
export function isOriginal(state: EditState): boolean {
  return (
    state.quarterTurns === 0 &&
    state.straightenDegrees === 0 &&
    state.crop === null &&
    !state.enhance &&
    state.brightness === 1 &&
    state.blurRegions.length === 0
  );
}
