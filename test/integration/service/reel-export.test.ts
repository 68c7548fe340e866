/**
 * A draft's ready reel in the exports: the API's JSON (`video_urls`) and CSV (`video[n].url`) and
 * `lotreel export`'s feed (dealerFeed, what the command prints) give the same signed link, which a
 * marketplace opens without the token; a reel not rendered yet, a car held for its plates and a car
 * without reels give none. Real PGlite, the real Fastify app
 * over injected HTTP; the reel rows as a finished render leaves them (no render: links only).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedCsv, type FeedItem } from '../../../src/service/feed.js';
import { dealerFeed } from '../../../src/service/feed-export.js';
import { linkExpiry, signedReelPath } from '../../../src/service/image-links.js';
import { openStorage } from '../../../src/storage/index.js';
import { getImageLinkKey } from '../../../src/store/dealers.repository.js';
import { openDatabase, type Database } from '../../../src/store/index.js';
import { markReelDone, queueReel } from '../../../src/store/reels.repository.js';
import { testConfig } from '../../helpers/pipeline.js';
import { startTestApp, type TestApp } from '../../helpers/service-app.js';
import { seedDealer, seedDealerVideo } from '../../helpers/seed-cars.js';
import { scratchDir } from '../../helpers/shared.js';

const root = scratchDir('reel-export');
const config = testConfig(join(root, 'data'));
const BASE = 'https://lot.example';
let db: Database;
let app: FastifyInstance;
let served: TestApp;
let token: string;
let videoId: string;
let carIds: string[];
let draftIds: string[];
let dealerId: string;
const REEL_BYTES = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  db = await openDatabase(config);
  const dealer = await seedDealer(db, 'Reel Motors');
  dealerId = dealer.id;
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
  // The rendered file the links serve (its bytes only matter here).
  const file = join(root, 'reel.mp4');
  writeFileSync(file, REEL_BYTES);
  await openStorage(config).putFile(`${dealer.id}/${videoId}/reels/${draftIds[0]}/vertical-v1.mp4`, file);
  await db.query(`update drafts set attributes = attributes || '{"platesNotBlurred": "no plate reader"}'::jsonb where id = $1`, [draftIds[1]]);
  served = await startTestApp(db, { ...config, service: { ...config.service, publicUrl: BASE } });
  app = served.app;
}, 60_000);
afterAll(async () => {
  await served?.close();
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
    const json = await get(`/api/videos/${videoId}/export?format=json`);
    expect(json.statusCode).toBe(200);
    const expected = jsonReels(json.json());
    expect(Object.keys(expected).sort()).toEqual([...carIds].sort());
    expect(expected[carIds[0]]).toEqual([expect.stringMatching(new RegExp(`^${BASE}/public/reels/${draftIds[0]}/vertical/reel\\.mp4\\?expires=\\d+&signature=[\\w-]+&v=v1$`))]);
    expect([expected[carIds[1]], expected[carIds[2]]]).toEqual([[], []]);
    const csv = await get(`/api/videos/${videoId}/export?format=csv`);
    expect(csv.statusCode).toBe(200);
    expect(csvReels(csv.body)).toEqual(expected);

    // lotreel export: the same feed, from the database.
    const feed = await dealerFeed(db, { dealer: 'Reel Motors' }, { base: BASE, defaultDays: 30, mileageUnit: 'km' });
    expect(jsonReels(feed)).toEqual(expected);
    expect(csvReels(feedCsv(feed))).toEqual(expected);
  });

  it("serves the feed's reel link to a marketplace without the token, with byte ranges; refuses an altered, revoked or held one", async () => {
    const link = new URL(jsonReels((await get(`/api/videos/${videoId}/export?format=json`)).json())[carIds[0]][0]);
    const path = link.pathname + link.search;
    const whole = await app.inject({ method: 'GET', url: path });
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['content-type']).toBe('video/mp4');
    expect(whole.rawPayload.equals(REEL_BYTES)).toBe(true);
    const part = await app.inject({ method: 'GET', url: path, headers: { range: 'bytes=10-19' } });
    expect(part.statusCode).toBe(206);
    expect(part.rawPayload.equals(REEL_BYTES.subarray(10, 20))).toBe(true);

    const altered = path.replace(/signature=./, (m) => m.slice(0, -1) + (m.endsWith('A') ? 'B' : 'A'));
    expect((await app.inject({ method: 'GET', url: altered })).statusCode).toBe(403);
    // Another draft's reel under this link's signature: refused.
    expect((await app.inject({ method: 'GET', url: path.replace(draftIds[0], draftIds[1]) })).statusCode).toBe(403);
    // The held car's reel, through a link signed for it: not published.
    const key = (await getImageLinkKey(db, dealerId))!.key;
    const held = await app.inject({ method: 'GET', url: signedReelPath(draftIds[1], 'vertical', key, linkExpiry(1)) });
    expect(held.statusCode).toBe(409);
    expect(held.json().error.code).toBe('PLATES_NOT_BLURRED');

    expect((await app.inject({ method: 'POST', url: '/api/image-links/revoke', headers: { authorization: `Bearer ${token}` } })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: path })).statusCode).toBe(403);
  });
});
