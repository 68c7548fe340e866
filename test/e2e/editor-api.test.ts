/**
 * The editor's API over HTTP against `lotreel serve` (a real PostgreSQL server when DATABASE_URL is
 * set, else the embedded database): every route, its validation, another dealer's objects as 404,
 * the renders' geometry, undo to the original bytes, and the feedback each change leaves.
 */
import { readFileSync, readdirSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { buildPreset, type BuiltWalkaround } from '../../fixtures/walkaround.js';
import { EVIDENCE_SOURCES } from '../../src/evidence/evidence.js';
import { FIELD_SOURCES } from '../../src/listing/draft-fields.js';
import { DRAFT_STATUSES } from '../../src/listing/draft-status.js';
import type { editorDraft, editorPhoto } from '../../src/service/schemas.js';
import { openDatabase, type Database } from '../../src/store/database.js';
import { cliEnv, runCli, startCli, type StartedCli } from '../helpers/cli.js';
import { adminDatabaseUrl, createScratchDatabase, type ScratchDatabase } from '../helpers/postgres.js';
import { scratchDir, yoloxModelDir } from '../helpers/shared.js';
import { requireFreshBuild } from './build.js';

const root = scratchDir('e2e-editor-api');
const dataDir = join(root, 'data');
let scratch: ScratchDatabase | undefined;
let env: Record<string, string>;
let video: BuiltWalkaround;
let server: StartedCli | undefined;
let base = '';
let tokenA = '';
let tokenB = '';
let draftId = '';

/** The API's shapes as the server declares them. */
type Photo = z.output<typeof editorPhoto>;
type Draft = z.output<typeof editorDraft>;

async function call(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; bytes: Buffer; type: string }> {
  const response = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  return { status: response.status, type, bytes, json: type.includes('json') && bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : null };
}

/** The published renders stored for a photo (local storage under the data folder). */
const rendersOf = (photoId: string) => (readdirSync(join(dataDir, 'media'), { recursive: true }) as string[]).filter((f) => f.includes(`rendered/${photoId}/`));

const editor = async () => (await call(tokenA, 'GET', `/api/drafts/${draftId}/editor`)).json as Draft;
const sizeOf = async (jpeg: Buffer) => {
  const meta = await sharp(jpeg).metadata();
  return { width: meta.width, height: meta.height };
};

async function feedbackRows(): Promise<Array<{ kind: string; field: string | null; before: unknown; after: unknown }>> {
  const db: Database = await openDatabase({ dataDir, databaseUrl: scratch?.url }, { migrate: false });
  try {
    return await db.query('select kind, field, before, after from feedback_events order by id');
  } finally {
    await db.close();
  }
}

beforeAll(async () => {
  requireFreshBuild();
  mkdirSync(join(root, 'home'), { recursive: true });
  if (adminDatabaseUrl) scratch = await createScratchDatabase(adminDatabaseUrl, 'lotreel_editor');
  env = cliEnv({ home: join(root, 'home'), dataDir, modelsDir: yoloxModelDir(), databaseUrl: scratch?.url });
  video = await buildPreset('singleCar');
  for (const name of ['Dealer A', 'Dealer B']) {
    const added = await runCli(['dealers', 'add', name], { env });
    expect(added.code, added.stderr).toBe(0);
    const token = added.stdout.trim().split('\n').at(-1)!;
    if (name === 'Dealer A') tokenA = token;
    else tokenB = token;
  }
  server = startCli(['serve', '--port', '0', '--host', '127.0.0.1'], { env, timeoutMs: 600_000 });
  let out = '';
  server.child.stdout!.on('data', (s: string) => (out += s));
  for (let i = 0; i < 600 && !/API listening on (\S+)/.test(out); i++) await new Promise((r) => setTimeout(r, 100));
  base = /API listening on (\S+)/.exec(out)?.[1] ?? '';
  expect(base, out).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

  const form = new FormData();
  form.append('file', new Blob([readFileSync(video.video)]), 'singleCar.mp4');
  const uploaded = await fetch(`${base}/api/videos`, { method: 'POST', headers: { authorization: `Bearer ${tokenA}` }, body: form });
  expect(uploaded.status).toBe(202);
  const { id: videoId } = (await uploaded.json()) as { id: string };
  for (let i = 0; i < 240; i++) {
    const status = (await call(tokenA, 'GET', `/api/videos/${videoId}`)).json as { status: string; error: string | null };
    if (status.status === 'done') break;
    if (status.status === 'failed') throw new Error(`processing failed: ${status.error}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
  const cars = (await call(tokenA, 'GET', `/api/videos/${videoId}/cars`)).json as Array<{ draft: { id: string } }>;
  expect(cars.length).toBe(1);
  draftId = cars[0]!.draft.id;
}, 400_000);

afterAll(async () => {
  if (server && server.child.exitCode === null) {
    server.child.kill('SIGTERM');
    await server.result.catch(() => undefined);
  }
  await scratch?.drop();
  rmSync(root, { recursive: true, force: true });
});

describe(`the editor API (${adminDatabaseUrl ? 'PostgreSQL' : 'embedded database'})`, () => {
  it('shows the draft with each field\'s source and the photos with their sizes', async () => {
    const draft = await editor();
    expect(draft.photos.length).toBeGreaterThanOrEqual(3);
    expect(draft.photos.filter((p) => p.cover)).toHaveLength(1);
    expect(draft.fields.title!.source).toBe('generated');
    expect(draft.fields.colour).toMatchObject({ source: 'vision' });
    expect(draft.photos[0]!.displayed).toEqual(draft.photos[0]!.original);
    expect(draft.segments.length).toBeGreaterThan(0);
  });

  it("serves the car's clip, the editor's settings, plates per photo, and each video's car count and thumbnail", async () => {
    const draft = await editor();
    expect(draft.clipUrl).toBe(`/api/drafts/${draftId}/clip`);
    expect(draft.clipPending).toBe(false);
    expect(draft.platesNotBlurred).toBeNull();
    for (const photo of draft.photos) {
      for (const plate of photo.plates) {
        expect(plate.x1).toBeGreaterThanOrEqual(0);
        expect(plate.y1).toBeGreaterThanOrEqual(0);
        expect(plate.x2).toBeLessThanOrEqual(photo.displayed.width);
        expect(plate.y2).toBeLessThanOrEqual(photo.displayed.height);
      }
    }
    const clip = await call(tokenA, 'GET', draft.clipUrl!);
    expect(clip.status).toBe(200);
    expect(clip.type).toBe('video/mp4');
    expect(clip.bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    expect((await call(tokenB, 'GET', draft.clipUrl!)).status).toBe(404);
    const settings = await call(tokenA, 'GET', '/api/editor/settings');
    expect(settings.json).toEqual({ market: 'us', mileageUnit: 'mi', smallPhoto: { longSide: 1024, shortSide: 576 } });
    expect((await call('', 'GET', '/api/editor/settings')).status).toBe(401);
    const videos = (await call(tokenA, 'GET', '/api/videos')).json as Array<{ carCount: number; coverPhotoId: string | null }>;
    expect(videos).toHaveLength(1);
    expect(videos[0]!.carCount).toBe(1);
    expect(draft.photos.map((p) => p.id)).toContain(videos[0]!.coverPhotoId);
  });

  it("another dealer's draft and photos are 404, and stay untouched", async () => {
    const draft = await editor();
    const photo = draft.photos[1]!;
    const attempts = [
      call(tokenB, 'GET', `/api/drafts/${draftId}/editor`),
      call(tokenB, 'PATCH', `/api/drafts/${draftId}/fields`, { fields: { make: 'Hijack' } }),
      call(tokenB, 'PUT', `/api/drafts/${draftId}/photo-order`, { photoIds: draft.photos.map((p) => p.id).reverse() }),
      call(tokenB, 'GET', `/api/drafts/${draftId}/filmstrip`),
      call(tokenB, 'POST', `/api/drafts/${draftId}/frames`, { timestampMs: 1000 }),
      call(tokenB, 'GET', `/api/photos/${photo.id}/edits`),
      call(tokenB, 'POST', `/api/photos/${photo.id}/edits`, { op: 'rotate', quarterTurns: 1 }),
      call(tokenB, 'POST', `/api/photos/${photo.id}/edits/undo`),
      call(tokenB, 'DELETE', `/api/photos/${photo.id}/edits`),
      call(tokenB, 'GET', `/api/photos/${photo.id}/rendered`),
      call(tokenB, 'POST', `/api/photos/${photo.id}/cover`),
      call(tokenB, 'POST', `/api/photos/${photo.id}/frame`, { timestampMs: 1000 }),
      call(tokenB, 'DELETE', `/api/photos/${photo.id}`),
    ];
    for (const answer of await Promise.all(attempts)) expect(answer.status).toBe(404);
    expect(await editor()).toEqual(draft);
    expect((await call('lr_not-a-token', 'GET', `/api/drafts/${draftId}/editor`)).status).toBe(401);
  });

  it('rejects invalid edits and ids with 400, unknown ids with 404', async () => {
    const photo = (await editor()).photos[1]!;
    expect((await call(tokenA, 'POST', `/api/photos/${photo.id}/edits`, { op: 'crop', box: { x1: 10, y1: 10, x2: 10, y2: 50 } })).status).toBe(400);
    expect((await call(tokenA, 'POST', `/api/photos/${photo.id}/edits`, { op: 'straighten', degrees: 40 })).status).toBe(400);
    expect((await call(tokenA, 'POST', `/api/photos/${photo.id}/edits`, { op: 'paint' })).status).toBe(400);
    expect((await call(tokenA, 'GET', '/api/photos/not-a-uuid/edits')).status).toBe(400);
    expect((await call(tokenA, 'GET', '/api/photos/00000000-0000-4000-8000-000000000000/edits')).status).toBe(404);
    expect((await call(tokenA, 'PUT', `/api/drafts/${draftId}/photo-order`, { photoIds: [photo.id] })).status).toBe(400);
    expect((await call(tokenA, 'POST', `/api/photos/${photo.id}/frame`, { timestampMs: 999_999 })).status).toBe(400);
    expect((await editor()).photos[1]!.edits).toEqual([]);
  });

  it('edits render against the original; undo steps back; reset gives back the original bytes', async () => {
    const photo = (await editor()).photos[1]!;
    const original = await call(tokenA, 'GET', `/api/photos/${photo.id}/image`);
    expect(original.status).toBe(200);
    let now = (await call(tokenA, 'POST', `/api/photos/${photo.id}/edits`, { op: 'rotate', quarterTurns: 1 })).json as Photo;
    expect(now.displayed).toEqual({ width: photo.original.height, height: photo.original.width });
    // A crop drawn on the turned picture: its left half, top 300 rows.
    now = (await call(tokenA, 'POST', `/api/photos/${photo.id}/edits`, { op: 'crop', box: { x1: 0, y1: 0, x2: now.displayed.width / 2, y2: 300 } })).json as Photo;
    expect(now.displayed).toEqual({ width: photo.original.height / 2, height: 300 });
    // Stored in original pixels: the turned picture's top-left is the original's bottom-left.
    expect(now.edits[1]).toEqual({ op: 'crop', box: { x1: 0, y1: photo.original.height / 2, x2: 300, y2: photo.original.height } });
    now = (await call(tokenA, 'POST', `/api/photos/${photo.id}/edits`, { op: 'enhance', on: true })).json as Photo;
    now = (await call(tokenA, 'POST', `/api/photos/${photo.id}/edits`, { op: 'blur', box: { x1: 20, y1: 20, x2: 120, y2: 60 } })).json as Photo;
    expect(now.edits.map((e) => e.op)).toEqual(['rotate', 'crop', 'enhance', 'blur']);
    const rendered = await call(tokenA, 'GET', now.fullUrl);
    expect(rendered.type).toBe('image/jpeg');
    expect(await sizeOf(rendered.bytes)).toEqual(now.displayed);
    const uncropped = await call(tokenA, 'GET', now.uncroppedUrl);
    expect(await sizeOf(uncropped.bytes)).toEqual(now.straightened);

    now = (await call(tokenA, 'POST', `/api/photos/${photo.id}/edits/undo`)).json as Photo;
    expect(now.edits.map((e) => e.op)).toEqual(['rotate', 'crop', 'enhance']);
    now = (await call(tokenA, 'DELETE', `/api/photos/${photo.id}/edits`)).json as Photo;
    expect(now.edits).toEqual([]);
    expect(now.edited).toBe(false);
    const back = await call(tokenA, 'GET', now.fullUrl);
    expect(Buffer.compare(back.bytes, original.bytes)).toBe(0);
  });

  it('publishes the edited photo at its image URL (the feed and export link), rendered once per version', async () => {
    const photo = (await editor()).photos[0]!;
    const original = await call(tokenA, 'GET', `/api/photos/${photo.id}/image`);
    expect(await sizeOf(original.bytes)).toEqual(photo.original);
    await call(tokenA, 'POST', `/api/photos/${photo.id}/edits`, { op: 'rotate', quarterTurns: 1 });
    const edited = (await call(tokenA, 'POST', `/api/photos/${photo.id}/edits`, { op: 'blur', box: { x1: 10, y1: 10, x2: 90, y2: 50 } })).json as Photo;
    const published = await call(tokenA, 'GET', `/api/photos/${photo.id}/image`);
    expect(published.type).toBe('image/jpeg');
    expect(await sizeOf(published.bytes)).toEqual({ width: photo.original.height, height: photo.original.width });
    // The same pixels as the editor's full-size render, and kept: one stored render for the photo.
    expect(Buffer.compare(published.bytes, (await call(tokenA, 'GET', edited.fullUrl)).bytes)).toBe(0);
    const renders = () => rendersOf(photo.id);
    expect(renders()).toHaveLength(1);
    expect(Buffer.compare((await call(tokenA, 'GET', `/api/photos/${photo.id}/image`)).bytes, published.bytes)).toBe(0);
    // Another version replaces the stored render; back to the original, the original's bytes again.
    await call(tokenA, 'POST', `/api/photos/${photo.id}/edits/undo`);
    const turnedOnly = await call(tokenA, 'GET', `/api/photos/${photo.id}/image`);
    expect(Buffer.compare(turnedOnly.bytes, published.bytes)).not.toBe(0);
    expect(renders()).toHaveLength(1);
    expect((await call(tokenB, 'GET', `/api/photos/${photo.id}/image`)).status).toBe(404);
    await call(tokenA, 'DELETE', `/api/photos/${photo.id}/edits`);
    expect(Buffer.compare((await call(tokenA, 'GET', `/api/photos/${photo.id}/image`)).bytes, original.bytes)).toBe(0);
  });

  it('straightening keeps the aspect ratio and shrinks the picture a little', async () => {
    const photo = (await editor()).photos[2]!;
    const now = (await call(tokenA, 'POST', `/api/photos/${photo.id}/edits`, { op: 'straighten', degrees: 4 })).json as Photo;
    expect(now.displayed.width).toBeLessThan(photo.original.width);
    expect(now.displayed.width / now.displayed.height).toBeCloseTo(photo.original.width / photo.original.height, 1);
    expect(await sizeOf((await call(tokenA, 'GET', now.previewUrl)).bytes)).toEqual(now.displayed);
  });

  it('reorders, sets the cover, deletes (the cover passes on) and adds or swaps frames', async () => {
    let draft = await editor();
    const reversed = draft.photos.map((p) => p.id).reverse();
    const ordered = (await call(tokenA, 'PUT', `/api/drafts/${draftId}/photo-order`, { photoIds: reversed })).json as Photo[];
    expect(ordered.map((p) => p.id)).toEqual(reversed);
    expect(ordered.map((p) => p.ordinal)).toEqual(reversed.map((_, i) => i + 1));

    const newCover = ordered[0]!.cover ? ordered[1]! : ordered[0]!;
    const covered = (await call(tokenA, 'POST', `/api/photos/${newCover.id}/cover`)).json as Photo[];
    expect(covered.filter((p) => p.cover).map((p) => p.id)).toEqual([newCover.id]);

    // A published render of the photo goes when the photo is deleted.
    await call(tokenA, 'POST', `/api/photos/${newCover.id}/edits`, { op: 'rotate', quarterTurns: 2 });
    expect((await call(tokenA, 'GET', `/api/photos/${newCover.id}/image`)).status).toBe(200);
    expect(rendersOf(newCover.id)).toHaveLength(1);
    const afterDelete = (await call(tokenA, 'DELETE', `/api/photos/${newCover.id}`)).json as Photo[];
    expect(rendersOf(newCover.id)).toEqual([]);
    expect(afterDelete).toHaveLength(ordered.length - 1);
    expect(afterDelete.filter((p) => p.cover).map((p) => p.id)).toEqual([afterDelete[0]!.id]);
    expect(afterDelete.map((p) => p.ordinal)).toEqual(afterDelete.map((_, i) => i + 1));

    const swapped = (await call(tokenA, 'POST', `/api/photos/${afterDelete[1]!.id}/frame`, { timestampMs: 2000 })).json as Photo;
    expect(swapped.timestampMs).toBeGreaterThanOrEqual(2000);
    expect(swapped.timestampMs).toBeLessThan(2100);
    expect(swapped.edits).toEqual([]);
    expect(await sizeOf((await call(tokenA, 'GET', swapped.fullUrl)).bytes)).toEqual({ width: video.truth.width, height: video.truth.height });

    const added = await call(tokenA, 'POST', `/api/drafts/${draftId}/frames`, { timestampMs: 4000 });
    expect(added.status).toBe(201);
    draft = await editor();
    expect(draft.photos.at(-1)!.id).toBe((added.json as Photo).id);
    expect(draft.photos).toHaveLength(afterDelete.length + 1);
  });

  it('gives a filmstrip of the car as one sprite', async () => {
    const strip = (await call(tokenA, 'GET', `/api/drafts/${draftId}/filmstrip`)).json as { frames: Array<{ timestampMs: number }>; thumbWidth: number; thumbHeight: number; spriteUrl: string };
    expect(strip.frames.length).toBeGreaterThanOrEqual(10);
    const times = strip.frames.map((f) => f.timestampMs);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    const sprite = await call(tokenA, 'GET', strip.spriteUrl);
    expect(await sizeOf(sprite.bytes)).toEqual({ width: strip.thumbWidth * strip.frames.length, height: strip.thumbHeight });
  });

  it("records the seller's fields as winning, once per real change, and the review", async () => {
    let draft = (await call(tokenA, 'PATCH', `/api/drafts/${draftId}/fields`, { fields: { make: 'Tata', model: 'Nano', mileage: 12000 } })).json as Draft;
    expect(draft.fields.make).toMatchObject({ value: 'Tata', source: 'seller' });
    expect(draft.fields.mileage).toMatchObject({ value: 12000, source: 'seller' });
    draft = (await call(tokenA, 'PATCH', `/api/drafts/${draftId}/fields`, { fields: { make: 'Tata' }, status: 'ready' })).json as Draft;
    expect(draft.status).toBe('ready');
    // The service's own draft view shows the seller's value too.
    const plain = (await call(tokenA, 'GET', `/api/drafts/${draftId}`)).json as { attributes: Record<string, unknown> };
    expect(plain.attributes.make).toBe('Tata');
    expect((await call(tokenA, 'PATCH', `/api/drafts/${draftId}/fields`, {})).status).toBe(400);
  });

  it('publishes the routes in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as { paths: Record<string, unknown> };
    for (const path of ['/api/drafts/{id}/editor', '/api/drafts/{id}/fields', '/api/drafts/{id}/photo-order', '/api/drafts/{id}/filmstrip', '/api/drafts/{id}/frames', '/api/photos/{id}/edits', '/api/photos/{id}/edits/undo', '/api/photos/{id}/rendered', '/api/photos/{id}/cover', '/api/photos/{id}/frame', '/api/photos/{id}']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    // The published contract's lists are the domains' own (the web page's types come from the same schemas).
    const draftSchema = (doc.paths as any)['/api/drafts/{id}/editor'].get.responses['200'].content['application/json'].schema;
    expect(draftSchema.properties.status.enum).toEqual([...DRAFT_STATUSES]);
    const sourceSchema = draftSchema.properties.fields.properties.make.properties.source;
    expect(sourceSchema.anyOf?.find((s: { enum?: string[] }) => s.enum)?.enum ?? sourceSchema.enum).toEqual([...FIELD_SOURCES]);
    expect(FIELD_SOURCES.slice(0, EVIDENCE_SOURCES.length)).toEqual([...EVIDENCE_SOURCES]);
  });

  it('left one feedback event per correction', async () => {
    if (!scratch) {
      server!.child.kill('SIGTERM'); // the embedded database belongs to one process at a time
      await server!.result;
    }
    const rows = await feedbackRows();
    const kinds = rows.map((r) => (r.field ? `${r.kind}:${r.field}` : r.kind));
    expect(kinds).toEqual([
      'photo_cropped',
      'photos_reordered',
      'cover_changed',
      'photo_deleted',
      'frame_swapped',
      'photo_added',
      'field_changed:make',
      'field_changed:model',
      'field_changed:mileage',
      'draft_reviewed',
    ]);
    expect(rows.find((r) => r.field === 'make')).toMatchObject({ before: null, after: 'Tata' });
    expect(rows.find((r) => r.kind === 'frame_swapped')!.after).toMatchObject({ timestampMs: expect.any(Number) });
  });
});
