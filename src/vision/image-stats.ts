/**
 * Per-crop image measures on RGB24 frames (pure). These run on every sampled frame, so they
 * sample a bounded number of pixels per crop whatever the resolution.
 */
import type { Box } from '../core/geometry.js';
import type { Frame } from '../media/types.js';

/** Integer pixel rectangle inside the frame, shrunk by `inset` (a share of the box size) on every side. */
export function innerRect(box: Box, frameWidth: number, frameHeight: number, inset = 0) {
  const dx = (box.x2 - box.x1) * inset;
  const dy = (box.y2 - box.y1) * inset;
  const x1 = Math.max(0, Math.floor(box.x1 + dx));
  const y1 = Math.max(0, Math.floor(box.y1 + dy));
  const x2 = Math.min(frameWidth, Math.ceil(box.x2 - dx));
  const y2 = Math.min(frameHeight, Math.ceil(box.y2 - dy));
  return { x1, y1, x2: Math.max(x1, x2), y2: Math.max(y1, y2) };
}

/** Step between sampled pixels so that about `target` pixels of the rectangle are visited. */
export function samplingStep(width: number, height: number, target: number): number {
  return Math.max(1, Math.floor(Math.sqrt((width * height) / target)));
}

export interface CropQuality {
  /** Variance of the Laplacian of the grey crop: higher is sharper. Only comparable at equal scale. */
  laplacianVariance: number;
  /** Mean luma 0..1. */
  meanLuma: number;
  /** Share of pixels that are clipped black or white. */
  clippedFraction: number;
}

const luma = (d: Uint8Array, i: number) => 0.299 * d[i] + 0.587 * d[i + 1] + 0.114 * d[i + 2];

/** Sharpness and exposure of the box region. */
export function measureCropQuality(frame: Frame, box: Box, maxPixels = 40_000): CropQuality {
  const r = innerRect(box, frame.width, frame.height);
  const step = samplingStep(r.x2 - r.x1, r.y2 - r.y1, maxPixels);
  const stride = frame.width * 3;
  const d = frame.data;
  let lapSum = 0;
  let lapSq = 0;
  let lapN = 0;
  let lumaSum = 0;
  let clipped = 0;
  let n = 0;
  // The Laplacian uses direct neighbours (not `step` apart) so it measures detail at the frame's own scale.
  for (let y = r.y1 + 1; y < r.y2 - 1; y += step) {
    for (let x = r.x1 + 1; x < r.x2 - 1; x += step) {
      const i = y * stride + x * 3;
      const c = luma(d, i);
      const lap = luma(d, i - 3) + luma(d, i + 3) + luma(d, i - stride) + luma(d, i + stride) - 4 * c;
      lapSum += lap;
      lapSq += lap * lap;
      lapN++;
      lumaSum += c;
      if (c <= 4 || c >= 251) clipped++;
      n++;
    }
  }
  if (n === 0) return { laplacianVariance: 0, meanLuma: 0, clippedFraction: 1 };
  const mean = lapSum / lapN;
  return { laplacianVariance: lapSq / lapN - mean * mean, meanLuma: lumaSum / n / 255, clippedFraction: clipped / n };
}

/** Hue/saturation/value of one pixel, h in [0, 1), s and v in [0, 1]. */
export function rgbToHsv(r: number, g: number, b: number): [number, number, number] {
  const max = Math.max(r, g, b);
  const min = Math.min(r, g, b);
  const v = max / 255;
  const delta = max - min;
  const s = max === 0 ? 0 : delta / max;
  if (delta === 0) return [0, s, v];
  let h: number;
  if (max === r) h = ((g - b) / delta) % 6;
  else if (max === g) h = (b - r) / delta + 2;
  else h = (r - g) / delta + 4;
  h /= 6;
  return [h < 0 ? h + 1 : h, s, v];
}

export const HUE_BINS = 12;
export const GREY_BINS = 6;
/** Saturated pixels: hue x two value levels; unsaturated ones: grey levels. */
export const COLOUR_HISTOGRAM_SIZE = HUE_BINS * 2 + GREY_BINS;
const SATURATED = 0.25;
const DARK = 0.18;

/** Bin of one pixel in the colour histogram. */
export function colourBin(r: number, g: number, b: number): number {
  const [h, s, v] = rgbToHsv(r, g, b);
  if (s >= SATURATED && v >= DARK) return Math.min(HUE_BINS - 1, Math.floor(h * HUE_BINS)) * 2 + (v >= 0.6 ? 1 : 0);
  return HUE_BINS * 2 + Math.min(GREY_BINS - 1, Math.floor(v * GREY_BINS));
}

/**
 * L1-normalised colour histogram of the box's inner part (the inset drops most of the background
 * that a car's bounding box always contains).
 */
export function colourHistogram(frame: Frame, box: Box, inset = 0.12, maxPixels = 6_000): Float32Array {
  const hist = new Float32Array(COLOUR_HISTOGRAM_SIZE);
  const r = innerRect(box, frame.width, frame.height, inset);
  const step = samplingStep(r.x2 - r.x1, r.y2 - r.y1, maxPixels);
  const d = frame.data;
  let n = 0;
  for (let y = r.y1; y < r.y2; y += step) {
    for (let x = r.x1; x < r.x2; x += step) {
      const i = (y * frame.width + x) * 3;
      hist[colourBin(d[i], d[i + 1], d[i + 2])]++;
      n++;
    }
  }
  if (n > 0) for (let k = 0; k < hist.length; k++) hist[k] /= n;
  return hist;
}
