/** The region tool's arithmetic (pure): a box from two corners inside the picture, the zoom steps. */
import type { Box, Size } from './api-types.js';

export const ZOOM_STEPS = [1, 2, 4, 8] as const;

/** The nearest allowed zoom at or under `zoom` (at least 1). */
export function clampZoom(zoom: number): number {
  return [...ZOOM_STEPS].reverse().find((step) => step <= zoom) ?? 1;
}

/** The box with corners `a` and `b` (any order), kept inside the picture; null for a click (under 2 px). */
export function drawnBox(a: { x: number; y: number }, b: { x: number; y: number }, full: Size): Box | null {
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v));
  const box = {
    x1: clamp(Math.min(a.x, b.x), full.width),
    y1: clamp(Math.min(a.y, b.y), full.height),
    x2: clamp(Math.max(a.x, b.x), full.width),
    y2: clamp(Math.max(a.y, b.y), full.height),
  };
  return box.x2 - box.x1 >= 2 && box.y2 - box.y1 >= 2 ? box : null;
}

/** What a seller is told about a photo's size: small when under either side of the limit. */
export function smallPhotoNote(size: Size, limit: { longSide: number; shortSide: number }): string | null {
  const long = Math.max(size.width, size.height);
  const short = Math.min(size.width, size.height);
  if (long >= limit.longSide && short >= limit.shortSide) return null;
  return `Small: ${Math.round(size.width)}×${Math.round(size.height)} px. Listing sites want at least ${limit.longSide}×${limit.shortSide}; this photo may look soft or be refused.`;
}

/** True when `region` covers at least `share` of `box`'s area. */
export function coveredBy(box: Box, region: Box, share = 0.9): boolean {
  const w = Math.min(box.x2, region.x2) - Math.max(box.x1, region.x1);
  const hgt = Math.min(box.y2, region.y2) - Math.max(box.y1, region.y1);
  const area = (box.x2 - box.x1) * (box.y2 - box.y1);
  return w > 0 && hgt > 0 && area > 0 && (w * hgt) / area >= share;
}

/** `box` grown by `margin` of its size on each side, kept inside the picture. */
export function grownBox(box: Box, margin: number, full: Size): Box {
  const dx = (box.x2 - box.x1) * margin;
  const dy = (box.y2 - box.y1) * margin;
  return { x1: Math.max(0, box.x1 - dx), y1: Math.max(0, box.y1 - dy), x2: Math.min(full.width, box.x2 + dx), y2: Math.min(full.height, box.y2 + dy) };
}
