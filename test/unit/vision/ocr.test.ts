import { describe, expect, it } from 'vitest';
import { ctcGreedyDecode, ocrVocabulary, readingOrder, textRegions, type DbOptions } from '../../../src/vision/ocr.postprocess.js';
import { detInput, detInputSize, detRegionSize, recBatchWidth, recInput, recWidth, REC_HEIGHT } from '../../../src/vision/ocr.preprocess.js';

const DB: DbOptions = { threshold: 0.3, boxThreshold: 0.6, unclipRatio: 1.5, minSize: 3, maxBoxes: 100 };

/** A width x height map with rectangles [x1, y1, x2, y2) filled with probability p. */
function map(width: number, height: number, rects: [number, number, number, number, number][]): Float32Array {
  const m = new Float32Array(width * height);
  for (const [x1, y1, x2, y2, p] of rects) for (let y = y1; y < y2; y++) for (let x = x1; x < x2; x++) m[y * width + x] = p;
  return m;
}

describe('textRegions (DB post-processing)', () => {
  it('gives a slanted line its rotated rectangle: direction, length and thickness, grown like the box', () => {
    // A band 60 long and 10 thick at 30 degrees, centred on (50, 40).
    const width = 100;
    const height = 80;
    const m = new Float32Array(width * height);
    const a = Math.PI / 6;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const u = (x + 0.5 - 50) * Math.cos(a) + (y + 0.5 - 40) * Math.sin(a);
        const v = -(x + 0.5 - 50) * Math.sin(a) + (y + 0.5 - 40) * Math.cos(a);
        if (Math.abs(u) < 30 && Math.abs(v) < 5) m[y * width + x] = 0.9;
      }
    }
    const [region] = textRegions(m, width, height, { ...DB, unclipRatio: 0 });
    const q = region.quad;
    const length = Math.hypot(q[1].x - q[0].x, q[1].y - q[0].y);
    const thickness = Math.hypot(q[3].x - q[0].x, q[3].y - q[0].y);
    expect((Math.atan2(q[1].y - q[0].y, q[1].x - q[0].x) * 180) / Math.PI).toBeCloseTo(30, 0);
    expect(length).toBeGreaterThan(58);
    expect(length).toBeLessThan(63);
    expect(thickness).toBeGreaterThan(9);
    expect(thickness).toBeLessThan(12.5);
    expect((q[0].x + q[2].x) / 2).toBeCloseTo(50, 0);
    // The axis-aligned box is what it always was: the band's bounds.
    expect(region.box.x2 - region.box.x1).toBeGreaterThan(55);
  });


  it('returns one box per connected region, grown by area x ratio / perimeter', () => {
    const regions = textRegions(map(100, 50, [[10, 10, 50, 20, 0.9]]), 100, 50, DB);
    expect(regions).toHaveLength(1);
    // 40x10 region: grow = 400 * 1.5 / 100 = 6 on every side.
    expect(regions[0].box).toEqual({ x1: 4, y1: 4, x2: 56, y2: 26 });
    expect(regions[0].score).toBeCloseTo(0.9, 5);
  });

  it('keeps separate regions apart and joins diagonal neighbours', () => {
    const separate = textRegions(map(100, 50, [[10, 10, 30, 20, 0.9], [40, 10, 60, 20, 0.8]]), 100, 50, DB);
    expect(separate).toHaveLength(2);
    expect(separate[0].score).toBeGreaterThan(separate[1].score);
    const diagonal = textRegions(map(100, 50, [[10, 10, 20, 20, 0.9], [20, 20, 30, 30, 0.9]]), 100, 50, DB);
    expect(diagonal).toHaveLength(1);
  });

  it.each([
    ['below the pixel threshold', [[10, 10, 50, 20, 0.25]]],
    ['a faint region (mean under boxThreshold)', [[10, 10, 50, 20, 0.5]]],
    ['a sliver thinner than minSize', [[10, 10, 50, 12, 0.9]]],
  ] as const)('drops %s', (_name, rects) => {
    expect(textRegions(map(100, 50, rects.map((r) => [...r]) as [number, number, number, number, number][]), 100, 50, DB)).toEqual([]);
  });

  it('clips grown boxes to the map and keeps the most probable maxBoxes', () => {
    const [region] = textRegions(map(40, 20, [[0, 0, 40, 10, 0.9]]), 40, 20, DB);
    expect(region.box.x1).toBe(0);
    expect(region.box.y1).toBe(0);
    expect(region.box.x2).toBe(40);
    const two = textRegions(map(100, 50, [[10, 10, 30, 20, 0.7], [40, 10, 60, 20, 0.95]]), 100, 50, { ...DB, maxBoxes: 1 });
    expect(two).toHaveLength(1);
    expect(two[0].score).toBeCloseTo(0.95, 5);
  });
});

describe('readingOrder', () => {
  it('reads lines top to bottom, each left to right', () => {
    const box = (x1: number, y1: number) => ({ box: { x1, y1, x2: x1 + 50, y2: y1 + 20 }, id: `${x1},${y1}` });
    const ordered = readingOrder([box(200, 102), box(0, 40), box(100, 100), box(300, 38)]);
    expect(ordered.map((b) => b.id)).toEqual(['0,40', '300,38', '100,100', '200,102']);
  });
});

describe('ocrVocabulary and CTC decoding', () => {
  it('puts blank first and a space last, and checks the model width', () => {
    expect(ocrVocabulary('a\nb\nc\n', 5)).toEqual(['', 'a', 'b', 'c', ' ']);
    expect(ocrVocabulary('a\r\nb\r\nc', 5)).toEqual(['', 'a', 'b', 'c', ' ']);
    expect(() => ocrVocabulary('a\nb\nc', 4)).toThrow(/recogniser outputs 4/);
  });

  const vocabulary = ['', 'A', 'B', '1', ' '];
  /** One step per entry: the class that wins with probability p, the rest sharing the remainder. */
  const steps = (winners: [number, number][]) => {
    const probs = new Float32Array(winners.length * vocabulary.length);
    winners.forEach(([c, p], t) => {
      for (let k = 0; k < vocabulary.length; k++) probs[t * vocabulary.length + k] = k === c ? p : (1 - p) / (vocabulary.length - 1);
    });
    return probs;
  };

  it.each([
    ['collapses repeats and drops blanks', [[1, 0.9], [1, 0.9], [0, 0.9], [2, 0.8]], 'AB', 0.85],
    ['keeps a repeated letter split by a blank', [[3, 0.9], [0, 0.9], [3, 0.7]], '11', 0.8],
    ['reads the trailing space class', [[1, 0.9], [4, 0.9], [2, 0.9]], 'A B', 0.9],
    ['gives nothing for all blanks', [[0, 0.9], [0, 0.9]], '', 0],
  ] as const)('%s', (_name, winners, text, score) => {
    const decoded = ctcGreedyDecode(steps(winners.map((w) => [...w]) as [number, number][]), 0, winners.length, vocabulary);
    expect(decoded.text).toBe(text);
    expect(decoded.score).toBeCloseTo(score, 5);
  });

  it('decodes from an offset (the second sequence of a batch)', () => {
    const both = new Float32Array([...steps([[1, 0.9]]), ...steps([[2, 0.9]])]);
    expect(ctcGreedyDecode(both, vocabulary.length, 1, vocabulary).text).toBe('B');
  });
});

describe('OCR input tensors', () => {
  it.each([
    [1920, 1080, 1280, 1280, 736],
    [640, 480, 1280, 640, 480],
    [100, 20, 960, 96, 32],
    [10, 10, 960, 32, 32],
  ])('detInputSize(%i, %i, limit %i) -> %ix%i', (w, h, limit, ew, eh) => {
    const size = detInputSize(w, h, limit);
    expect([size.width, size.height]).toEqual([ew, eh]);
    expect(size.scaleX).toBeCloseTo(ew / w, 9);
  });

  it('sizes a region at the scale the whole picture gets, so cropping keeps the text as sharp', () => {
    const whole = detInputSize(1920, 1080, 960);
    const region = detRegionSize(1920, 1080, { x1: 400, y1: 200, x2: 1680, y2: 1000 }, 960);
    expect([region.width, region.height]).toEqual([640, 416]);
    expect(region.scaleX).toBeCloseTo(whole.scaleX, 2);
    expect(region.scaleY).toBeCloseTo(whole.scaleY, 1);
    expect(() => detRegionSize(1920, 1080, { x1: 5, y1: 5, x2: 5, y2: 50 }, 960)).toThrow(RangeError);
  });

  it('samples only the given region into the detector input', () => {
    // Left half red, right half blue: the right-half region is all blue.
    const data = new Uint8Array(64 * 32 * 3);
    for (let i = 0; i < 64 * 32; i++) data.set((i % 64) < 32 ? [255, 0, 0] : [0, 0, 255], i * 3);
    const image = { width: 64, height: 32, data };
    const region = { x1: 32, y1: 0, x2: 64, y2: 32 };
    const input = detInput(image, detRegionSize(64, 32, region, 960), region);
    const plane = 32 * 32;
    expect(Math.min(...input.subarray(0, plane))).toBeCloseTo((1 - 0.485) / 0.229, 4); // blue plane: all 255
    expect(Math.max(...input.subarray(2 * plane, 3 * plane))).toBeCloseTo((0 - 0.406) / 0.225, 4); // red plane: all 0
  });

  it('normalises the detector input per BGR channel with ImageNet mean/std', () => {
    const image = { width: 2, height: 2, data: new Uint8Array([255, 0, 0, 255, 0, 0, 255, 0, 0, 255, 0, 0]) };
    const input = detInput(image, detInputSize(2, 2, 960));
    // 32x32 after rounding; plane 0 is blue (0), plane 2 is red (255).
    const plane = 32 * 32;
    expect(input[0]).toBeCloseTo((0 - 0.485) / 0.229, 4);
    expect(input[2 * plane]).toBeCloseTo((1 - 0.406) / 0.225, 4);
  });

  it('sizes text boxes at 48 px high and pads the batch to the widest (at least 320)', () => {
    expect(recWidth({ x1: 0, y1: 0, x2: 200, y2: 20 }, 1600)).toBe(480);
    expect(recWidth({ x1: 0, y1: 0, x2: 2000, y2: 20 }, 1600)).toBe(1600);
    expect(recBatchWidth([{ x1: 0, y1: 0, x2: 40, y2: 20 }], 1600)).toBe(320);
    expect(recBatchWidth([{ x1: 0, y1: 0, x2: 40, y2: 20 }, { x1: 0, y1: 0, x2: 200, y2: 20 }], 1600)).toBe(480);
  });

  it('fills a white box with 1 and leaves the padding at 0', () => {
    const white = { width: 10, height: 5, data: new Uint8Array(10 * 5 * 3).fill(255) };
    const input = recInput(white, [{ x1: 0, y1: 0, x2: 10, y2: 5 }], 320);
    // 10x5 -> 96 wide at 48 high.
    expect(input[0]).toBe(1);
    expect(input[95]).toBe(1);
    expect(input[96]).toBe(0);
    expect(input.length).toBe(3 * REC_HEIGHT * 320);
  });
});
