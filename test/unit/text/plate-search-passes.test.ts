import { describe, expect, it } from 'vitest';
import type { Box } from '../../../src/core/geometry.js';
import { mergedPasses, plateSearchPasses } from '../../../src/text/plate-search.js';
import { DEFAULT_PLATE_SETTINGS } from '../../../src/text/plates.js';

const settings = { ...DEFAULT_PLATE_SETTINGS, minHeightOnCar: 0.35, clipSearchMargin: 0.1, minVehicleScore: 0.1, minPassVehicleScore: 0.5, zoomBelowWidth: 400, zoomToWidth: 1024, maxZoom: 3, maxZoomedVehicles: 1, zoomOtherVehicles: false, clipVehicleWidth: 480 };
const image = { width: 1280, height: 720 };
const box = (x1: number, y1: number, x2: number, y2: number): Box => ({ x1, y1, x2, y2 });
const car = (b: Box, score = 0.9) => ({ box: b, score });

const cost = (passes: readonly { region: Box; scale: number }[]) => passes.reduce((sum, p) => sum + (p.region.x2 - p.region.x1) * (p.region.y2 - p.region.y1) * p.scale ** 2, 0);

describe('mergedPasses', () => {
  it('joins overlapping searches into their bounds where that costs no more, and leaves apart ones (and ones only touching) alone', () => {
    const merged = mergedPasses([
      { region: box(0, 0, 100, 100), scale: 0.75 },
      { region: box(50, 10, 160, 110), scale: 0.75 },
      { region: box(300, 0, 400, 100), scale: 0.75 },
      { region: box(400, 0, 500, 100), scale: 0.75 },
    ]);
    expect(merged).toEqual([
      { region: box(0, 0, 160, 110), scale: 0.75 },
      { region: box(300, 0, 400, 100), scale: 0.75 },
      { region: box(400, 0, 500, 100), scale: 0.75 },
    ]);
  });

  it('keeps a close look at a small vehicle apart from the large one it overlaps, at the closer scale only where it pays', () => {
    // A 300x150 close look at 3 inside a 1100x450 search at 0.6: joined, the whole 1100x450 would be looked at 3 times closer (3300x1350 detector pixels).
    const large = { region: box(50, 225, 1150, 675), scale: 0.6 };
    const small = { region: box(700, 400, 1000, 550), scale: 3 };
    expect(mergedPasses([large, small])).toEqual([large, small]);
    // The same close look over a slightly larger neighbour at the same scale is joined.
    expect(mergedPasses([small, { region: box(690, 390, 1010, 560), scale: 3 }])).toEqual([{ region: box(690, 390, 1010, 560), scale: 3 }]);
  });

  it('joins again when a joined search comes to overlap a third one', () => {
    // c overlaps neither a nor b, but a+b's bounds reach it.
    const merged = mergedPasses([
      { region: box(101, 0, 109, 9), scale: 1 },
      { region: box(0, 0, 100, 100), scale: 1 },
      { region: box(10, 10, 110, 110), scale: 1 },
    ]);
    expect(merged).toEqual([{ region: box(0, 0, 110, 110), scale: 1 }]);
  });

  it('never costs more than the searches apart, and still searches every pixel they did', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    for (let round = 0; round < 50; round++) {
      const passes = Array.from({ length: 8 }, () => {
        const x = random() * 1200;
        const y = random() * 700;
        return { region: box(x, y, x + 20 + random() * 300, y + 20 + random() * 200), scale: random() < 0.8 ? 0.75 : 3 };
      });
      const merged = mergedPasses(passes);
      expect(cost(merged)).toBeLessThanOrEqual(cost(passes) + 1e-6);
      // Every searched pixel still is, at least as closely.
      for (const p of passes) expect(merged.some((m) => m.scale >= p.scale && m.region.x1 <= p.region.x1 && m.region.y1 <= p.region.y1 && m.region.x2 >= p.region.x2 && m.region.y2 >= p.region.y2)).toBe(true);
    }
  });
});

describe('plateSearchPasses', () => {
  it('falls back to the whole picture when no vehicle is seen (or only ones too unsure to count)', () => {
    const whole = [{ region: box(0, 0, 1280, 720) }];
    expect(plateSearchPasses([], image, 0.75, settings)).toEqual(whole);
    expect(plateSearchPasses([car(box(100, 100, 900, 600), 0.05)], image, 0.75, settings)).toEqual(whole);
  });

  it("searches a vehicle below its roof line, grown by the margin, at the picture's scale, a large one at a scale that brings it to clipVehicleWidth", () => {
    // 600x500 car: roof line at 100 + 0.35 * 500 = 275, margin 0.1 * 500 = 50; 450 detector pixels wide at 0.75.
    expect(plateSearchPasses([car(box(100, 100, 700, 600))], image, 0.75, settings)).toEqual([{ region: box(50, 225, 750, 650), scale: 0.75 }]);
    // 800 px wide: 600 detector pixels at 0.75, brought to 480.
    expect(plateSearchPasses([car(box(100, 100, 900, 600))], image, 0.75, settings)).toEqual([{ region: box(50, 225, 950, 650), scale: 0.6 }]);
  });

  it('looks at a small whole vehicle closer, but not at one cut by the picture edge, and at one small vehicle at most', () => {
    // 300 px wide at 0.75: 225 detector pixels < 400, brought to 1024 / 300 = 3.41, capped at 3.
    const [small] = plateSearchPasses([car(box(500, 300, 800, 500))], image, 0.75, settings);
    expect(small.scale).toBe(3);
    const [cut] = plateSearchPasses([car(box(0, 300, 300, 500))], image, 0.75, settings);
    expect(cut.scale).toBe(0.75);
    const two = plateSearchPasses([car(box(100, 300, 300, 400)), car(box(700, 300, 950, 420))], image, 0.75, settings);
    expect(two.map((p) => p.scale).sort()).toEqual([0.75, 3]);
    // The larger of the two is the one looked at closer.
    expect(two.find((p) => p.scale === 3)!.region.x1).toBeGreaterThan(600);
  });

  it('merges the searches of overlapping vehicles where one search costs no more than two', () => {
    // Two 800 px cars, both searched at 0.6: their bounds cost less than both apart.
    expect(plateSearchPasses([car(box(100, 100, 900, 600)), car(box(300, 100, 1100, 600))], image, 0.75, settings)).toEqual([{ region: box(50, 225, 1150, 650), scale: 0.6 }]);
    // A 500 px car at 0.75 beside the 800 px one at 0.6: their bounds at 0.75 would cost more.
    const passes = plateSearchPasses([car(box(100, 100, 900, 600)), car(box(600, 150, 1100, 550))], image, 0.75, settings);
    expect(passes).toEqual([
      { region: box(50, 225, 950, 650), scale: 0.6 },
      { region: box(560, 250, 1140, 590), scale: 0.75 },
    ]);
  });

  it('searches the whole picture when the vehicles would cost as much', () => {
    const passes = plateSearchPasses([car(box(0, 0, 640, 720)), car(box(640, 0, 1280, 720))], image, 0.75, { ...settings, minHeightOnCar: 0 });
    expect(passes).toEqual([{ region: box(0, 0, 1280, 720) }]);
  });
});
