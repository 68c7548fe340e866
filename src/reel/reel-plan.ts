/**
 * What a reel shows and when (pure): the shots in order (the cover, the listing order of photos, cuts
 * of the car's clip), how long each is on screen, and where each photo's slow zoom looks. Times are
 * integer milliseconds of the reel; rectangles are in the source picture's pixels.
 */
import type { Box } from '../core/geometry.js';
import { LotreelError } from '../core/errors.js';
import type { ReelSettings } from '../config/config.js';

export const REEL_FORMATS = ['vertical', 'horizontal', 'square'] as const;
export type ReelFormat = (typeof REEL_FORMATS)[number];

export const REEL_SIZE: Record<ReelFormat, { width: number; height: number }> = {
  vertical: { width: 1080, height: 1920 },
  horizontal: { width: 1920, height: 1080 },
  square: { width: 1080, height: 1080 },
};

export const REEL_FPS = 30;

export function parseReelFormats(text: string): ReelFormat[] {
  const formats = text.split(',').map((f) => f.trim()).filter((f) => f !== '');
  const wrong = formats.filter((f) => !(REEL_FORMATS as readonly string[]).includes(f));
  if (formats.length === 0 || wrong.length > 0) {
    throw new LotreelError('INVALID_ARGUMENT', `unknown reel format ${JSON.stringify(wrong[0] ?? text)}: use ${REEL_FORMATS.join(', ')}`);
  }
  return [...new Set(formats)] as ReelFormat[];
}

export interface ReelPhoto {
  file: string;
  width: number;
  height: number;
  /** The car in the photo, when known: the framing keeps all of it on screen. */
  carBox?: Box | null;
}

export interface ReelClip {
  file: string;
  durationMs: number;
  width: number;
  height: number;
}

/** A rectangle of the source picture: what fills the frame at one moment. */
export interface Window {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PhotoShot {
  kind: 'photo';
  /** Index into the plan's photos. */
  photo: number;
  startMs: number;
  durationMs: number;
  /**
   * The picture the shot moves over, in source pixels, of the reel's aspect; it may reach outside the
   * photo (a wide car in a tall frame), where a blurred copy of the photo fills in.
   */
  canvas: Window;
  /** What fills the frame at the shot's start and end, in canvas pixels (the zoom moves linearly between). */
  from: Window;
  to: Window;
}

export interface ClipShot {
  kind: 'clip';
  startMs: number;
  durationMs: number;
  /** Where in the clip the cut starts. */
  clipStartMs: number;
}

export type Shot = PhotoShot | ClipShot;

export interface ReelPlan {
  format: ReelFormat;
  width: number;
  height: number;
  fps: number;
  photos: ReelPhoto[];
  clip: ReelClip | null;
  shots: Shot[];
  transitionMs: number;
  durationMs: number;
}

type PlanSettings = Pick<ReelSettings, 'photoShotMs' | 'transitionMs' | 'minDurationMs' | 'maxDurationMs' | 'clipCutMs' | 'maxClipCuts' | 'maxZoom' | 'boxMargin'>;

/** The rectangle of aspect `aspect` (width/height) centred on (cx, cy) with at least this width and height. */
function aspectRect(cx: number, cy: number, minWidth: number, minHeight: number, aspect: number): Window {
  const width = Math.max(minWidth, minHeight * aspect);
  const height = width / aspect;
  return { x: cx - width / 2, y: cy - height / 2, width, height };
}

/** Moves a span [start, start+size) into [0, limit) when it fits there; else centres it on the limit. */
function clampSpan(start: number, size: number, limit: number): number {
  if (size >= limit) return (limit - size) / 2;
  return Math.min(Math.max(start, 0), limit - size);
}

/**
 * The canvas of one photo: the largest rectangle of the reel's aspect inside the photo, placed on the
 * car; when the car (with margin and room for the zoom) does not fit in it, the smallest rectangle
 * that holds the car, reaching outside the photo as little as it can.
 */
export function photoCanvas(photo: ReelPhoto, aspect: number, settings: Pick<PlanSettings, 'maxZoom' | 'boxMargin'>): Window {
  const box = photo.carBox ?? { x1: 0, y1: 0, x2: photo.width, y2: photo.height };
  const cx = (box.x1 + box.x2) / 2;
  const cy = (box.y1 + box.y2) / 2;
  const grow = settings.maxZoom * (1 + settings.boxMargin);
  const needW = photo.carBox ? (box.x2 - box.x1) * grow : 0;
  const needH = photo.carBox ? (box.y2 - box.y1) * grow : 0;
  const inside = aspectRect(cx, cy, 0, 0, aspect);
  // The largest rectangle of the aspect inside the photo.
  const fitW = Math.min(photo.width, photo.height * aspect);
  const largest = { ...inside, width: fitW, height: fitW / aspect };
  const base = largest.width >= needW && largest.height >= needH ? largest : aspectRect(cx, cy, needW, needH, aspect);
  return {
    x: clampSpan(cx - base.width / 2, base.width, photo.width),
    y: clampSpan(cy - base.height / 2, base.height, photo.height),
    width: base.width,
    height: base.height,
  };
}

/**
 * Where the zoom ends: the canvas shrunk by `maxZoom`, on the car, kept inside the canvas. The car's
 * box (grown by the margin) always fits in it, because the canvas was made `maxZoom` times bigger.
 */
export function zoomWindow(canvas: Window, carBox: Box | null | undefined, maxZoom: number): Window {
  const width = canvas.width / maxZoom;
  const height = canvas.height / maxZoom;
  const cx = carBox ? (carBox.x1 + carBox.x2) / 2 - canvas.x : canvas.width / 2;
  const cy = carBox ? (carBox.y1 + carBox.y2) / 2 - canvas.y : canvas.height / 2;
  return { x: clampSpan(cx - width / 2, width, canvas.width), y: clampSpan(cy - height / 2, height, canvas.height), width, height };
}

/** The window at progress p (0..1) of a shot: edges move linearly, so a box inside both ends stays inside. */
export function windowAt(shot: Pick<PhotoShot, 'from' | 'to'>, p: number): Window {
  const lerp = (a: number, b: number) => a + (b - a) * p;
  return { x: lerp(shot.from.x, shot.to.x), y: lerp(shot.from.y, shot.to.y), width: lerp(shot.from.width, shot.to.width), height: lerp(shot.from.height, shot.to.height) };
}

/** Where the clip's cuts start, spread over it, when no steadier moments are known. */
export function spreadCuts(clipMs: number, cutMs: number, count: number): number[] {
  if (clipMs < cutMs || count === 0) return [];
  const n = Math.min(count, Math.floor(clipMs / cutMs));
  return Array.from({ length: n }, (_, k) => Math.round(((clipMs - cutMs) * (k + 1)) / (n + 1)));
}

export interface PlanInput {
  format: ReelFormat;
  /** In listing order, the cover first. */
  photos: readonly ReelPhoto[];
  clip?: ReelClip | null;
  /** Start times of the clip's cuts (its steadiest moments), each `clipCutMs` long. */
  clipCutsMs?: readonly number[];
}

/**
 * The shots: the cover, then the other photos in listing order, the clip's cuts placed after the cover
 * and in the middle. Photos beyond what fits in `maxDurationMs` are left out (never the cover); photo
 * shots are lengthened when the reel would be shorter than `minDurationMs`.
 */
export function planReel(input: PlanInput, settings: PlanSettings): ReelPlan {
  if (input.photos.length === 0) throw new LotreelError('INVALID_ARGUMENT', 'a reel needs at least one photo');
  if (settings.minDurationMs > settings.maxDurationMs) throw new LotreelError('INVALID_CONFIG', 'reel.minDurationMs is above reel.maxDurationMs');
  const { width, height } = REEL_SIZE[input.format];
  const aspect = width / height;
  const t = settings.transitionMs;
  const clip = input.clip ?? null;
  const cuts = clip ? (input.clipCutsMs ?? spreadCuts(clip.durationMs, settings.clipCutMs, settings.maxClipCuts)).slice(0, settings.maxClipCuts) : [];
  const clipTotal = cuts.length * settings.clipCutMs;
  const total = (photoCount: number, shotMs: number) => photoCount * shotMs + clipTotal - (photoCount + cuts.length - 1) * t;

  let photoCount = input.photos.length;
  while (photoCount > 1 && total(photoCount, settings.photoShotMs) > settings.maxDurationMs) photoCount--;
  let shotMs = settings.photoShotMs;
  if (total(photoCount, shotMs) < settings.minDurationMs) {
    // Lengthen the photos just enough (whole frames) to reach the shortest reel.
    const needed = (settings.minDurationMs - clipTotal + (photoCount + cuts.length - 1) * t) / photoCount;
    shotMs = Math.ceil((Math.ceil((needed * REEL_FPS) / 1000 - 1e-9) * 1000) / REEL_FPS);
  }
  const photos = input.photos.slice(0, photoCount);
  const order: ({ kind: 'photo'; index: number } | { kind: 'clip'; startMs: number })[] = photos.map((_, index) => ({ kind: 'photo' as const, index }));
  // The first cut right after the cover, the next ones spread over the rest.
  cuts.forEach((startMs, k) => {
    const at = k === 0 ? 1 : Math.min(order.length, 1 + Math.round(((k + 1) * (order.length - 1)) / (cuts.length + 1)) + k);
    order.splice(at, 0, { kind: 'clip', startMs });
  });

  const shots: Shot[] = [];
  let startMs = 0;
  order.forEach((item, k) => {
    const durationMs = item.kind === 'photo' ? shotMs : settings.clipCutMs;
    if (item.kind === 'clip') {
      shots.push({ kind: 'clip', startMs, durationMs, clipStartMs: item.startMs });
    } else {
      const photo = photos[item.index];
      const canvas = photoCanvas(photo, aspect, settings);
      const whole = { x: 0, y: 0, width: canvas.width, height: canvas.height };
      const close = zoomWindow(canvas, photo.carBox, settings.maxZoom);
      // Alternate in and out so consecutive shots do not all move the same way.
      const zoomIn = k % 2 === 0;
      shots.push({ kind: 'photo', photo: item.index, startMs, durationMs, canvas, from: zoomIn ? whole : close, to: zoomIn ? close : whole });
    }
    startMs += durationMs - t;
  });
  const durationMs = startMs + t;
  return { format: input.format, width, height, fps: REEL_FPS, photos, clip: cuts.length > 0 ? clip : null, shots, transitionMs: t, durationMs };
}

/** The shot on screen at `ms` (the later one during a transition), or null past the end. */
export function shotAt(plan: ReelPlan, ms: number): Shot | null {
  for (let k = plan.shots.length - 1; k >= 0; k--) if (ms >= plan.shots[k].startMs) return ms < plan.durationMs ? plan.shots[k] : null;
  return null;
}

/** The middle of a shot's time alone on screen (no transition): where a test or a thumbnail looks. */
export function shotMiddleMs(plan: ReelPlan, shot: Shot): number {
  const first = plan.shots[0] === shot;
  const from = shot.startMs + (first ? 0 : plan.transitionMs);
  const to = shot.startMs + shot.durationMs - plan.transitionMs;
  return Math.round((from + to) / 2);
}
