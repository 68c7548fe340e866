import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import type { Box } from '../../../src/core/geometry.js';
import { clipBlurPieces, plateTracks, type PlateSample } from '../../../src/text/clip-plates.js';

const settings = { ...DEFAULT_SETTINGS.plates, clipLinkWidths: 1.5, clipMaxMissedSamples: 1, clipPadShare: 0.25, blurSigma: 0.35 };
const plate = (x: number, y: number, w = 100, h = 25): Box => ({ x1: x, y1: y, x2: x + w, y2: y + h });
const at = (timeMs: number, ...boxes: Box[]): PlateSample => ({ timeMs, boxes });

describe('plateTracks', () => {
  it('follows a moving plate from sample to sample, and two plates apart', () => {
    const tracks = plateTracks([at(0, plate(100, 300), plate(900, 320)), at(500, plate(180, 300), plate(880, 320)), at(1000, plate(900, 320), plate(260, 305))], settings);
    expect(tracks.map((t) => t.map((p) => [p.timeMs, p.box.x1]))).toEqual([
      [[0, 100], [500, 180], [1000, 260]],
      [[0, 900], [500, 880], [1000, 900]],
    ]);
  });

  it('starts a new track for a plate too far from every open one (another car)', () => {
    const tracks = plateTracks([at(0, plate(100, 300)), at(500, plate(400, 300))], settings);
    expect(tracks).toHaveLength(2);
  });

  it('follows a plate across missed samples up to clipMaxMissedSamples, not further', () => {
    expect(plateTracks([at(0, plate(100, 300)), at(500), at(1000, plate(120, 300))], settings)).toHaveLength(1);
    expect(plateTracks([at(0, plate(100, 300)), at(500), at(1000), at(1500, plate(120, 300))], settings)).toHaveLength(2);
  });

  it('pairs the nearest first when two plates come close', () => {
    const tracks = plateTracks([at(0, plate(100, 300), plate(260, 300)), at(500, plate(250, 300), plate(120, 300))], settings);
    expect(tracks.map((t) => t.map((p) => p.box.x1))).toEqual([[100, 120], [260, 250]]);
  });
});

describe('clipBlurPieces', () => {
  const clip = { durationMs: 3000, intervalMs: 500 };

  it('moves a padded rectangle between samples and holds a wider one an interval before and after', () => {
    const pieces = clipBlurPieces([at(500, plate(100, 300)), at(1000, plate(200, 310))], clip, settings);
    expect(pieces.map((p) => [p.fromMs, p.toMs])).toEqual([[0, 500], [500, 1000], [1000, 1500]]);
    const [before, moving, after] = pieces;
    // Padded by a quarter of the plate's width on every side between samples, half before and after.
    expect(moving).toMatchObject({ width: 150, height: 75, from: { x: 75, y: 275 }, to: { x: 175, y: 285 } });
    expect(before).toMatchObject({ width: 200, height: 125, from: { x: 50, y: 250 }, to: { x: 50, y: 250 } });
    expect(after.from).toEqual(after.to);
    expect(moving.sigma).toBeCloseTo(0.35 * 25);
  });

  it('keeps the pieces inside the clip and blurs nothing without plates', () => {
    const pieces = clipBlurPieces([at(0, plate(10, 10)), at(3000, plate(10, 10))], clip, settings);
    expect(Math.min(...pieces.map((p) => p.fromMs))).toBe(0);
    expect(Math.max(...pieces.map((p) => p.toMs))).toBe(3000);
    expect(clipBlurPieces([at(0), at(500)], clip, settings)).toEqual([]);
  });

  it('blurs a plate seen once for an interval either side', () => {
    const pieces = clipBlurPieces([at(1000, plate(100, 300))], clip, settings);
    expect(pieces.map((p) => [p.fromMs, p.toMs])).toEqual([[500, 1000], [1000, 1500]]);
  });
});
