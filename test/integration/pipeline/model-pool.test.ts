/**
 * The worker's job function on three real videos in a row (EPFL cars, real YOLOX and OCR, PGlite,
 * local storage): each model is opened once for the process and found warm by the later videos, and
 * each video ends done with its rows pointing at published files and no other run folder left.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/core/log.js';
import { locateFfmpeg } from '../../../src/media/binaries.js';
import { fingerprintFile } from '../../../src/media/fingerprint.js';
import { probe } from '../../../src/media/index.js';
import { ModelPool } from '../../../src/pipeline/model-pool.js';
import type { ServiceContext } from '../../../src/service/context.js';
import type { JobQueue } from '../../../src/service/jobs.js';
import { hashApiToken, newApiToken } from '../../../src/service/tokens.js';
import { runVideoJob } from '../../../src/service/worker.js';
import { LocalStorage, originalKey, videoPrefix } from '../../../src/storage/index.js';
import { loadVideoResult, openDatabase, type Database } from '../../../src/store/index.js';
import { insertDealer } from '../../../src/store/dealers.repository.js';
import { insertQueuedVideo } from '../../../src/store/service.repository.js';
import { testConfig } from '../../helpers/pipeline.js';
import { epflCar, scratchDir } from '../../helpers/shared.js';

const root = scratchDir('model-pool');
const config = testConfig(join(root, 'data'));
const records: { msg: string; warm?: Record<string, boolean>; video?: string }[] = [];
let db: Database;
let ctx: ServiceContext;
let dealerId: string;

beforeAll(async () => {
  await mkdir(root, { recursive: true });
  db = await openDatabase(config);
  dealerId = (await insertDealer(db, 'Pool Motors', hashApiToken(newApiToken()))).id;
  const log = createLogger('info', (line) => records.push(JSON.parse(line) as (typeof records)[number]));
  const models = new ModelPool({ modelsDir: config.modelsDir, dataDir: config.dataDir, device: 'cpu', settings: config.analysis, log });
  // runVideoJob never touches the queue (the queue calls it).
  ctx = { db, storage: new LocalStorage(join(root, 'media')), queue: {} as JobQueue, config, log, binaries: locateFfmpeg(config), models };
});

afterAll(async () => {
  await ctx?.models.close();
  await db?.close();
  await rm(root, { recursive: true, force: true });
});

async function queueVideo(source: string): Promise<string> {
  const id = randomUUID();
  const copy = join(root, `${id}.mp4`);
  await copyFile(source, copy);
  const info = await probe(copy, locateFfmpeg(config));
  const fingerprint = await fingerprintFile(copy);
  await ctx.storage.putFile(originalKey(dealerId, id), copy);
  const { sizeBytes, durationMs, width, height, fps, rotation, codec, bitDepth } = info;
  await insertQueuedVideo(db, { id, dealerId, fingerprint, fileName: 'car.mp4', originalKey: originalKey(dealerId, id), sizeBytes, durationMs, width, height, fps, rotation, codec, bitDepth });
  return id;
}

describe('a worker taking three videos in a row', () => {
  it('opens YOLOX, OCR and the VIN database once and finds them warm for the second and third video', async () => {
    const ids: string[] = [];
    for (const n of [5, 1, 6]) {
      const id = await queueVideo(epflCar(n));
      await runVideoJob(ctx, { jobId: randomUUID(), videoId: id, retryCount: 0, retryLimit: 0, signal: new AbortController().signal });
      ids.push(id);
    }
    const opens = ctx.models.opens;
    console.log('model opens', JSON.stringify(opens));
    expect(opens.yolox).toBe(1);
    expect(opens.ocr).toBe(1); // the PP-OCR models are installed (node_modules)
    expect(opens.vin).toBeLessThanOrEqual(1);
    expect(opens.clip).toBe(0); // no CLIP weights in the shared models folder

    const committed = records.filter((r) => r.msg === 'result committed');
    expect(committed).toHaveLength(3);
    const used = Object.keys(committed[0]!.warm!);
    expect(used).toEqual(expect.arrayContaining(['yolox', 'ocr']));
    expect(Object.values(committed[0]!.warm!).every((w) => w === false)).toBe(true);
    for (const later of committed.slice(1)) expect(later.warm).toEqual(Object.fromEntries(used.map((m) => [m, true])));

    for (const id of ids) {
      const stored = await loadVideoResult(db, id);
      expect(stored?.video.status).toBe('done');
      expect(stored!.cars.length).toBeGreaterThanOrEqual(1);
      const folder = join(root, 'media', videoPrefix(dealerId, id));
      // Each car is stored as soon as its draft is written (its run folder) and its clip after it (one
      // more): the run folders left are exactly those the rows name, and every file named is there.
      const files = stored!.cars.flatMap((car) => [car.clipFile ?? '', ...car.photos.map((p) => p.file)]).filter(Boolean);
      const runs = (await readdir(folder)).filter((e) => e.startsWith('run-'));
      expect(runs.sort()).toEqual([...new Set(files.map((f) => f.split('/')[0]))].sort());
      for (const car of stored!.cars) expect(car.clipFile).toMatch(/^run-[^/]+\/car-\d+\/clip\.mp4$/);
      for (const file of files) expect(existsSync(join(folder, file)), file).toBe(true);
    }
  });
});
