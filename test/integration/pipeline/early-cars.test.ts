/**
 * Cars finished early (while the video is still being analysed) are the cars the whole video gives:
 * the real pipeline run twice on a real-car walkaround, once finishing cars as they settle and once
 * only at the end, must give the same segments and the same photos. An early car refined without the
 * car after it once let its end reach a second into that car.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../../src/config/config.js';
import { silentLogger } from '../../../src/core/log.js';
import type { ProcessResult } from '../../../src/pipeline/result.js';
import { openDatabase, type Database } from '../../../src/store/index.js';
import { buildHard, REPORTING_SET } from '../../../fixtures/hard-walkarounds.js';
import { processVideo, testConfig } from '../../helpers/pipeline.js';
import { scratchDir } from '../../helpers/shared.js';

const root = scratchDir('early-cars');
const config = testConfig(join(root, 'data'));
let db: Database;

beforeAll(async () => {
  db = await openDatabase(config);
});
afterAll(async () => {
  await db?.close();
  await rm(root, { recursive: true, force: true });
});

async function run(video: string, earlyCars: 'first' | 'off', onCarDone?: () => void): Promise<ProcessResult> {
  // Plates and text off: this is about where each car starts and ends, and which frames it keeps.
  const settings = parseSettings({ ocr: { enabled: false }, plates: { blur: false }, segmentation: { earlyCars } });
  return processVideo({ file: video, outDir: join(root, earlyCars), device: 'cpu', settings, config, log: silentLogger, database: db, clip: null, onCarDone });
}

const shape = (result: ProcessResult) => result.cars.map((car) => ({ segments: car.segments, photos: car.photos.map((p) => p.timestampMs) }));

describe('cars finished early', () => {
  it('are the cars the whole video gives: same segments, same photos', async () => {
    const spec = REPORTING_SET.find((s) => s.name.includes('fast'))!;
    const { video } = await buildHard(spec);
    let early = 0;
    const streamed = await run(video, 'first', () => early++);
    const atTheEnd = await run(video, 'off');
    expect(early).toBeGreaterThanOrEqual(2);
    expect(streamed.cars).toHaveLength(spec.cars);
    expect(shape(streamed)).toEqual(shape(atTheEnd));
  });
});
