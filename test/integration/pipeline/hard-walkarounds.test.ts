/**
 * The whole pipeline (CPU, YOLOX, no CLIP weights) on handheld-like walkarounds built from the real
 * EPFL cars (fixtures/hard-walkarounds.ts) and on the real DAVIS clip: exact car counts, no photo
 * outside its car, close-ups attached to their car and read. The held-out reporting set (REPORTING_SET,
 * names `reporting-`) runs first and is what the figures say; the tuning set (TUNING_SET, `tuning-`) is
 * the one the thresholds were chosen on. Each run prints its figures with its set.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../../src/config/config.js';
import { silentLogger } from '../../../src/core/log.js';
import type { ProcessResult } from '../../../src/pipeline/result.js';
import { openDatabase, type Database } from '../../../src/store/index.js';
import { buildHard, REPORTING_SET, TUNING_SET, type HardSpec } from '../../../fixtures/hard-walkarounds.js';
import { scoreWalkaround } from '../../../fixtures/score.js';
import { processVideo, testConfig } from '../../helpers/pipeline.js';
import { scratchDir, sharedFile } from '../../helpers/shared.js';

const root = scratchDir('hard-walkarounds');
const config = testConfig(join(root, 'data'));
let db: Database;

beforeAll(async () => {
  db = await openDatabase(config);
});
afterAll(async () => {
  await db?.close();
  await rm(root, { recursive: true, force: true });
});

function run(video: string, name: string, readText: boolean, extra: { earlyCars?: 'first' | 'off'; onCarDone?: () => void } = {}): Promise<ProcessResult> {
  const settings = parseSettings({ ocr: { enabled: readText }, segmentation: { earlyCars: extra.earlyCars ?? 'first' } });
  return processVideo({ file: video, outDir: join(root, name), device: 'cpu', settings, config, log: silentLogger, database: db, clip: null, onCarDone: extra.onCarDone });
}

const withCloseUps = (spec: HardSpec) => spec.clips.some((c) => c.kind === 'card');

const sets = [
  ['held-out reporting set', REPORTING_SET],
  ['tuning set', TUNING_SET],
] as const;

describe.each(sets.flatMap(([set, specs]) => specs.map((spec) => [set, spec.name, spec] as const)))('%s: %s', (_set, name, spec) => {
  it(`finds exactly ${spec.cars} car(s), every photo inside its car, boundaries within 1 s${withCloseUps(spec) ? ', the close-up attached and read' : ''}`, async () => {
    const { video, truth } = await buildHard(spec);
    const result = await run(video, name, withCloseUps(spec));
    const score = scoreWalkaround(truth, result.cars);
    console.log(`[${spec.purpose}] ${name}`, JSON.stringify({ ...score, cars: score.cars, confidence: result.cars.map((c) => c.confidence), warnings: result.cars.map((c) => c.warnings) }));

    expect(result.cars).toHaveLength(spec.cars);
    expect(score.oneToOne).toBe(true);
    expect(score.photosOutsideCar).toBe(0);
    expect(score.maxBoundaryErrorMs).toBeLessThanOrEqual(1000);
    for (const car of result.cars) {
      expect(car.photos.filter((p) => p.cover)).toHaveLength(1);
      expect(car.photos.find((p) => p.cover)!.closeUp).toBe(false);
      expect(car.confidence).toBeGreaterThan(0);
    }
    if (withCloseUps(spec)) {
      const [car] = result.cars;
      expect(car.photos.some((p) => p.closeUp)).toBe(true);
      const vin = Object.values(truth.vins)[0];
      expect(car.evidence.filter((e) => e.attribute === 'vin').map((e) => e.value)).toContain(vin);
    }
    if (spec.name === 'reporting-light-car01') {
      // A single real car filmed all the way round, the light changing: one car, 12 photos round it.
      expect(result.cars[0].photos).toHaveLength(12);
      expect(score.minSectorsCovered).toBeGreaterThanOrEqual(6);
    }
  });
});

describe('reporting-davis-car-turn (a real clip: the camera pans with one car from its front to its rear three-quarter)', () => {
  it('is one car from when it is large enough to the end, with photos', async () => {
    const video = sharedFile('media/videos/davis-car-turn-720p.mp4');
    const result = await run(video, 'davis', false);
    console.log('[reporting] davis-car-turn', JSON.stringify({ cars: result.cars.length, segments: result.cars.map((c) => c.segments), photos: result.cars.map((c) => c.photos.length), confidence: result.cars.map((c) => c.confidence) }));
    expect(result.cars).toHaveLength(1);
    // The car is far and small for its first few hundred milliseconds, large from 1 s to the end.
    const [segment] = result.cars[0].segments;
    expect(result.cars[0].segments).toHaveLength(1);
    expect(segment.startMs).toBeLessThanOrEqual(1000);
    expect(segment.endMs).toBeGreaterThanOrEqual(result.video.durationMs - 200);
    expect(result.cars[0].photos.length).toBeGreaterThanOrEqual(2);
  });
});

/**
 * Cars finished early (while the video is still being analysed) are the cars the whole video gives:
 * run once finishing cars as they settle and once only at the end, the same segments and photos. An
 * early car refined without the car after it once let its end reach a second into that car.
 */
describe('cars finished early', () => {
  it('are the cars the whole video gives: same segments, same photos', async () => {
    const spec = REPORTING_SET.find((s) => s.name.includes('fast'))!;
    const { video } = await buildHard(spec);
    let early = 0;
    const streamed = await run(video, 'early-first', false, { earlyCars: 'first', onCarDone: () => early++ });
    const atTheEnd = await run(video, 'early-off', false, { earlyCars: 'off' });
    const shape = (result: ProcessResult) => result.cars.map((car) => ({ segments: car.segments, photos: car.photos.map((p) => p.timestampMs) }));
    expect(early).toBeGreaterThanOrEqual(2);
    expect(streamed.cars).toHaveLength(spec.cars);
    expect(shape(streamed)).toEqual(shape(atTheEnd));
  });
});
