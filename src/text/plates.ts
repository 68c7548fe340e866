/**
 * Licence plates among the text regions of a picture (pure). Finding is not reading: a plate is a
 * region of characters with a plate's shape (a wide line, slanted at most `maxAngleDeg`), low on a
 * vehicle, and the tallest such text on that vehicle. What the recogniser read only helps: text that
 * reads like a plate is always taken (and then stands for its vehicle's plate), a plain word (a
 * badge, a dealer's name) is not, unless it is the only such text on its vehicle and the tallest in
 * the picture (vanity plates). Every vehicle in the picture is searched, and text on
 * no detected vehicle too (close-ups where the detector sees no whole car). The region returned is
 * the text's rotated rectangle grown to the plate's border, as a quad and its bounds, in picture pixels.
 */
import { boxArea, clampBox, intersection, quadBounds, rotatedRect, type Box, type Quad } from '../core/geometry.js';
import { DEFAULT_SETTINGS, type AnalysisSettings } from '../config/settings.js';
import { mentionsPrice, readMileage } from './text-evidence.js';

/** The finder's thresholds: the `plates` settings group (src/config/settings-schema.ts). */
export type PlateSettings = AnalysisSettings['plates'];
export const DEFAULT_PLATE_SETTINGS: PlateSettings = DEFAULT_SETTINGS.plates;

/** A text region found by the detector, with what the recogniser read there when it ran. */
export interface PlateText {
  box: Box;
  /** The text as a rotated rectangle; the box stands for it when absent. */
  quad?: Quad;
  text?: string;
  textScore?: number;
}

export interface Vehicle {
  box: Box;
  score: number;
}

export interface PlateRegion {
  /** The plate with its margin, rotated with the text. */
  quad: Quad;
  /** The quad's bounds, clamped to the picture. */
  box: Box;
}

/** A text line along its own direction: centre, length, thickness, slant (radians, within ±90°). */
export interface TextLine {
  cx: number;
  cy: number;
  width: number;
  height: number;
  angle: number;
}

/** The line a text region stands for: its quad's longer side is its direction. */
export function textLine(text: Pick<PlateText, 'box' | 'quad'>): TextLine {
  const q = text.quad ?? [
    { x: text.box.x1, y: text.box.y1 },
    { x: text.box.x2, y: text.box.y1 },
    { x: text.box.x2, y: text.box.y2 },
    { x: text.box.x1, y: text.box.y2 },
  ];
  const cx = (q[0].x + q[1].x + q[2].x + q[3].x) / 4;
  const cy = (q[0].y + q[1].y + q[2].y + q[3].y) / 4;
  const a = Math.hypot(q[1].x - q[0].x, q[1].y - q[0].y);
  const b = Math.hypot(q[2].x - q[1].x, q[2].y - q[1].y);
  const along = a >= b ? { dx: q[1].x - q[0].x, dy: q[1].y - q[0].y } : { dx: q[2].x - q[1].x, dy: q[2].y - q[1].y };
  let angle = Math.atan2(along.dy, along.dx);
  // A direction, not an arrow: within ±90°.
  if (angle > Math.PI / 2) angle -= Math.PI;
  if (angle <= -Math.PI / 2) angle += Math.PI;
  return { cx, cy, width: Math.max(a, b), height: Math.min(a, b), angle };
}

const compact = (text: string) => text.toUpperCase().replace(/[\s\-.·:]/g, '');

/** Whether `text` reads like a plate: 4 to 9 letters and digits (spaces, dashes, dots apart) with at least one digit. */
export function looksLikePlateText(text: string): boolean {
  if (mentionsPrice(text) || readMileage(text)) return false;
  const c = compact(text);
  if (!/^[A-Z0-9]{4,9}$/.test(c)) return false;
  return /\d/.test(c) && !/^\d{4}$/.test(c);
}

/**
 * Whether `text` reads as something else than a plate: a plain word (three or more letters and
 * nothing else), a short number (a year, a date, a model number) or a line too long for a plate.
 */
export function readsAsNotPlate(text: string): boolean {
  const c = compact(text).replace(/[/,]/g, '');
  return /^\p{L}{3,}$/u.test(c) || /^\d{1,4}$/.test(c) || c.length > 10;
}

/** A word that could still be a vanity plate: 3 to 9 Latin letters. */
const couldBeVanity = (text: string) => /^[A-Z]{3,9}$/.test(compact(text));

interface Candidate {
  line: TextLine;
  group: number;
  /** Read surely, as a plate's text (five characters or more: short badges like "L16V" read like plates too). */
  plateText: boolean;
  /** Read surely, as something else. */
  word: boolean;
  /** ...yet maybe a vanity plate. */
  vanity: boolean;
}

/**
 * The vehicle a text line belongs to: the smallest vehicle box holding its centre. -1 for text on no
 * vehicle; null when it sits on a vehicle but where no plate is (too high, too wide).
 */
function vehicleOf(line: TextLine, vehicles: readonly Vehicle[], settings: PlateSettings): number | null {
  let best = -1;
  let bestArea = Infinity;
  let onAny = false;
  for (const [k, { box }] of vehicles.entries()) {
    const w = box.x2 - box.x1;
    const h = box.y2 - box.y1;
    if (line.cx < box.x1 || line.cx > box.x2 || line.cy < box.y1 || line.cy > box.y2) continue;
    onAny = true;
    if (line.cy < box.y1 + settings.minHeightOnCar * h || line.width > settings.maxWidthOnCar * w) continue;
    if (w * h < bestArea) {
      best = k;
      bestArea = w * h;
    }
  }
  return best === -1 && onAny ? null : best;
}

/** The rotated rectangle of a text line, as a quad. */
const lineQuad = (l: TextLine): Quad => rotatedRect(l.cx, l.cy, l.width, l.height, l.angle);

/** One line of text from two pieces on it: their extent along the first's direction, the taller one's thickness. */
function joinedLine(a: TextLine, b: TextLine): TextLine {
  const ux = Math.cos(a.angle);
  const uy = Math.sin(a.angle);
  const along = (l: TextLine) => (l.cx - a.cx) * ux + (l.cy - a.cy) * uy;
  const from = Math.min(-a.width / 2, along(b) - b.width / 2);
  const to = Math.max(a.width / 2, along(b) + b.width / 2);
  const mid = (from + to) / 2;
  const across = ((b.cx - a.cx) * -uy + (b.cy - a.cy) * ux) / 2;
  return { cx: a.cx + mid * ux - across * uy, cy: a.cy + mid * uy + across * ux, width: to - from, height: Math.max(a.height, b.height), angle: a.angle };
}

/** Whether `b` continues `a`'s line: as thick, as slanted, in line with it, and close along it (`fragmentMaxGap` thicknesses). */
function continuesLine(a: TextLine, b: TextLine, settings: PlateSettings): boolean {
  const thick = Math.max(a.height, b.height);
  if (Math.min(a.height, b.height) < settings.fragmentMinHeightShare * thick) return false;
  let turn = Math.abs(a.angle - b.angle);
  if (turn > Math.PI / 2) turn = Math.PI - turn;
  if (turn > (settings.fragmentMaxTurnDeg * Math.PI) / 180) return false;
  const ux = Math.cos(a.angle);
  const uy = Math.sin(a.angle);
  const along = Math.abs((b.cx - a.cx) * ux + (b.cy - a.cy) * uy);
  const across = Math.abs((b.cx - a.cx) * -uy + (b.cy - a.cy) * ux);
  const gap = along - (a.width + b.width) / 2;
  // Overlapping much, they are the same text found twice (two passes), not two pieces of it.
  return across <= 0.4 * thick && gap <= settings.fragmentMaxGap * thick && gap >= -0.5 * Math.min(a.width, b.width);
}

/**
 * Pieces of one line of text joined into one region: the text detector splits a plate where its
 * characters are grouped (a space, a dash, a badge between) or blurred into blobs. A joined line reads
 * as its pieces' readings in order, when every piece was read.
 */
export function joinLineFragments<T extends PlateText>(texts: readonly T[], settings: PlateSettings = DEFAULT_PLATE_SETTINGS): PlateText[] {
  const lines = texts.map((t) => ({ line: textLine(t), parts: [t] as PlateText[] }));
  for (let joined = true; joined; ) {
    joined = false;
    outer: for (let i = 0; i < lines.length; i++) {
      for (let j = i + 1; j < lines.length; j++) {
        if (!continuesLine(lines[i].line, lines[j].line, settings)) continue;
        lines[i] = { line: joinedLine(lines[i].line, lines[j].line), parts: [...lines[i].parts, ...lines[j].parts] };
        lines.splice(j, 1);
        joined = true;
        break outer;
      }
    }
  }
  return lines.map(({ line, parts }) => {
    if (parts.length === 1) return parts[0];
    const quad = lineQuad(line);
    const ordered = [...parts].sort((p, q) => (textLine(p).cx - textLine(q).cx) * Math.cos(line.angle) + (textLine(p).cy - textLine(q).cy) * Math.sin(line.angle));
    const read = ordered.every((p) => p.text !== undefined && p.textScore !== undefined);
    return { box: quadBounds(quad), quad, ...(read ? { text: ordered.map((p) => p.text).join(' '), textScore: Math.min(...ordered.map((p) => p.textScore!)) } : {}) };
  });
}

/** Plate regions among a picture's text, on any of its vehicles (or on none). */
export function findPlates(texts: readonly PlateText[], vehicles: readonly Vehicle[], image: { width: number; height: number }, settings: PlateSettings = DEFAULT_PLATE_SETTINGS): PlateRegion[] {
  const onVehicles = vehicles.filter((v) => v.score >= settings.minVehicleScore);
  const maxAngle = (settings.maxAngleDeg * Math.PI) / 180;
  const candidates: Candidate[] = [];
  for (const text of joinLineFragments(texts, settings)) {
    const line = textLine(text);
    const aspect = line.width / line.height;
    if (!(line.height >= settings.minTextHeight && aspect >= settings.minAspect && aspect <= settings.maxAspect && Math.abs(line.angle) <= maxAngle)) continue;
    const read = text.text ?? '';
    if (read && (mentionsPrice(read) || readMileage(read))) continue;
    const group = vehicleOf(line, onVehicles, settings);
    if (group === null) continue;
    const surely = (text.textScore ?? 0) >= settings.minWordScore;
    const word = surely && readsAsNotPlate(read);
    candidates.push({ line, group, plateText: surely && looksLikePlateText(read) && compact(read).length >= 5, word, vanity: word && couldBeVanity(read) });
  }
  // Over all the lines of text, plate-shaped or not: a word under a taller line is not a vanity plate.
  const tallestInPicture = Math.max(0, ...texts.map(textLine).filter((l) => l.width >= settings.minAspect * l.height).map((l) => l.height));
  const countOn = new Map<number, number>();
  for (const c of candidates) countOn.set(c.group, (countOn.get(c.group) ?? 0) + 1);
  const tallestOn = new Map<number, number>();
  const lowestOn = new Map<number, Candidate>();
  for (const c of candidates) {
    if (c.word) continue;
    tallestOn.set(c.group, Math.max(tallestOn.get(c.group) ?? 0, c.line.height));
    const lowest = lowestOn.get(c.group);
    if (c.group >= 0 && (!lowest || c.line.cy > lowest.line.cy)) lowestOn.set(c.group, c);
  }
  // A vehicle shows one plate: when one surely reads as a plate, unread text beside it is something else (a grille).
  const readOn = new Set(candidates.filter((c) => c.plateText && c.group >= 0).map((c) => c.group));
  const plates: PlateRegion[] = [];
  const offVehicles: { c: Candidate; plate: PlateRegion }[] = [];
  for (const c of candidates) {
    const { line } = c;
    // A word is a plate (a vanity plate) only as the one plate-shaped text on its vehicle, the tallest in the picture.
    if (c.word && (!c.vanity || line.height < tallestInPicture || (countOn.get(c.group) ?? 0) > 1)) continue;
    if (readOn.has(c.group) && !c.plateText) continue;
    const tallest = tallestOn.get(c.group) ?? 0;
    const share = lowestOn.get(c.group) === c ? settings.lowestMinHeightVsTallest : settings.minHeightVsTallest;
    if (!c.plateText && line.height < share * tallest) continue;
    const quad = rotatedRect(line.cx, line.cy, line.width * (1 + 2 * settings.marginAlong), line.height * (1 + 2 * settings.marginAcross), line.angle);
    const plate = { quad, box: clampBox(quadBounds(quad), image.width, image.height) };
    if (c.group >= 0) plates.push(plate);
    else offVehicles.push({ c, plate });
  }
  // Text on no vehicle is a plate when no vehicle shows one (a close-up the detector missed); beside
  // vehicles that do, it is a sign unless it reads like a plate.
  for (const { c, plate } of offVehicles) if (plates.length === 0 || c.plateText) plates.push(plate);
  return withoutRepeats(plates);
}

/** The same plate found twice (its text split, or searched from two vehicles): the larger region stays. */
function withoutRepeats(plates: readonly PlateRegion[]): PlateRegion[] {
  const bySize = [...plates].sort((a, b) => boxArea(b.box) - boxArea(a.box));
  const kept: PlateRegion[] = [];
  for (const plate of bySize) {
    const area = boxArea(plate.box);
    if (kept.some((k) => area > 0 && boxArea(intersection(plate.box, k.box)) / area >= 0.7)) continue;
    kept.push(plate);
  }
  return plates.filter((p) => kept.includes(p));
}
