/**
 * Where a line of text sits relative to the car, and so what it can say (pure). A badge is small
 * lettering on the car's body: text outside the car's box, or much larger than a badge relative to the
 * car, is a sign (a show stand's banner, a dealer's board), never the car's badge. Lines stacked in a
 * block on the car (three or more of one size, one above the other) are a board or a sticker: what they
 * say is read as a document, not as badges.
 */
import { boxArea, type Box } from '../core/geometry.js';

export type TextPlace = 'badge' | 'board' | 'sign' | 'unknown';

export interface PlacementSettings {
  /** A badge's line is at most this share of the car box's height tall. */
  badgeMaxHeightShare: number;
  /** ... and at most this share of its width wide. */
  badgeMaxWidthShare: number;
  /** At least this share of the line's box lies inside the car's box. */
  badgeMinInside: number;
  /** Lines in a block of at least this many are a board or sticker. */
  boardMinLines: number;
}

export interface PlacedLine {
  box?: Box;
  car?: Box | null;
}

const height = (b: Box) => b.y2 - b.y1;
const width = (b: Box) => b.x2 - b.x1;
const inside = (line: Box, car: Box) => {
  const inter = boxArea({ x1: Math.max(line.x1, car.x1), y1: Math.max(line.y1, car.y1), x2: Math.min(line.x2, car.x2), y2: Math.min(line.y2, car.y2) });
  return boxArea(line) > 0 ? inter / boxArea(line) : 0;
};

/**
 * The place of each line of one picture (same order). Lines without a box or without the car's box
 * are 'unknown' (a close-up of a document, or text read without positions).
 */
export function placeLines(lines: readonly PlacedLine[], settings: PlacementSettings): TextPlace[] {
  const inBlock = blockMembers(lines, settings.boardMinLines);
  return lines.map((line, i) => {
    const { box, car } = line;
    if (!box) return 'unknown';
    if (inBlock.has(i)) return 'board';
    if (!car) return 'unknown';
    if (inside(box, car) < settings.badgeMinInside) return 'sign';
    if (height(box) > settings.badgeMaxHeightShare * height(car) || width(box) > settings.badgeMaxWidthShare * width(car)) return 'sign';
    return 'badge';
  });
}

/**
 * Lines that belong to a block: chains of lines of similar height, each starting within a line's
 * height below the previous, overlapping it horizontally.
 */
function blockMembers(lines: readonly PlacedLine[], minLines: number): Set<number> {
  const boxes = lines.map((l, i) => ({ i, box: l.box })).filter((l): l is { i: number; box: Box } => l.box !== undefined);
  const parent = new Map(boxes.map((b) => [b.i, b.i]));
  const root = (i: number): number => (parent.get(i) === i ? i : root(parent.get(i)!));
  for (const a of boxes) {
    for (const b of boxes) {
      if (a.i >= b.i) continue;
      const ha = height(a.box);
      const hb = height(b.box);
      if (Math.max(ha, hb) > 2 * Math.min(ha, hb)) continue;
      const [upper, lower] = a.box.y1 <= b.box.y1 ? [a.box, b.box] : [b.box, a.box];
      const gap = lower.y1 - upper.y2;
      const overlap = Math.min(a.box.x2, b.box.x2) - Math.max(a.box.x1, b.box.x1);
      if (gap <= Math.max(ha, hb) * 1.2 && gap > -0.5 * Math.min(ha, hb) && overlap > 0) parent.set(root(a.i), root(b.i));
    }
  }
  const sizes = new Map<number, number>();
  for (const b of boxes) sizes.set(root(b.i), (sizes.get(root(b.i)) ?? 0) + 1);
  return new Set(boxes.filter((b) => (sizes.get(root(b.i)) ?? 0) >= minLines).map((b) => b.i));
}
