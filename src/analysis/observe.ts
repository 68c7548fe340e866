/** Turns one analysed frame into an Observation: the dominant car and its measures (pure). */
import type { Box } from '../core/geometry.js';
import type { Frame } from '../media/types.js';
import type { Detection } from '../vision/types.js';
import { colourVotes } from './colour-name.js';
import { chooseDominantCar, type DominantCarSettings } from './dominant-car.js';
import { colourHistogram, measureCropQuality, type CropQuality } from '../vision/image-stats.js';
import type { Observation } from './observation.js';

/** `measureQuality` lets the caller pass the native kernel (src/vision/kernels.ts); same results. */
export function observeFrame(
  frame: Frame,
  detections: readonly Detection[],
  previous: Box | null,
  settings: DominantCarSettings,
  measureQuality: (frame: Frame, box: Box) => CropQuality = measureCropQuality,
): Observation {
  const dominant = chooseDominantCar(detections, frame.width, frame.height, previous, settings);
  if (!dominant) return { timestampMs: frame.timestampMs, car: null };
  const { box, classId, score, embedding } = dominant.detection;
  return {
    timestampMs: frame.timestampMs,
    car: {
      box,
      classId,
      score,
      areaFraction: dominant.areaFraction,
      centreOffset: dominant.centreOffset,
      touchesSide: dominant.touchesSide,
      appearance: { colour: colourHistogram(frame, box), embedding },
      quality: measureQuality(frame, box),
      colour: colourVotes(frame, box),
    },
  };
}
