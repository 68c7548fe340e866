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

/** The overlap of two boxes (empty: x2 <= x1 or y2 <= y1). */
export function intersection(a: Box, b: Box): Box {
  return { x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1), x2: Math.min(a.x2, b.x2), y2: Math.min(a.y2, b.y2) };
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

export interface Point {
  x: number;
  y: number;
}

/** Four corners in order round the shape (a rotated rectangle: top-left, top-right, bottom-right, bottom-left of its own frame). */
export type Quad = [Point, Point, Point, Point];

/** The axis-aligned box around a quad. */
export function quadBounds(quad: readonly Point[]): Box {
  const xs = quad.map((p) => p.x);
  const ys = quad.map((p) => p.y);
  return { x1: Math.min(...xs), y1: Math.min(...ys), x2: Math.max(...xs), y2: Math.max(...ys) };
}

/** The quad of a rectangle centred on (cx, cy), `width` along `angle` (radians) and `height` across it. */
export function rotatedRect(cx: number, cy: number, width: number, height: number, angle: number): Quad {
  const ux = Math.cos(angle) * (width / 2);
  const uy = Math.sin(angle) * (width / 2);
  const vx = -Math.sin(angle) * (height / 2);
  const vy = Math.cos(angle) * (height / 2);
  return [
    { x: cx - ux - vx, y: cy - uy - vy },
    { x: cx + ux - vx, y: cy + uy - vy },
    { x: cx + ux + vx, y: cy + uy + vy },
    { x: cx - ux + vx, y: cy - uy + vy },
  ];
}
