/**
 * The photo edit model (pure): a photo's edits are a LIST of operations kept against its original
 * frame, never baked into pixels. Folding the list (fold.ts) gives one normalised state that the renderer
 * draws; undo is dropping the last operation, and the empty list is the original.
 *
 * Every box is in ORIGINAL-frame pixels ({x1, y1, x2, y2}), so an edit means the same region of the
 * car whatever rotation or straightening comes later. Boxes drawn on the edited (displayed) picture
 * are mapped back with `displayedCropToOriginal` or `displayedRegionToOriginal` (geometry.ts) before they become an operation.
 */
import { z } from 'zod';
import { EDIT_LIMITS } from './limits.js';

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
