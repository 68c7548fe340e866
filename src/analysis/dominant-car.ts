/** Picks the car the camera is filming in one frame: large, central, and continuing the current track. */
import { boxArea, intersectionOverUnion, type Box } from '../core/geometry.js';
import type { Detection } from '../vision/types.js';

/** COCO classes that are vehicles a dealer sells: car, bus (vans), truck (pickups). */
export const VEHICLE_CLASS_IDS: ReadonlySet<number> = new Set([2, 5, 7]);

export interface DominantCarSettings {
  /** Minimum share of the frame's area the box must cover. */
  dominantMinArea: number;
}

export interface DominantCar {
  detection: Detection;
  areaFraction: number;
  /** 0 at the frame's centre, 1 at a corner. */
  centreOffset: number;
  /** The box reaches the frame's left or right edge: the car is probably cut off. */
  touchesSide: boolean;
}

const EDGE_MARGIN = 0.01;

function describeBox(box: Box, frameWidth: number, frameHeight: number) {
  const cx = (box.x1 + box.x2) / 2 / frameWidth - 0.5;
  const cy = (box.y1 + box.y2) / 2 / frameHeight - 0.5;
  return {
    areaFraction: boxArea(box) / (frameWidth * frameHeight),
    centreOffset: Math.min(1, Math.hypot(cx, cy) / Math.SQRT1_2),
    touchesSide: box.x1 <= frameWidth * EDGE_MARGIN || box.x2 >= frameWidth * (1 - EDGE_MARGIN),
  };
}

/**
 * The dominant vehicle, or null when no vehicle is large enough (walking between cars, a car in the
 * background). Size counts most, then closeness to the centre; a box that continues the previous
 * frame's track gets a bonus so the choice does not flip between two similar cars.
 */
export function chooseDominantCar(
  detections: readonly Detection[],
  frameWidth: number,
  frameHeight: number,
  previous: Box | null,
  settings: DominantCarSettings,
): DominantCar | null {
  let best: DominantCar | null = null;
  let bestScore = -Infinity;
  for (const detection of detections) {
    if (!VEHICLE_CLASS_IDS.has(detection.classId)) continue;
    const shape = describeBox(detection.box, frameWidth, frameHeight);
    if (shape.areaFraction < settings.dominantMinArea) continue;
    const continuity = previous ? intersectionOverUnion(previous, detection.box) : 0;
    const score = Math.sqrt(shape.areaFraction) * (1 - 0.5 * shape.centreOffset) * (0.5 + 0.5 * detection.score) * (1 + 0.3 * continuity);
    if (score > bestScore) {
      bestScore = score;
      best = { detection, areaFraction: shape.areaFraction, centreOffset: shape.centreOffset, touchesSide: shape.touchesSide };
    }
  }
  return best;
}
