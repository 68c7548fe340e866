/**
 * What the service publishes of a car held because its plates could not be looked for: nothing of its
 * photos. Real PGlite, real local storage holding the photo files, the real Fastify app over injected
 * HTTP: the export lists the held car without image links and its photo's published image answers
 * 409 PLATES_NOT_BLURRED (with the token or through a signed link), while the other car of the same video is served as before.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { linkExpiry, signedImagePath } from '../../../src/service/image-links.js';
import { hashApiToken, newApiToken } from '../../../src/service/tokens.js';
import { openStorage } from '../../../src/storage/index.js';
import { videoPrefix } from '../../../src/storage/storage.js';
import { getImageLinkKey, insertDealer } from '../../../src/store/dealers.repository.js';
import { openDatabase, saveVideoResult, type CarInput, type Database } from '../../../src/store/index.js';
import { insertQueuedVideo } from '../../../src/store/service.repository.js';
import { testConfig } from '../../helpers/pipeline.js';
import { startTestApp, type TestApp } from '../../helpers/service-app.js';
import { scratchDir } from '../../helpers/shared.js';

const root = scratchDir('held-photos');
const config = testConfig(join(root, 'data'));
const token = newApiToken();
const videoId = randomUUID();
const HELD_REASON = 'the OCR models cannot be opened: broken';
let db: Database;
let app: FastifyInstance;
let served: TestApp;
let photoIds: { held: string; ready: string };
let dealerId: string;
let heldDraftId: string;

const car = (ordinal: number, attributes: Record<string, unknown>): CarInput => ({
  ordinal,
  color: 'white',
  bodyType: null,
  make: null,
  model: null,
  year: null,
  makeModelConfidence: null,
  makeModelCandidates: [],
  clipFile: null,
  segments: [{ startMs: 0, endMs: 1000 }],
  photos: [{ ordinal: 1, file: `run-1/car-${ordinal}/01.jpg`, timestampMs: 0, width: 64, height: 48, view: null, sharpness: 1, quality: {}, isCover: true }],
  draft: { title: `Car ${ordinal}`, description: 'A car.', status: 'needs_review', attributes },
});

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  db = await openDatabase(config);
  const dealer = await insertDealer(db, 'Dealer A', hashApiToken(token));
  dealerId = dealer.id;
  const facts = { sizeBytes: 1, durationMs: 1000, width: 64, height: 48, fps: 10, rotation: 0 as const, codec: 'h264', bitDepth: 8 };
  await insertQueuedVideo(db, { id: videoId, dealerId: dealer.id, fingerprint: 'f1', fileName: 'lot.mp4', originalKey: `${videoPrefix(dealer.id, videoId)}/original.mp4`, ...facts });
  const saved = await saveVideoResult(db, {
    video: { id: videoId, fingerprint: 'f1', fileName: 'lot.mp4', filePath: 'lot.mp4', device: 'cpu', timingsMs: {}, ...facts },
    cars: [car(1, { platesNotBlurred: HELD_REASON }), car(2, {})],
  });
  photoIds = { held: saved.cars[0].photoIds[0], ready: saved.cars[1].photoIds[0] };
  heldDraftId = saved.cars[0].draftId;
  const storage = openStorage(config);
  for (const ordinal of [1, 2]) {
    const file = join(root, `photo-${ordinal}.jpg`);
    await sharp({ create: { width: 64, height: 48, channels: 3, background: '#808080' } }).jpeg().toFile(file);
    await storage.putFile(`${videoPrefix(dealer.id, videoId)}/run-1/car-${ordinal}/01.jpg`, file);
  }
  served = await startTestApp(db, config);
  app = served.app;
}, 60_000);
afterAll(async () => {
  await served?.close();
  await db?.close();
  rmSync(root, { recursive: true, force: true });
});

const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });

describe('a car held because its plates could not be looked for', () => {
  it('is exported without image links; the other car keeps its own', async () => {
    const answer = await get(`/api/videos/${videoId}/export?format=json`);
    expect(answer.statusCode).toBe(200);
    const items = answer.json() as { title: string; image_urls: string[]; state: string }[];
    expect(items.map((i) => [i.title, i.image_urls.length, i.state])).toEqual([
      ['Car 1', 0, 'needs_review'],
      ['Car 2', 1, 'needs_review'],
    ]);
    const link = new URL(items[1].image_urls[0]);
    expect(link.pathname).toBe(`/public/photos/${photoIds.ready}/image.jpg`);
    const published = await app.inject({ method: 'GET', url: link.pathname + link.search });
    expect(published.statusCode).toBe(200);
    expect(published.headers['content-type']).toBe('image/jpeg');
  });

  it('gets no reel: its render is refused before it is queued', async () => {
    const answer = await app.inject({ method: 'POST', url: `/api/drafts/${heldDraftId}/reels`, headers: { authorization: `Bearer ${token}` }, payload: { format: 'square' } });
    expect(answer.statusCode).toBe(409);
    expect(answer.json().error).toEqual({ code: 'PLATES_NOT_BLURRED', message: expect.stringContaining(HELD_REASON) });
    expect((await get(`/api/drafts/${heldDraftId}/reels`)).json()).toEqual([]);
  });

  it('has its photo refused through a signed link too (one signed before the car was held, say)', async () => {
    const key = await getImageLinkKey(db, dealerId);
    const held = await app.inject({ method: 'GET', url: signedImagePath(photoIds.held, key!.key, linkExpiry(1)) });
    expect(held.statusCode).toBe(409);
    expect(held.json().error.code).toBe('PLATES_NOT_BLURRED');
  });

  it('has its photo refused by the published image route with the reason; the other car is served', async () => {
    const held = await get(`/api/photos/${photoIds.held}/image`);
    expect(held.statusCode).toBe(409);
    expect(held.json()).toEqual({ error: { code: 'PLATES_NOT_BLURRED', message: expect.stringContaining(HELD_REASON) } });
    const ready = await get(`/api/photos/${photoIds.ready}/image`);
    expect(ready.statusCode).toBe(200);
    expect(ready.headers['content-type']).toBe('image/jpeg');
  });
});
