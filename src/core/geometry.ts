/** Boxes are {x1, y1, x2, y2} in source-frame pixels after rotation. */
export interface Box {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
}

export function boxArea(b: Box): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

export function intersectionOverUnion(a: Box, b: Box): number {
  const inter = boxArea({ x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1), x2: Math.min(a.x2, b.x2), y2: Math.min(a.y2, b.y2) });
  const union = boxArea(a) + boxArea(b) - inter;
  return union > 0 ? inter / union : 0;
}

export function scaleBox(b: Box, sx: number, sy: number = sx): Box {
  return { x1: b.x1 * sx, y1: b.y1 * sy, x2: b.x2 * sx, y2: b.y2 * sy };
}

export function clampBox(b: Box, width: number, height: number): Box {
  const clamp = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
  return { x1: clamp(b.x1, width), y1: clamp(b.y1, height), x2: clamp(b.x2, width), y2: clamp(b.y2, height) };
}
