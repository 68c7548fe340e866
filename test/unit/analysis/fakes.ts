/** Builders of small, readable inputs for the pure pipeline tests. */
import type { Box } from '../../../src/core/geometry.js';
import type { Frame } from '../../../src/media/types.js';
import { COLOUR_HISTOGRAM_SIZE } from '../../../src/vision/image-stats.js';
import { emptyVotes } from '../../../src/analysis/colour-name.js';
import type { CarSighting, Observation } from '../../../src/analysis/observation.js';

/** A colour histogram with all its mass in one bin (a stand-in for "car number k"). */
export function histogramOf(bin: number, spread = 0): Float32Array {
  const h = new Float32Array(COLOUR_HISTOGRAM_SIZE);
  h[bin] = 1 - spread;
  if (spread > 0) h[(bin + 1) % h.length] = spread;
  return h;
}

export function sighting(colourBin: number, overrides: Partial<CarSighting> = {}, spread = 0): CarSighting {
  return {
    box: { x1: 100, y1: 100, x2: 500, y2: 300 },
    classId: 2,
    score: 0.9,
    areaFraction: 0.3,
    centreOffset: 0.1,
    touchesSide: false,
    appearance: { colour: histogramOf(colourBin, spread) },
    quality: { laplacianVariance: 100, meanLuma: 0.5, clippedFraction: 0 },
    colour: emptyVotes(),
    ...overrides,
  };
}

/**
 * Observations every `stepMs` from a compact script: a digit is a car (its colour bin), '.' no car,
 * 'x' an odd frame (a different car seen once).
 */
export function script(text: string, stepMs = 1000): Observation[] {
  return [...text].map((ch, i) => ({
    timestampMs: i * stepMs,
    car: ch === '.' ? null : sighting(ch === 'x' ? 20 : Number(ch) * 2, {}, ((i * 7) % 5) / 50),
  }));
}

export function solidFrame(width: number, height: number, rgb: [number, number, number], timestampMs = 0): Frame {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i += 3) data.set(rgb, i);
  return { width, height, data, timestampMs };
}

export function paintBox(frame: Frame, box: Box, rgb: [number, number, number]): Frame {
  for (let y = box.y1; y < box.y2; y++) for (let x = box.x1; x < box.x2; x++) frame.data.set(rgb, (y * frame.width + x) * 3);
  return frame;
}

/** A colour histogram part way (share `w`) from car bin `a` to car bin `b`: a view turning from one paint to another. */
export function blendOf(a: number, b: number, w: number): Float32Array {
  const h = new Float32Array(COLOUR_HISTOGRAM_SIZE);
  h[a] += 1 - w;
  h[b] += w;
  return h;
}

/** Moves a sighting's box by (dx, dy) pixels. */
export function shifted(s: CarSighting, dx: number, dy = 0): CarSighting {
  return { ...s, box: { x1: s.box.x1 + dx, y1: s.box.y1 + dy, x2: s.box.x2 + dx, y2: s.box.y2 + dy } };
}
