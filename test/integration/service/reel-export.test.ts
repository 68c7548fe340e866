/**
 * A draft's ready reel in the exports: the API's JSON (`video_urls`) and CSV (`video[n].url`) and
 * `lotreel export`'s feed (dealerFeed, what the command prints) give the same link; a reel not rendered
 * yet, a car held for its plates and a car without reels give none. Real PGlite, the real Fastify app
 * over injected HTTP; the reel rows as a finished render leaves them (no render: links only).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/core/log.js';
import { locateFfmpeg } from '../../../src/media/binaries.js';
import { ModelPool } from '../../../src/pipeline/model-pool.js';
import { buildApp } from '../../../src/service/app.js';
import type { ServiceContext } from '../../../src/service/context.js';
import { feedCsv, type FeedItem } from '../../../src/service/feed.js';
import { dealerFeed } from '../../../src/service/feed-export.js';
import { startJobQueue, type JobQueue } from '../../../src/service/jobs.js';
import { openStorage } from '../../../src/storage/index.js';
import { openDatabase, type Database } from '../../../src/store/index.js';
import { markReelDone, queueReel } from '../../../src/store/reels.repository.js';
import { testConfig } from '../../helpers/pipeline.js';
import { seedDealer, seedDealerVideo } from '../../helpers/seed-cars.js';
import { scratchDir } from '../../helpers/shared.js';

const root = scratchDir('reel-export');
const config = testConfig(join(root, 'data'));
const BASE = 'https://lot.example';
let db: Database;
let app: FastifyInstance;
let queue: JobQueue;
let token: string;
let videoId: string;
let carIds: string[];
let draftIds: string[];

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  db = await openDatabase(config);
  const dealer = await seedDealer(db, 'Reel Motors');
  token = dealer.token;
  const saved = await seedDealerVideo(db, dealer.id, 3, { fingerprint: 'reel-export' });
  videoId = saved.videoId;
  carIds = saved.cars.map((c) => c.id);
  draftIds = saved.cars.map((c) => c.draftId);
  // Car 1: a vertical reel done, a square one still queued. Car 2: a done reel, but the car is held.
  for (const [draft, format, done] of [[draftIds[0], 'vertical', true], [draftIds[0], 'square', false], [draftIds[1], 'vertical', true]] as const) {
    await queueReel(db, draft, format, null);
    if (done) await markReelDone(db, draft, format, { file: `${dealer.id}/${videoId}/reels/${draft}/${format}-v1.mp4`, sourceVersion: 'v1', durationMs: 12000 });
  }
  await db.query(`update drafts set attributes = attributes || '{"platesNotBlurred": "no plate reader"}'::jsonb where id = $1`, [draftIds[1]]);
  queue = await startJobQueue(db, { settings: config.service, log: silentLogger, supervise: false });
  const models = new ModelPool({ modelsDir: config.modelsDir, dataDir: config.dataDir, device: 'cpu', settings: config.analysis, log: silentLogger });
  const ctx: ServiceContext = { db, storage: openStorage(config), queue, config: { ...config, service: { ...config.service, publicUrl: BASE } }, log: silentLogger, binaries: locateFfmpeg(config), models };
  app = await buildApp(ctx);
}, 60_000);
afterAll(async () => {
  await app?.close();
  await queue?.stop();
  await db?.close();
  rmSync(root, { recursive: true, force: true });
});

const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

/** Each car's reel links in a CSV export, by vehicle_id (empty cells left out). */
function csvReels(csv: string): Record<string, string[]> {
  const [header, ...rows] = csv.trim().split('\r\n').map((line) => line.split(','));
  const columns = header.flatMap((name, i) => (/^video\[\d+\]\.url$/.test(name) ? [i] : []));
  expect(columns.length).toBeGreaterThanOrEqual(1);
  return Object.fromEntries(rows.map((row) => [row[0], columns.map((i) => row[i]).filter((v) => v !== '')]));
}

const jsonReels = (items: FeedItem[]) => Object.fromEntries(items.map((item) => [item.vehicle_id, item.video_urls ?? []]));

describe('reels in the exports', () => {
  it('lists the ready reel of each car in the JSON and the CSV alike, nothing for a queued reel, a held car or a car without', async () => {
    const expected = {
      [carIds[0]]: [`${BASE}/api/drafts/${draftIds[0]}/reels/vertical?v=v1`],
      [carIds[1]]: [],
      [carIds[2]]: [],
    };
    const json = await get(`/api/videos/${videoId}/export?format=json`);
    expect(json.statusCode).toBe(200);
    expect(jsonReels(json.json())).toEqual(expected);
    const csv = await get(`/api/videos/${videoId}/export?format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csvReels(csv.body)).toEqual(expected);

    // lotreel export: the same feed, from the database.
    const feed = await dealerFeed(db, { dealer: 'Reel Motors' }, { base: BASE, defaultDays: 30, mileageUnit: 'km' });
    expect(jsonReels(feed)).toEqual(expected);
    expect(csvReels(feedCsv(feed))).toEqual(expected);
  });
});
