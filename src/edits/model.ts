/**
 * The photo edit model (pure): a photo's edits are a LIST of operations kept against its original
 * frame, never baked into pixels. Folding the list gives one normalised state that the renderer draws;
 * undo is dropping the last operation, and the empty list is the original.
 *
 * Every box is in ORIGINAL-frame pixels ({x1, y1, x2, y2}), so an edit means the same region of the
 * car whatever rotation or straightening comes later. Boxes drawn on the edited (displayed) picture
 * are mapped back with `displayedBoxToOriginal` (geometry.ts) before they become an operation.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Box } from '../core/geometry.js';

/** Limits of the tone and straightening controls; the renderer's other knobs are in config. */
export const EDIT_LIMITS = {
  /** Straightening is for a slightly tilted horizon, not for turning the picture. */
  maxStraightenDegrees: 15,
  minBrightness: 0.3,
  maxBrightness: 2,
} as const;

const finite = z.number().finite();
export const boxSchema = z
  .object({ x1: finite, y1: finite, x2: finite, y2: finite })
  .refine((b) => b.x2 > b.x1 && b.y2 > b.y1, 'a box needs x2 > x1 and y2 > y1');

export const editSchema = z.discriminatedUnion('op', [
  /** Crop to `box` (original pixels; the box turns with the photo). Replaces an earlier crop. */
  z.object({ op: z.literal('crop'), box: boxSchema }),
  /** Drops the crop. */
  z.object({ op: z.literal('uncrop') }),
  /** Quarter turns clockwise (negative: counter-clockwise); adds to earlier turns. */
  z.object({ op: z.literal('rotate'), quarterTurns: z.number().int().min(-3).max(3) }),
  /** Sets the straightening angle, degrees clockwise. */
  z.object({ op: z.literal('straighten'), degrees: finite.min(-EDIT_LIMITS.maxStraightenDegrees).max(EDIT_LIMITS.maxStraightenDegrees) }),
  /** Automatic exposure and contrast on or off. */
  z.object({ op: z.literal('enhance'), on: z.boolean() }),
  /** Sets the brightness factor (1 = unchanged). */
  z.object({ op: z.literal('brightness'), factor: finite.min(EDIT_LIMITS.minBrightness).max(EDIT_LIMITS.maxBrightness) }),
  /** Blurs a region (a licence plate), original pixels. */
  z.object({ op: z.literal('blur'), box: boxSchema }),
  /** Removes every blurred region that overlaps `box` (original pixels). */
  z.object({ op: z.literal('unblur'), box: boxSchema }),
]);
export type Edit = z.infer<typeof editSchema>;
export const editListSchema = z.array(editSchema).max(500);

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

/**
 * A short fingerprint of what a photo shows: its frame's file and its edit list. A changed photo gets
 * new URLs and a new published render (the same edits on another frame included).
 */
export function editsVersion(file: string, edits: readonly Edit[]): string {
  return createHash('sha256').update(JSON.stringify([file, edits])).digest('hex').slice(0, 16);
}
