/**
 * Box continuity (pure): whether the dominant car's box at one sample can be the same car as at an
 * earlier one, given how far a walking camera can move in the time between. A car is a track first;
 * appearance only decides where continuity cannot.
 */
import { boxArea, type Box } from '../core/geometry.js';
import type { CarSighting } from './observation.js';

export interface ContinuitySettings {
  /** How far the box's centre may move per second, in widths (or heights) of the larger box. */
  continuityMaxShiftPerSecond: number;
  /** How much the box's area may grow or shrink per second, as a factor. */
  continuityMaxScalePerSecond: number;
}

const centre = (b: Box) => ({ x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 });

/** The shift and size change between two boxes, relative to the larger box. */
export function boxMotion(a: Box, b: Box): { shift: number; scale: number } {
  const ca = centre(a);
  const cb = centre(b);
  const width = Math.max(1, a.x2 - a.x1, b.x2 - b.x1);
  const height = Math.max(1, a.y2 - a.y1, b.y2 - b.y1);
  const shift = Math.max(Math.abs(cb.x - ca.x) / width, Math.abs(cb.y - ca.y) / height);
  const areaA = Math.max(1, boxArea(a));
  const areaB = Math.max(1, boxArea(b));
  return { shift, scale: Math.max(areaA / areaB, areaB / areaA) };
}

/**
 * A car cut by the frame's side at under half the size of the car next to it in time: the camera is
 * walking past it (onto or off it), so the two are not one continuous view.
 */
function slidingPast(partial: CarSighting, whole: CarSighting): boolean {
  return partial.touchesSide && partial.areaFraction < 0.5 * whole.areaFraction;
}

/**
 * Whether `next`, seen `dtMs` after `previous`, continues its track: the centre moved no more than
 * the camera can in that time and the size changed within bounds. The allowance never drops below
 * that of a quarter second, so dense frames are not held to a tighter bound than jitter allows.
 */
export function continuesTrack(previous: CarSighting, next: CarSighting, dtMs: number, settings: ContinuitySettings): boolean {
  if (slidingPast(previous, next) || slidingPast(next, previous)) return false;
  const seconds = Math.max(0.25, dtMs / 1000);
  const { shift, scale } = boxMotion(previous.box, next.box);
  return shift <= settings.continuityMaxShiftPerSecond * seconds && scale <= settings.continuityMaxScalePerSecond ** seconds;
}
