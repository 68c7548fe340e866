/**
 * Real model, real video: YOLOX-Nano finds the EPFL GIMS08 car (turntable sequences at a motor show,
 * 376x250, every frame) with IoU >= 0.5 against the ground truth on at least 95% of frames, per video
 * and overall; and the detector's embeddings tell the six cars apart.
 *
 * The car is the vehicle (car, bus, truck) with the largest score × area: the highest-scoring one is
 * often a car in the background (car03), the largest alone sometimes a false "car" over the turntable
 * (car01). The score threshold is 0.25: at 0.3 (the default) car03's front views (0°-20°, the car
 * behind people) score 0.12-0.28 and car03 reaches about 94%.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { boxArea, intersectionOverUnion } from '../../../src/core/geometry.js';
import type { Detection } from '../../../src/vision/index.js';
import { YoloxDetector } from '../../../src/vision/index.js';
import { yoloxModelDir } from '../../helpers/shared.js';
import { decodeAllFrames, loadEpfl } from './frames.js';

const VEHICLES = new Set([2, 5, 7]);
const CARS = [1, 2, 3, 4, 5, 6];

const RULES = {
  'score × area': (d: Detection) => d.score * boxArea(d.box),
  'highest score': (d: Detection) => d.score,
  largest: (d: Detection) => boxArea(d.box),
} as const;
type Rule = keyof typeof RULES;

/** The car the video is about under a rule. */
function mainVehicle(detections: readonly Detection[], rule: Rule): Detection | undefined {
  let best: Detection | undefined;
  for (const d of detections) if (VEHICLES.has(d.classId) && (!best || RULES[rule](d) > RULES[rule](best))) best = d;
  return best;
}

interface Found {
  car: number;
  frame: number;
  iou: number;
  detection?: Detection;
  /** IoU under the other rules, for the log. */
  iouBy: Record<Rule, number>;
}

describe('YOLOX on EPFL GIMS08', () => {
  let detector: YoloxDetector;
  const found: Found[] = [];
  let ms = 0;

  beforeAll(async () => {
    detector = await YoloxDetector.create({ modelsDir: yoloxModelDir(), device: 'cpu', batchSize: 8, scoreThreshold: 0.25, nmsIou: 0.45 });
    for (const car of CARS) {
      const { file, truth, boxOf } = loadEpfl(car);
      const frames = await decodeAllFrames(file, truth.width, truth.height, truth.fps);
      expect(frames.length).toBe(truth.frames.length);
      const started = performance.now();
      const detections = await detector.detect(frames);
      ms += performance.now() - started;
      detections.forEach((list, i) => {
        const gt = boxOf(i);
        if (!gt) throw new Error(`car0${car} frame ${i} has no ground truth`);
        const iouBy = Object.fromEntries(
          (Object.keys(RULES) as Rule[]).map((rule) => {
            const d = mainVehicle(list, rule);
            return [rule, d ? intersectionOverUnion(d.box, gt) : 0];
          }),
        ) as Record<Rule, number>;
        const d = mainVehicle(list, 'score × area');
        found.push({ car, frame: i, iou: iouBy['score × area'], detection: d, iouBy });
      });
    }
  });

  afterAll(async () => {
    await detector?.dispose();
  });

  it('finds the car with IoU >= 0.5 on at least 95% of frames, per video and overall', () => {
    const rate = (list: Found[]) => list.filter((f) => f.iou >= 0.5).length / list.length;
    const perVideo = CARS.map((car) => {
      const list = found.filter((f) => f.car === car);
      return { car: `car0${car}`, frames: list.length, rate: rate(list), meanIou: list.reduce((s, f) => s + f.iou, 0) / list.length };
    });
    const overall = rate(found);
    console.log(
      `EPFL IoU>=0.5 rates: ${perVideo.map((v) => `${v.car} ${(v.rate * 100).toFixed(1)}% (mean IoU ${v.meanIou.toFixed(3)}, ${v.frames} frames)`).join(', ')}; ` +
        `overall ${(overall * 100).toFixed(1)}% of ${found.length} frames; ${(ms / found.length).toFixed(1)} ms/frame on ${detector.provider} at batch 8`,
    );
    for (const rule of Object.keys(RULES) as Rule[]) {
      const r = (list: Found[]) => ((list.filter((f) => f.iouBy[rule] >= 0.5).length / list.length) * 100).toFixed(1);
      console.log(`  rule ${rule}: ${CARS.map((car) => `car0${car} ${r(found.filter((f) => f.car === car))}%`).join(', ')}, overall ${r(found)}%`);
    }
    for (const v of perVideo) expect(v.rate, v.car).toBeGreaterThanOrEqual(0.95);
    expect(overall).toBeGreaterThanOrEqual(0.95);
  });

  it('labels the car as a vehicle with a sensible score', () => {
    const labels = new Set(found.map((f) => f.detection?.label));
    expect([...labels].every((l) => l === undefined || ['car', 'bus', 'truck'].includes(l))).toBe(true);
    const scores = found.filter((f) => f.detection).map((f) => f.detection!.score);
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(0.25);
  });

  it('gives frames of the same car more similar embeddings than frames of different cars', () => {
    const withEmbedding = found.filter((f) => f.detection?.embedding);
    expect(withEmbedding.length).toBe(found.filter((f) => f.detection).length);
    const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);
    for (const f of withEmbedding) expect(dot(f.detection!.embedding!, f.detection!.embedding!)).toBeCloseTo(1, 4);
    // Every 2nd frame keeps the pair count small.
    const sample = withEmbedding.filter((f) => f.frame % 2 === 0);
    let same = 0;
    let sameN = 0;
    let diff = 0;
    let diffN = 0;
    const perCar = new Map<number, { same: number; n: number; diff: number; m: number }>();
    for (let i = 0; i < sample.length; i++) {
      for (let j = i + 1; j < sample.length; j++) {
        const s = dot(sample[i].detection!.embedding!, sample[j].detection!.embedding!);
        const sameCar = sample[i].car === sample[j].car;
        for (const car of sameCar ? [sample[i].car] : [sample[i].car, sample[j].car]) {
          const a = perCar.get(car) ?? { same: 0, n: 0, diff: 0, m: 0 };
          perCar.set(car, a);
          if (sameCar) {
            a.same += s;
            a.n++;
          } else {
            a.diff += s;
            a.m++;
          }
        }
        if (sameCar) {
          same += s;
          sameN++;
        } else {
          diff += s;
          diffN++;
        }
      }
    }
    console.log(
      `embedding cosine: same car ${(same / sameN).toFixed(3)}, different cars ${(diff / diffN).toFixed(3)}; per car (same/different): ` +
        [...perCar].map(([car, a]) => `car0${car} ${(a.same / a.n).toFixed(2)}/${(a.diff / a.m).toFixed(2)}`).join(', '),
    );
    expect(same / sameN).toBeGreaterThan(diff / diffN + 0.05);
    // Every car on its own is closer to itself than to the others.
    for (const [car, a] of perCar) expect(a.same / a.n, `car0${car}`).toBeGreaterThan(a.diff / a.m);
  });
});
