/**
 * The pipeline with CLIP on (a random-weight CLIP-shaped model: the labels mean nothing, the plumbing
 * is real) and with CLIP off (no weights: runs as before and says once what is off).
 */
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestClipFamily } from '../../../fixtures/clip-model.js';
import { buildPreset } from '../../../fixtures/walkaround.js';
import { parseSettings } from '../../../src/config/config.js';
import { createLogger, silentLogger } from '../../../src/core/log.js';
import { CLIP_OFF_FEATURES, ClipStage } from '../../../src/pipeline/clip-stage.js';
import { listingRank, VIEWS, type View } from '../../../src/analysis/views.js';
import { loadVideoResult, openDatabase, type Database } from '../../../src/store/index.js';
import { ClipEncoder } from '../../../src/vision/clip.js';
import { processVideo, testConfig } from '../../helpers/pipeline.js';
import { scratchDir, yoloxModelDir } from '../../helpers/shared.js';

const root = scratchDir('pipeline-clip');
const config = testConfig(join(root, 'data'));
const settings = parseSettings({ photos: { maxPhotos: 6 } });
let db: Database;
let stage: ClipStage;
let video: string;

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  const models = join(root, 'models');
  const { manifest, family } = await writeTestClipFamily(models);
  symlinkSync(join(yoloxModelDir(), 'yolox_nano.onnx'), join(models, 'yolox_nano.onnx'));
  const encoder = await ClipEncoder.create({ modelsDir: models, device: 'cpu', family, manifest, imageBatchSize: 4 });
  stage = await ClipStage.withEncoder(encoder, { modelsDir: models, cacheDir: join(root, 'cache'), device: 'cpu', settings, log: silentLogger });
  video = (await buildPreset('singleCar')).video;
  db = await openDatabase(config);
});
afterAll(async () => {
  await stage?.dispose();
  await db?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('pipeline with CLIP', () => {
  it('labels photo views, orders photos for a listing, ranks make and model, and stores it all', async () => {
    const result = await processVideo({ file: video, outDir: join(root, 'out'), device: 'cpu', settings, config, log: silentLogger, database: db, clip: stage });
    expect(result.cars.length).toBeGreaterThanOrEqual(1);
    expect(result.timingsMs.clip).toBeGreaterThan(0);
    expect(result.device.models).toMatchObject({ yolox: 'cpu', clip: 'cpu' });
    expect(stage.encoder.stats.images).toBeGreaterThanOrEqual(result.video.framesAnalysed);
    for (const car of result.cars) {
      expect(car.photos.length).toBeGreaterThan(0);
      for (const p of car.photos) {
        expect(VIEWS).toContain(p.view);
        expect(p.viewConfidence).toBeGreaterThan(0);
        expect(p.viewConfidence).toBeLessThanOrEqual(1);
      }
      // Listing order after the cover.
      const ranks = car.photos.slice(1).map((p) => listingRank(p.view as View));
      expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
      const mm = car.makeModel;
      expect(mm.candidates).toHaveLength(5);
      const confidences = (mm.candidates as { confidence: number }[]).map((c) => c.confidence);
      expect([...confidences].sort((a, b) => b - a)).toEqual(confidences);
      expect(mm.confidence).toBe(confidences[0]);
      // Set only above the threshold; the draft waits for review otherwise.
      const sure = mm.confidence >= settings.makeModel.minConfidence;
      expect(mm.make !== null).toBe(sure);
      expect(car.draft.status).toBe(sure ? 'ready' : 'needs_review');
    }
    const stored = await loadVideoResult(db, result.videoId);
    const car = stored!.cars[0];
    expect(car.makeModelCandidates).toEqual(result.cars[0].makeModel.candidates);
    expect(car.photos.map((p) => p.view)).toEqual(result.cars[0].photos.map((p) => p.view));
    expect(car.photos[0].quality.viewConfidence).toBeCloseTo(result.cars[0].photos[0].viewConfidence!, 3);
  });
});

describe('pipeline without CLIP weights', () => {
  it('says once which features are off', async () => {
    const lines: string[] = [];
    const log = createLogger('warn', (line) => lines.push(line));
    const options = { modelsDir: yoloxModelDir(), cacheDir: join(root, 'cache'), device: 'cpu' as const, settings, log };
    expect(await ClipStage.openIfPresent(options)).toBeNull();
    expect(await ClipStage.openIfPresent(options)).toBeNull();
    expect(lines).toHaveLength(1);
    const warning = JSON.parse(lines[0]) as { level: string; msg: string; missing: string[] };
    expect(warning.level).toBe('warn');
    expect(warning.msg).toContain(CLIP_OFF_FEATURES);
    expect(warning.msg).toContain('lotreel models pull');
    expect(warning.missing).toContain('clip-vit-base-patch32-vision.onnx');
  });
});
