/**
 * A car finished early is handed on with its draft and photos before its clip, and its clip after,
 * while the next cars are finished; the final pass's cars are handed on the same way: the real pipeline (YOLOX on CPU, real ffmpeg) on a three-car
 * walkaround, plates not blurred and no text read (the clip is then a cut, the cheapest there is).
 */
import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../../fixtures/walkaround.js';
import { parseSettings } from '../../../src/config/config.js';
import { silentLogger } from '../../../src/core/log.js';
import { analyseVideo } from '../../../src/pipeline/analyse-video.js';
import { ModelPool } from '../../../src/pipeline/model-pool.js';
import type { FinishedCar } from '../../../src/pipeline/result.js';
import { testConfig } from '../../helpers/pipeline.js';
import { scratchDir } from '../../helpers/shared.js';

const root = scratchDir('early-clips');
afterAll(() => rm(root, { recursive: true, force: true }));

describe('cars finished early', () => {
  it('are handed on with their drafts first, clip not waited for, then with their clips', async () => {
    const { video } = await buildPreset('hardCuts');
    const config = testConfig(join(root, 'data'));
    const settings = parseSettings({ ocr: { enabled: false }, plates: { blur: false }, segmentation: { earlyCars: 'first' } });
    const stagingDir = join(root, 'staging');
    const models = new ModelPool({ modelsDir: config.modelsDir, dataDir: config.dataDir, device: 'cpu', settings, log: silentLogger, clip: null });
    const handed: { hook: 'draft' | 'clipped'; car: FinishedCar; photosOnDisk: boolean; clipOnDisk: boolean }[] = [];
    const onDisk = (file: string) => existsSync(join(stagingDir, file)) && statSync(join(stagingDir, file)).size > 0;
    const record = (hook: 'draft' | 'clipped') => async (car: FinishedCar) => {
      handed.push({ hook, car, photosOnDisk: car.photos.every((p) => onDisk(p.file)), clipOnDisk: car.clip !== null && onDisk(car.clip) });
    };
    try {
      const result = await analyseVideo({ file: video, stagingDir, models, settings, config, log: silentLogger, onCarFinished: { draft: record('draft'), clipped: record('clipped') } });
      const drafts = handed.filter((h) => h.hook === 'draft');
      const clipped = handed.filter((h) => h.hook === 'clipped');
      expect(drafts.length).toBeGreaterThanOrEqual(2);
      expect(clipped.map((h) => h.car.ordinal)).toEqual(drafts.map((h) => h.car.ordinal));
      for (const draft of drafts) {
        // The draft and its photos, without the clip.
        expect(draft.car.clip).toBeNull();
        expect(draft.car.photos.length).toBeGreaterThan(0);
        expect(draft.photosOnDisk).toBe(true);
        const clip = clipped.find((h) => h.car.ordinal === draft.car.ordinal)!;
        expect(handed.indexOf(clip)).toBeGreaterThan(handed.indexOf(draft));
        expect(clip.car.clip).toMatch(/^car-\d+\/clip\.mp4$/);
        expect(clip.clipOnDisk).toBe(true);
        expect(clip.car.draft).toEqual(draft.car.draft);
      }
      // Every car of the result was handed on before it, the final pass's (the last car) too, and
      // carries its clip into the result.
      expect(result.cars.map((car) => car.earlyOrdinal).sort()).toEqual(drafts.map((h) => h.car.ordinal).sort());
      for (const car of result.cars) expect(car.clip).not.toBeNull();
    } finally {
      await models.close();
    }
  }, 600_000);
});
