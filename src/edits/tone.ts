/**
 * Auto-enhance and brightness as one linear map of every channel, out = a * in + b (pure).
 *
 * Auto-enhance stretches the luminance levels between two percentiles of the ORIGINAL photo to the
 * full range (exposure and contrast in one), with the gain capped so a flat photo is not blown up;
 * brightness then scales the result. A point operation: cheap at any size, unlike a local equaliser.
 */
export interface LinearTone {
  a: number;
  b: number;
}

export interface EnhanceLimits {
  lowPercentile: number;
  highPercentile: number;
  maxGain: number;
}

export const IDENTITY_TONE: LinearTone = { a: 1, b: 0 };

/** The level below which `percentile` (0..100) of the histogram's pixels lie. */
export function histogramPercentile(histogram: ArrayLike<number>, percentile: number): number {
  let total = 0;
  for (let i = 0; i < histogram.length; i++) total += histogram[i]!;
  if (total === 0) return 0;
  const target = (percentile / 100) * total;
  let seen = 0;
  for (let i = 0; i < histogram.length; i++) {
    seen += histogram[i]!;
    if (seen > 0 && seen >= target) return i;
  }
  return histogram.length - 1;
}

/** The levels stretch of a 256-bin luminance histogram. */
export function enhanceTone(histogram: ArrayLike<number>, limits: EnhanceLimits): LinearTone {
  const low = histogramPercentile(histogram, limits.lowPercentile);
  const high = histogramPercentile(histogram, limits.highPercentile);
  if (high <= low) return IDENTITY_TONE;
  const gain = Math.min(limits.maxGain, 255 / (high - low));
  // Centre the stretched range where the full range's centre is, around the photo's own mid level.
  const mid = (low + high) / 2;
  return { a: gain, b: 127.5 - gain * mid };
}

/** Enhance (when on) then brightness. */
export function composeTone(enhance: LinearTone | null, brightness: number): LinearTone {
  const base = enhance ?? IDENTITY_TONE;
  return { a: base.a * brightness, b: base.b * brightness };
}

/** 256-bin histogram of 8-bit grey pixels. */
export function greyHistogram(pixels: Uint8Array): Uint32Array {
  const histogram = new Uint32Array(256);
  for (let i = 0; i < pixels.length; i++) histogram[pixels[i]!]++;
  return histogram;
}
