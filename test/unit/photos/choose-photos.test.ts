import { describe, expect, it } from 'vitest';
import { chooseCarPhotos, exposureScore, replacePhotoFrame, sharperNeighbour, type PhotoCandidate } from '../../../src/photos/choose-photos.js';
import { sighting } from '../analysis/fakes.js';

/** One candidate a second over `seconds`, each a different view (bin), all equally good unless changed. */
function walkRound(seconds: number, change: (t: number) => Partial<ReturnType<typeof sighting>> = () => ({})): PhotoCandidate[] {
  return Array.from({ length: seconds }, (_, t) => ({ timestampMs: t * 1000, sighting: sighting(t % 24, change(t)) }));
}

describe('chooseCarPhotos', () => {
  it('chooses at most maxPhotos, spread over the whole time on screen', () => {
    const photos = chooseCarPhotos(walkRound(60), [{ startMs: 0, endMs: 60_000 }], { maxPhotos: 12, edgeMarginMs: 0 });
    expect(photos).toHaveLength(12);
    const times = photos.map((p) => p.candidate.timestampMs);
    expect(Math.min(...times)).toBeLessThan(5000);
    expect(Math.max(...times)).toBeGreaterThanOrEqual(55_000);
    for (let k = 1; k < times.length; k++) expect(times[k] - times[k - 1]).toBeGreaterThanOrEqual(1000);
  });

  it('prefers the sharp frame within a slice', () => {
    const blurryEven = walkRound(24, (t) => ({ quality: { laplacianVariance: t % 2 === 0 ? 5 : 200, meanLuma: 0.5, clippedFraction: 0 } }));
    const photos = chooseCarPhotos(blurryEven, [{ startMs: 0, endMs: 24_000 }], { maxPhotos: 12, edgeMarginMs: 0 });
    expect(photos.every((p) => (p.candidate.timestampMs / 1000) % 2 === 1)).toBe(true);
    expect(Math.max(...photos.map((p) => p.sharpness))).toBe(1);
  });

  it('never chooses a car cut off by the frame edge or a frame outside the car segments', () => {
    const candidates = walkRound(20, (t) => ({ touchesSide: t < 5 }));
    const photos = chooseCarPhotos(candidates, [{ startMs: 0, endMs: 15_000 }], { maxPhotos: 12, edgeMarginMs: 0 });
    const times = photos.map((p) => p.candidate.timestampMs);
    expect(times.every((t) => t >= 5000 && t <= 15_000)).toBe(true);
  });

  it('drops near-duplicates of a view already chosen', () => {
    const sameView = Array.from({ length: 30 }, (_, t) => ({ timestampMs: t * 1000, sighting: sighting(3) }));
    expect(chooseCarPhotos(sameView, [{ startMs: 0, endMs: 30_000 }], { maxPhotos: 12, edgeMarginMs: 0 })).toHaveLength(1);
  });

  it('marks exactly one cover, and spans several segments of a revisited car', () => {
    const candidates = [...walkRound(10), ...walkRound(10).map((c) => ({ ...c, timestampMs: c.timestampMs + 50_000 }))];
    const photos = chooseCarPhotos(candidates, [{ startMs: 0, endMs: 10_000 }, { startMs: 50_000, endMs: 60_000 }], { maxPhotos: 8, edgeMarginMs: 0 });
    expect(photos.filter((p) => p.cover)).toHaveLength(1);
    expect(photos.some((p) => p.candidate.timestampMs >= 50_000)).toBe(true);
    expect(photos.some((p) => p.candidate.timestampMs < 10_000)).toBe(true);
  });

  it('fills slices left empty by uneven filming with the best remaining frames', () => {
    const uneven = [0, 1000, 2000, 3000, 4000, 9000].map((t, i) => ({ timestampMs: t, sighting: sighting(i * 3) }));
    const photos = chooseCarPhotos(uneven, [{ startMs: 0, endMs: 9000 }], { maxPhotos: 6, edgeMarginMs: 0 });
    expect(photos).toHaveLength(6);
  });

  it('avoids frames near a segment edge unless nothing else is left', () => {
    const photos = chooseCarPhotos(walkRound(10), [{ startMs: 0, endMs: 9000 }], { maxPhotos: 12, edgeMarginMs: 1500 });
    expect(photos.map((p) => p.candidate.timestampMs)).toEqual([2000, 3000, 4000, 5000, 6000, 7000]);
    const onlyEdge = chooseCarPhotos(walkRound(2), [{ startMs: 0, endMs: 1000 }], { maxPhotos: 12, edgeMarginMs: 1500 });
    expect(onlyEdge).toHaveLength(2);
  });

  it('returns nothing without whole-car candidates', () => {
    expect(chooseCarPhotos([], [{ startMs: 0, endMs: 1000 }], { maxPhotos: 12, edgeMarginMs: 0 })).toEqual([]);
  });
});

describe('exposureScore', () => {
  it('is best at mid grey and falls for dark, bright or clipped frames', () => {
    expect(exposureScore(0.5, 0)).toBe(1);
    expect(exposureScore(0.1, 0)).toBeLessThan(0.3);
    expect(exposureScore(0.95, 0)).toBeLessThan(0.2);
    expect(exposureScore(0.5, 0.2)).toBeLessThan(0.5);
  });
});

describe('sharperNeighbour', () => {
  const withSharpness = (laplacianVariance: number, over = {}) => sighting(3, { quality: { laplacianVariance, meanLuma: 0.5, clippedFraction: 0 }, ...over });
  const [blurry] = chooseCarPhotos(
    [{ timestampMs: 2000, sighting: withSharpness(20) }, { timestampMs: 9000, sighting: sighting(9, { quality: { laplacianVariance: 200, meanLuma: 0.5, clippedFraction: 0 } }) }],
    [{ startMs: 0, endMs: 10_000 }],
    { maxPhotos: 2, edgeMarginMs: 0 },
  );

  it('takes the sharpest nearby frame of the same car, whole, and rescores it on the car scale', () => {
    const nearby = [
      { timestampMs: 1833, car: withSharpness(60) },
      { timestampMs: 2167, car: withSharpness(150) },
      { timestampMs: 2333, car: withSharpness(400, { touchesSide: true }) },
      { timestampMs: 2500, car: sighting(15, { quality: { laplacianVariance: 900, meanLuma: 0.5, clippedFraction: 0 } }) },
      { timestampMs: 2667, car: null },
    ];
    const better = sharperNeighbour(blurry, nearby, 0.33)!;
    expect(better.timestampMs).toBe(2167);
    const replaced = replacePhotoFrame(blurry, better);
    expect(replaced.sharpness).toBeCloseTo(Math.min(1, blurry.sharpness * (150 / 20)));
    expect(replaced.score).toBeGreaterThan(blurry.score);
  });

  it('keeps the photo when nothing nearby is clearly sharper', () => {
    expect(sharperNeighbour(blurry, [{ timestampMs: 2167, car: withSharpness(24) }], 0.33)).toBeNull();
  });
});
