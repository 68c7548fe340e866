/**
 * Licence plates in the selected photo: the ones the plate finder marked, outlined over the picture,
 * with one click to blur them fully (a blur edit over each, with a margin); and, when the plates could
 * not be looked for at all, a warning to check every photo.
 */
import type { Box, EditorPhoto } from '../api-types.js';
import { h } from '../dom.js';
import { coveredBy, grownBox } from '../region-geometry.js';

/** The plates not yet under a blur the seller applied (boxes in displayed pixels). */
export function unblurredPlates(photo: EditorPhoto, blurred: readonly Box[]): Box[] {
  return photo.plates.filter((plate) => !blurred.some((region) => coveredBy(plate, region)));
}

/** Outlines of the plates over the preview (percent of the picture, so they follow its size). */
export function plateOutlines(photo: EditorPhoto, plates: readonly Box[]): HTMLElement[] {
  const { width, height } = photo.displayed;
  return plates.map((p) =>
    h('span', {
      className: 'plate-outline',
      style: `left:${(p.x1 / width) * 100}%;top:${(p.y1 / height) * 100}%;width:${((p.x2 - p.x1) / width) * 100}%;height:${((p.y2 - p.y1) / height) * 100}%`,
    }),
  );
}

/** The notice under the photo: plates to blur (one click), or that they are blurred; null when none were marked. */
export function plateNotice(photo: EditorPhoto, open: readonly Box[], blurAll: (boxes: Box[]) => void): HTMLElement | null {
  if (photo.plates.length === 0) return null;
  if (open.length === 0) return h('p', { className: 'notice ok', id: 'plate-notice' }, `✓ Licence plate${photo.plates.length > 1 ? 's' : ''} blurred.`);
  const boxes = open.map((plate) => grownBox(plate, 0.15, photo.displayed));
  return h(
    'div',
    { className: 'notice warn', id: 'plate-notice', role: 'status' },
    h('span', {}, `⚠ ${open.length === 1 ? 'A licence plate was' : `${open.length} licence plates were`} found here (outlined). Blur before publishing.`),
    h('button', { type: 'button', className: 'primary', id: 'blur-plates', title: 'Shift+B', onclick: () => blurAll(boxes) }, open.length === 1 ? 'Blur plate' : 'Blur plates'),
  );
}

/** The draft-wide warning when the finder could not run on this car's photos. */
export function platesNotLookedFor(reason: string | null): HTMLElement | null {
  return reason
    ? h('p', { className: 'notice warn', id: 'plates-not-blurred', role: 'alert' }, `⚠ Plates were not looked for in these photos (${reason}). Check each photo and blur any plate with Blur (B).`)
    : null;
}
