/**
 * Geometry of a photo edit (pure): where each original pixel lands and what the renderer cuts out.
 *
 * The picture is turned once about its centre by the total angle (quarter turns plus straightening,
 * clockwise), which puts it on a "canvas" (its bounding box; y points down). Straightening leaves blank
 * corners, so the straightened picture is the largest centred rectangle of the turned picture's
 * aspect ratio that holds no blank pixel. A crop is a box in original pixels that turns with the photo:
 * its centre is an original point and its sides, measured along the displayed axes, keep their length
 * (a turn does not scale). Without a crop the output is the straightened picture.
 */
import type { Box } from '../core/geometry.js';
import type { EditState } from './fold.js';

export interface Size {
  width: number;
  height: number;
}

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

/** A straightening angle smaller than this is treated as none (the turn would only resample). */
const NO_TURN_DEGREES = 0.05;

const radians = (degrees: number) => (degrees * Math.PI) / 180;

/** Total clockwise angle in degrees: quarter turns plus straightening. */
export function totalAngle(state: EditState): number {
  const straighten = Math.abs(state.straightenDegrees) < NO_TURN_DEGREES ? 0 : state.straightenDegrees;
  return state.quarterTurns * 90 + straighten;
}

/** Cosine and sine that are exact for quarter turns (so 90 degrees swaps sides exactly). */
function cosSin(degrees: number): { cos: number; sin: number } {
  const quarter = ((degrees % 360) + 360) % 360;
  if (quarter === 0) return { cos: 1, sin: 0 };
  if (quarter === 90) return { cos: 0, sin: 1 };
  if (quarter === 180) return { cos: -1, sin: 0 };
  if (quarter === 270) return { cos: 0, sin: -1 };
  return { cos: Math.cos(radians(degrees)), sin: Math.sin(radians(degrees)) };
}

/** The bounding box of the original turned by the total angle. */
export function canvasSize(state: EditState, original: Size): Size {
  const { cos, sin } = cosSin(totalAngle(state));
  return {
    width: original.width * Math.abs(cos) + original.height * Math.abs(sin),
    height: original.width * Math.abs(sin) + original.height * Math.abs(cos),
  };
}

/** Original point -> canvas point. */
export function toCanvas(state: EditState, original: Size, p: Point): Point {
  const { cos, sin } = cosSin(totalAngle(state));
  const canvas = canvasSize(state, original);
  const dx = p.x - original.width / 2;
  const dy = p.y - original.height / 2;
  return { x: cos * dx - sin * dy + canvas.width / 2, y: sin * dx + cos * dy + canvas.height / 2 };
}

/** Canvas point -> original point. */
export function toOriginal(state: EditState, original: Size, q: Point): Point {
  const { cos, sin } = cosSin(totalAngle(state));
  const canvas = canvasSize(state, original);
  const dx = q.x - canvas.width / 2;
  const dy = q.y - canvas.height / 2;
  return { x: cos * dx + sin * dy + original.width / 2, y: -sin * dx + cos * dy + original.height / 2 };
}

/** Width and height after the quarter turns alone. */
export function turnedSize(state: EditState, original: Size): Size {
  return state.quarterTurns % 2 === 1 ? { width: original.height, height: original.width } : { ...original };
}

/** The straightened picture on the canvas: the largest centred blank-free rectangle of the turned aspect. */
export function straightenedRect(state: EditState, original: Size): Rect {
  const turned = turnedSize(state, original);
  const canvas = canvasSize(state, original);
  const { cos, sin } = cosSin(totalAngle(state) - state.quarterTurns * 90);
  const c = Math.abs(cos);
  const s = Math.abs(sin);
  // A centred w x h rectangle scaled by k fits inside the turned one when both corner conditions hold.
  const k = Math.min(1, turned.width / (turned.width * c + turned.height * s), turned.height / (turned.width * s + turned.height * c));
  const width = turned.width * k;
  const height = turned.height * k;
  return { left: (canvas.width - width) / 2, top: (canvas.height - height) / 2, width, height };
}

const centre = (b: Box): Point => ({ x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 });

/** The crop on the canvas, kept inside the straightened picture (shrunk, then shifted, as needed). */
export function cropRect(state: EditState, original: Size): Rect {
  const frame = straightenedRect(state, original);
  if (state.crop === null) return frame;
  const sideX = state.crop.x2 - state.crop.x1;
  const sideY = state.crop.y2 - state.crop.y1;
  const [alongWidth, alongHeight] = state.quarterTurns % 2 === 1 ? [sideY, sideX] : [sideX, sideY];
  const width = Math.min(alongWidth, frame.width);
  const height = Math.min(alongHeight, frame.height);
  const c = toCanvas(state, original, centre(state.crop));
  const left = Math.min(Math.max(c.x - width / 2, frame.left), frame.left + frame.width - width);
  const top = Math.min(Math.max(c.y - height / 2, frame.top), frame.top + frame.height - height);
  return { left, top, width, height };
}

/** The displayed frame a box was drawn on: the whole straightened picture, or the cropped output. */
export type DisplayedFrame = 'straightened' | 'cropped';

function frameRect(state: EditState, original: Size, frame: DisplayedFrame): Rect {
  return frame === 'cropped' ? cropRect(state, original) : straightenedRect(state, original);
}

/**
 * A crop box drawn on the displayed picture (full-resolution displayed pixels) as the crop operation
 * stores it: centre mapped back to the original, sides along the displayed axes kept.
 */
export function displayedCropToOriginal(state: EditState, original: Size, box: Box, frame: DisplayedFrame = 'straightened'): Box {
  const origin = frameRect(state, original, frame);
  const c = toOriginal(state, original, { x: origin.left + (box.x1 + box.x2) / 2, y: origin.top + (box.y1 + box.y2) / 2 });
  const w = box.x2 - box.x1;
  const h = box.y2 - box.y1;
  const [sideX, sideY] = state.quarterTurns % 2 === 1 ? [h, w] : [w, h];
  return { x1: c.x - sideX / 2, y1: c.y - sideY / 2, x2: c.x + sideX / 2, y2: c.y + sideY / 2 };
}

/** A region drawn on the displayed picture as the original box that covers it (blur, unblur). */
export function displayedRegionToOriginal(state: EditState, original: Size, box: Box, frame: DisplayedFrame = 'cropped'): Box {
  const origin = frameRect(state, original, frame);
  return boundingBox(cornersOf(box).map((p) => toOriginal(state, original, { x: origin.left + p.x, y: origin.top + p.y })));
}

function cornersOf(box: Box): Point[] {
  return [
    { x: box.x1, y: box.y1 },
    { x: box.x2, y: box.y1 },
    { x: box.x1, y: box.y2 },
    { x: box.x2, y: box.y2 },
  ];
}

function boundingBox(points: readonly Point[]): Box {
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  return { x1: Math.min(...xs), y1: Math.min(...ys), x2: Math.max(...xs), y2: Math.max(...ys) };
}

/** An original box as the displayed (output) region that covers it, or null when it is cut off. */
export function originalRegionToDisplayed(state: EditState, original: Size, box: Box, frame: DisplayedFrame = 'cropped'): Box | null {
  const origin = frameRect(state, original, frame);
  const b = boundingBox(cornersOf(box).map((p) => toCanvas(state, original, p)));
  const clipped = {
    x1: Math.max(0, b.x1 - origin.left),
    y1: Math.max(0, b.y1 - origin.top),
    x2: Math.min(origin.width, b.x2 - origin.left),
    y2: Math.min(origin.height, b.y2 - origin.top),
  };
  return clipped.x2 > clipped.x1 && clipped.y2 > clipped.y1 ? clipped : null;
}

/** What the renderer does, in whole pixels. */
export interface RenderPlan {
  original: Size;
  /** The part of the original cut out before the turn (what the output needs); null: all of it. */
  source: Rect | null;
  /** Clockwise degrees for the one turn (0: none). */
  rotateDegrees: number;
  /** The part of the turned source kept, whole pixels inside it; null: all of it. */
  extract: Rect | null;
  output: Size;
  /** Output pixels, inside the output. */
  blur: Rect[];
  enhance: boolean;
  brightness: number;
}

const SOURCE_MARGIN = 2;

/** The original pixels the crop needs (its corners mapped back, a small margin for interpolation). */
function sourceRect(state: EditState, original: Size, crop: Rect): Rect {
  const corners = [
    { x: crop.left, y: crop.top },
    { x: crop.left + crop.width, y: crop.top },
    { x: crop.left, y: crop.top + crop.height },
    { x: crop.left + crop.width, y: crop.top + crop.height },
  ].map((q) => toOriginal(state, original, q));
  const b = boundingBox(corners);
  const x1 = Math.max(0, Math.floor(b.x1) - SOURCE_MARGIN);
  const y1 = Math.max(0, Math.floor(b.y1) - SOURCE_MARGIN);
  const x2 = Math.min(original.width, Math.ceil(b.x2) + SOURCE_MARGIN);
  const y2 = Math.min(original.height, Math.ceil(b.y2) + SOURCE_MARGIN);
  return { left: x1, top: y1, width: x2 - x1, height: y2 - y1 };
}

/**
 * Whole-pixel plan. Only the original pixels the output needs are turned. The canvas of a
 * non-quarter turn is taken as its floor, at most one pixel short of what the image library makes,
 * so the cut-out always lies inside what is really there.
 */
export function planRender(state: EditState, original: Size): RenderPlan {
  const crop = cropRect(state, original);
  const source = sourceRect(state, original, crop);
  const whole = source.left === 0 && source.top === 0 && source.width === original.width && source.height === original.height;
  const sourceSize = { width: source.width, height: source.height };
  // A turn is rigid: the crop moves by one offset from the full canvas to the source's canvas.
  const anchor = { x: source.left + source.width / 2, y: source.top + source.height / 2 };
  const inFull = toCanvas(state, original, anchor);
  const inSource = toCanvas(state, sourceSize, { x: source.width / 2, y: source.height / 2 });
  const exactCanvas = canvasSize(state, sourceSize);
  const canvas = { width: Math.floor(exactCanvas.width + 1e-6), height: Math.floor(exactCanvas.height + 1e-6) };
  const left = Math.min(Math.max(0, Math.round(crop.left + inSource.x - inFull.x)), canvas.width - 1);
  const top = Math.min(Math.max(0, Math.round(crop.top + inSource.y - inFull.y)), canvas.height - 1);
  const width = Math.max(1, Math.min(Math.round(crop.width), canvas.width - left));
  const height = Math.max(1, Math.min(Math.round(crop.height), canvas.height - top));
  const uncut = left === 0 && top === 0 && width === canvas.width && height === canvas.height;
  const blur: Rect[] = [];
  for (const region of state.blurRegions) {
    const shown = originalRegionToDisplayed(state, original, region, 'cropped');
    if (shown === null) continue;
    const x1 = Math.max(0, Math.floor(shown.x1));
    const y1 = Math.max(0, Math.floor(shown.y1));
    const x2 = Math.min(width, Math.ceil(shown.x2));
    const y2 = Math.min(height, Math.ceil(shown.y2));
    if (x2 > x1 && y2 > y1) blur.push({ left: x1, top: y1, width: x2 - x1, height: y2 - y1 });
  }
  return {
    original,
    source: whole ? null : source,
    rotateDegrees: totalAngle(state),
    extract: uncut ? null : { left, top, width, height },
    output: { width, height },
    blur,
    enhance: state.enhance,
    brightness: state.brightness,
  };
}
