/** Turns one analysed frame into an Observation: the dominant car and its measures (pure). */
import type { Box } from '../core/geometry.js';
import type { Frame } from '../media/types.js';
import type { Detection } from '../vision/types.js';
import { colourVotes, emptyVotes } from './colour-name.js';
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
  if (!dominant) {
    const whole: Box = { x1: 0, y1: 0, x2: frame.width, y2: frame.height };
    const closeUp = {
      box: whole, classId: -1, score: 0, areaFraction: 1, centreOffset: 0, touchesSide: false,
      appearance: { colour: colourHistogram(frame, whole) },
      quality: measureQuality(frame, whole),
      colour: emptyVotes(),
    };
    return { timestampMs: frame.timestampMs, car: null, closeUp };
  }
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
