import { describe, expect, it } from 'vitest';
import {
  anchorCount,
  boxToFrame,
  decodeYoloxOutput,
  l2Normalise,
  nonMaxSuppression,
  roiEmbedding,
  type YoloxDecodeOptions,
} from '../../../src/vision/yolox.postprocess.js';

const CLASSES = 80;
const ROW = 5 + CLASSES;
const OPTS: YoloxDecodeOptions = { inputWidth: 416, inputHeight: 416, strides: [8, 16, 32], numClasses: CLASSES, scoreThreshold: 0.3, sigmoidApplied: true };

/** Anchor index of grid cell (gx, gy) at a stride, for a 416 input. */
function anchorOf(stride: number, gx: number, gy: number): number {
  let base = 0;
  for (const s of [8, 16, 32]) {
    if (s === stride) return base + gy * (416 / s) + gx;
    base += (416 / s) ** 2;
  }
  throw new Error('bad stride');
}

function setAnchor(t: Float32Array, anchor: number, v: { dx: number; dy: number; logW: number; logH: number; obj: number; cls: Record<number, number> }, offset = 0) {
  const b = offset + anchor * ROW;
  t.set([v.dx, v.dy, v.logW, v.logH, v.obj], b);
  for (const [c, p] of Object.entries(v.cls)) t[b + 5 + Number(c)] = p;
}

describe('YOLOX grid decode', () => {
  it('has 52² + 26² + 13² anchors for a 416 input', () => {
    expect(anchorCount(416, 416, [8, 16, 32])).toBe(3549);
  });

  it('decodes offsets and log sizes per stride, score = objectness × class', () => {
    const t = new Float32Array(3549 * ROW);
    setAnchor(t, anchorOf(16, 5, 3), { dx: 0.5, dy: 0.25, logW: Math.log(4), logH: 0, obj: 0.9, cls: { 2: 0.8, 7: 0.1 } });
    setAnchor(t, anchorOf(8, 0, 0), { dx: 0, dy: 0, logW: 0, logH: 0, obj: 0.5, cls: { 0: 0.7 } });
    setAnchor(t, anchorOf(32, 12, 12), { dx: 0.5, dy: 0.5, logW: Math.log(2), logH: Math.log(3), obj: 1, cls: { 16: 0.6 } });
    // Below the threshold: 0.5 * 0.5 = 0.25 < 0.3
    setAnchor(t, anchorOf(8, 10, 10), { dx: 0, dy: 0, logW: 0, logH: 0, obj: 0.5, cls: { 3: 0.5 } });
    // Low objectness, high class: ruled out.
    setAnchor(t, anchorOf(8, 20, 20), { dx: 0, dy: 0, logW: 0, logH: 0, obj: 0.2, cls: { 3: 1 } });

    const out = decodeYoloxOutput(t, 0, OPTS).sort((a, b) => b.score - a.score);
    expect(out.map((d) => d.classId)).toEqual([2, 16, 0]);
    const car = out[0];
    expect(car.score).toBeCloseTo(0.72, 6);
    // cx = (0.5 + 5) * 16 = 88, cy = (0.25 + 3) * 16 = 52, w = 4 * 16 = 64, h = 16
    expect(car.box.x1).toBeCloseTo(56, 4);
    expect(car.box.x2).toBeCloseTo(120, 4);
    expect(car.box.y1).toBeCloseTo(44, 4);
    expect(car.box.y2).toBeCloseTo(60, 4);
    expect(car.anchor).toBe(anchorOf(16, 5, 3));
    const dog = out[1];
    // cx = cy = 12.5 * 32 = 400, w = 64, h = 96
    expect([dog.box.x1, dog.box.y1, dog.box.x2, dog.box.y2].map((v) => Math.round(v * 1000) / 1000)).toEqual([368, 352, 432, 448]);
    const person = out[2];
    expect([person.box.x1, person.box.y1, person.box.x2, person.box.y2]).toEqual([-4, -4, 4, 4]);
  });

  it('reads one image of a batch at its offset', () => {
    const t = new Float32Array(2 * 3549 * ROW);
    setAnchor(t, 100, { dx: 0, dy: 0, logW: 0, logH: 0, obj: 0.9, cls: { 5: 0.9 } }, 3549 * ROW);
    expect(decodeYoloxOutput(t, 0, OPTS)).toHaveLength(0);
    expect(decodeYoloxOutput(t, 3549 * ROW, OPTS).map((d) => d.classId)).toEqual([5]);
    expect(() => decodeYoloxOutput(t, 3549 * ROW + 1, OPTS)).toThrow(RangeError);
  });

  it('applies the sigmoid when the graph does not', () => {
    const t = new Float32Array(3549 * ROW).fill(-20);
    setAnchor(t, 7, { dx: 0, dy: 0, logW: 0, logH: 0, obj: 3, cls: { 2: 2 } });
    const out = decodeYoloxOutput(t, 0, { ...OPTS, sigmoidApplied: false });
    expect(out).toHaveLength(1);
    expect(out[0].score).toBeCloseTo((1 / (1 + Math.exp(-3))) * (1 / (1 + Math.exp(-2))), 6);
  });
});

describe('nonMaxSuppression', () => {
  const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

  it('suppresses overlapping boxes of the same class and keeps other classes', () => {
    const kept = nonMaxSuppression(
      [
        { box: box(0, 0, 100, 100), score: 0.8, classId: 2 },
        { box: box(5, 5, 105, 105), score: 0.9, classId: 2 }, // best car
        { box: box(2, 2, 102, 102), score: 0.7, classId: 7 }, // truck on the same spot: kept
        { box: box(200, 200, 300, 300), score: 0.5, classId: 2 }, // elsewhere: kept
        { box: box(0, 0, 100, 60), score: 0.6, classId: 2 }, // IoU 0.485 with the best car: suppressed
      ],
      0.45,
    );
    expect(kept.map((k) => [k.classId, k.score])).toEqual([
      [2, 0.9],
      [7, 0.7],
      [2, 0.5],
    ]);
  });

  it('keeps moderately overlapping boxes below the IoU threshold', () => {
    const a = { box: box(0, 0, 100, 100), score: 0.9, classId: 2 };
    const b = { box: box(50, 0, 150, 100), score: 0.8, classId: 2 }; // IoU 1/3
    expect(nonMaxSuppression([a, b], 0.45)).toHaveLength(2);
    expect(nonMaxSuppression([a, b], 0.3)).toHaveLength(1);
  });

  it('caps the number of detections, best first', () => {
    const many = Array.from({ length: 10 }, (_, i) => ({ box: box(i * 200, 0, i * 200 + 100, 100), score: i / 10, classId: 0 }));
    expect(nonMaxSuppression(many, 0.45, 3).map((d) => d.score)).toEqual([0.9, 0.8, 0.7]);
  });
});

describe('boxToFrame', () => {
  it('divides by the letterbox scale and clamps to the frame', () => {
    const r = 416 / 376;
    const b = boxToFrame({ x1: 10 * r, y1: -5, x2: 400 * r, y2: 100 * r }, r, 376, 250);
    expect(b.x1).toBeCloseTo(10, 6);
    expect(b.y1).toBe(0);
    expect(b.x2).toBe(376);
    expect(b.y2).toBeCloseTo(100, 6);
  });
});

describe('roiEmbedding', () => {
  // 2 channels, 4x4 cells, stride 10: channel 0 = x index, channel 1 = y index.
  const C = 2;
  const data = new Float32Array(C * 16);
  for (let y = 0; y < 4; y++) for (let x = 0; x < 4; x++) {
    data[y * 4 + x] = x;
    data[16 + y * 4 + x] = y;
  }
  const feature = { data, offset: 0, channels: C, height: 4, width: 4, stride: 10 };

  it('averages the cells whose centres are inside the box, then L2-normalises', () => {
    // Box 10..40 x 0..20 covers cell centres x = 15, 25, 35 (x 1..3) and y = 5, 15 (y 0..1).
    const v = roiEmbedding(feature, { x1: 10, y1: 0, x2: 40, y2: 20 });
    const mean = [2, 0.5];
    const n = Math.hypot(...mean);
    expect(Array.from(v)).toEqual([mean[0] / n, mean[1] / n].map((x) => Math.fround(x)));
  });

  it('uses the cell under the centre of a box smaller than a cell', () => {
    const v = roiEmbedding(feature, { x1: 21, y1: 31, x2: 23, y2: 33 });
    const n = Math.hypot(2, 3);
    expect(v[0]).toBeCloseTo(2 / n, 6);
    expect(v[1]).toBeCloseTo(3 / n, 6);
  });

  it('subtracts the reference mean first', () => {
    const v = roiEmbedding(feature, { x1: 0, y1: 0, x2: 40, y2: 40 }, [1.5, 0]);
    // mean over all cells = [1.5, 1.5] - [1.5, 0] = [0, 1.5] -> [0, 1]
    expect(Array.from(v)).toEqual([0, 1]);
    expect(() => roiEmbedding(feature, { x1: 0, y1: 0, x2: 40, y2: 40 }, [1])).toThrow(RangeError);
  });

  it('reads the second image of a batch at its offset', () => {
    const two = new Float32Array(2 * C * 16);
    two.set(data, C * 16);
    const v = roiEmbedding({ ...feature, data: two, offset: C * 16 }, { x1: 30, y1: 30, x2: 40, y2: 40 });
    const n = Math.hypot(3, 3);
    expect(v[0]).toBeCloseTo(3 / n, 6);
  });

  it('l2Normalise leaves a zero vector alone', () => {
    expect(Array.from(l2Normalise(new Float32Array(3)))).toEqual([0, 0, 0]);
  });
});
