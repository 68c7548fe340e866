/**
 * The dealer service end to end: `lotreel dealers add`, `lotreel serve` (API and worker in one
 * process) and `lotreel export` as real child processes, over real HTTP on loopback, with real ffmpeg,
 * the real YOLOX model and the embedded database, and again with the PostgreSQL server when
 * DATABASE_URL is set. Uploads by tus (interrupted and resumed) and multipart; progress events; drafts;
 * two dealers who must never see each other's objects; limits and bad input.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../../fixtures/walkaround.js';
import { openDatabase } from '../../../src/store/index.js';
import { describeRun, runCli } from '../../helpers/cli.js';
import { requireFreshBuild } from '../build.js';
import { backendKinds, client, createInstallation, readEvents, startService, waitForVideo, type Client, type Installation, type ServiceProcess } from './harness.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Uploads by tus; `stopAfter` aborts once that many bytes are acknowledged. Resolves with the upload URL and, when finished, the video id. */
function tusUpload(baseUrl: string, token: string, bytes: Buffer, options: { uploadUrl?: string; stopAfter?: number; chunkSize?: number; fileName?: string } = {}) {
  return new Promise<{ url: string; videoId: string | null; firstProgress: number | null; error: Error | null }>((resolve) => {
    let firstProgress: number | null = null;
    const upload: tus.Upload = new tus.Upload(bytes, {
      endpoint: `${baseUrl}/api/uploads`,
      uploadUrl: options.uploadUrl ?? null,
      headers: { authorization: `Bearer ${token}` },
      metadata: { filename: options.fileName ?? 'lot.mp4' },
      chunkSize: options.chunkSize ?? Math.ceil(bytes.length / 4),
      retryDelays: null,
      storeFingerprintForResuming: false,
      onProgress: (sent) => {
        firstProgress ??= sent;
      },
      onChunkComplete: (_chunk, accepted) => {
        if (options.stopAfter !== undefined && accepted >= options.stopAfter) {
          void upload.abort().then(() => resolve({ url: upload.url!, videoId: null, firstProgress, error: null }));
        }
      },
      onSuccess: ({ lastResponse }) => resolve({ url: upload.url!, videoId: lastResponse.getHeader('Lotreel-Video-Id') ?? null, firstProgress, error: null }),
      onError: (error) => resolve({ url: upload.url ?? '', videoId: null, firstProgress, error }),
    });
    upload.start();
  });
}

const jpegMagic = (bytes: Uint8Array) => bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;

describe.each(backendKinds)('the dealer service on %s', (kind) => {
  let install: Installation;
  let service: ServiceProcess;
  let a: Client;
  let b: Client;
  let singleCar: Buffer;
  let hardCuts: Buffer;
  /** Videos accepted (each must have exactly one job). */
  const accepted = new Set<string>();
  let multipartId: string;
  let tusId: string;

  beforeAll(async () => {
    requireFreshBuild();
    singleCar = await readFile((await buildPreset('singleCar')).video);
    hardCuts = await readFile((await buildPreset('hardCuts')).video);
    install = await createInstallation(kind, 'service');
    const tokenA = await install.addDealer('Dealer A');
    const tokenB = await install.addDealer('Dealer B');
    service = await startService(install, ['serve']);
    a = client(service.url, tokenA);
    b = client(service.url, tokenB);
  });

  afterAll(async () => {
    if (service) {
      const code = await service.stop();
      if (code !== 0) console.error(service.output());
    }
    await install?.cleanup();
  });

  it('publishes its OpenAPI document and refuses requests without a valid token (401)', async () => {
    const doc = await (await fetch(`${service.url}/api/openapi.json`)).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/videos', '/api/videos/{id}', '/api/videos/{id}/events', '/api/videos/{id}/cars', '/api/drafts/{id}', '/api/photos/{id}/image', '/api/uploads']),
    );
    const unknownToken = `lr_${randomBytes(32).toString('base64url')}`;
    for (const authorization of [undefined, 'Bearer', 'Bearer nonsense', `Basic ${a.token}`, `Bearer ${unknownToken}`, `Bearer ${a.token}x`]) {
      for (const [method, path] of [
        ['GET', '/api/videos'],
        ['GET', `/api/videos/${randomUUIDLike()}`],
        ['POST', '/api/videos'],
        ['POST', '/api/uploads'],
        ['PATCH', `/api/drafts/${randomUUIDLike()}`],
      ] as const) {
        const res = await fetch(service.url + path, { method, headers: authorization ? { authorization } : {} });
        expect(res.status, `${method} ${path} with ${authorization}`).toBe(401);
        expect((await res.json()).error.code).toBe('UNAUTHORIZED');
      }
    }
  });

  it('rejects a text file uploaded as a video, by multipart and by tus, before queueing anything', async () => {
    const text = Buffer.from('this is not a video\n'.repeat(500));
    const multipart = await a.uploadMultipart(text, 'cars.mp4');
    expect(multipart.status).toBe(422);
    expect(multipart.body.error.code).toBe('INPUT_NOT_VIDEO');
    const viaTus = await tusUpload(service.url, a.token, text);
    expect(viaTus.error).not.toBeNull();
    expect((viaTus.error as tus.DetailedError).originalResponse?.getStatus()).toBe(422);
    expect((await a.json('/api/videos')).body).toEqual([]);
    // Nothing of either upload is left behind.
    expect(readdirSync(join(install.dataDir, 'uploads', 'incoming'))).toEqual([]);
    expect(readdirSync(join(install.dataDir, 'uploads', 'tus'))).toEqual([]);
  });

  it('answers 413 to bodies over the limits (JSON, multipart, tus)', async () => {
    const big = JSON.stringify({ description: 'x'.repeat(100 * 1024) });
    const patch = await a.fetch(`/api/drafts/${randomUUIDLike()}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: big });
    expect(patch.status).toBe(413);
    const multipart = await a.uploadMultipart(randomBytes(13 * 1024 * 1024), 'big.mp4');
    expect(multipart.status).toBe(413);
    const create = await a.fetch('/api/uploads', { method: 'POST', headers: { 'tus-resumable': '1.0.0', 'upload-length': String(41 * 1024 * 1024) } });
    expect(create.status).toBe(413);
    expect((await a.json('/api/videos')).body).toEqual([]);
  });

  it('takes a multipart upload, streams its progress as events and ends with cars, photos and drafts', async () => {
    const upload = await a.uploadMultipart(singleCar, 'single car.mp4');
    expect(upload.status).toBe(202);
    expect(upload.body.id).toMatch(UUID);
    multipartId = upload.body.id;
    accepted.add(multipartId);

    const stream = await readEvents(a, `/api/videos/${multipartId}/events`);
    expect(stream.status).toBe(200);
    expect(stream.contentType).toMatch(/^text\/event-stream/);
    const progress = stream.events.filter((e) => e.event === 'progress').map((e) => e.data);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < progress.length; i++) expect(progress[i].progress).toBeGreaterThanOrEqual(progress[i - 1].progress);
    expect(progress.some((p) => p.status === 'processing' && p.progress > 0 && p.progress < 1 && p.stage !== null)).toBe(true);
    expect(stream.events.at(-1)).toEqual({ event: 'done', data: { id: multipartId, status: 'done', progress: 1, stage: null, error: null } });

    const list = await a.json('/api/videos');
    expect(list.body.map((v: any) => v.id)).toEqual([multipartId]);
    expect(list.body[0]).toMatchObject({ fileName: 'single car.mp4', status: 'done', durationMs: expect.any(Number) });

    const cars = await a.json(`/api/videos/${multipartId}/cars`);
    expect(cars.status).toBe(200);
    expect(cars.body).toHaveLength(1);
    const [car] = cars.body;
    expect(car.photos.length).toBeGreaterThan(0);
    expect(car.photos[0].cover).toBe(true);
    expect(car.draft).toMatchObject({ id: expect.stringMatching(UUID), carId: car.id, videoId: multipartId, status: 'needs_review' });

    const image = await a.fetch(car.photos[0].url);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(jpegMagic(new Uint8Array(await image.arrayBuffer()))).toBe(true);

    // The same file again: the same video, no second job.
    const again = await a.uploadMultipart(singleCar, 'copy.mp4');
    expect(again).toEqual({ status: 202, body: { id: multipartId } });
  });

  it('reads and changes a draft; exports the cars as JSON and as CSV', async () => {
    const [car] = (await a.json(`/api/videos/${multipartId}/cars`)).body;
    // One car filmed alone, start to end: the split is sure of it.
    expect(car).toMatchObject({ confidence: 1, warnings: [] });
    const draftId = car.draft.id;
    const read = await a.json(`/api/drafts/${draftId}`);
    expect(read.status).toBe(200);
    expect(read.body.photos.map((p: any) => p.id)).toEqual(car.photos.map((p: any) => p.id));

    const changes = { title: 'Yellow hatchback, "one owner", 2019', description: 'Line one,\nline two', attributes: { make: 'Fiat', year: 2019, mileage: 42000, vin: 'zfa31200000123456' }, status: 'ready' };
    const patched = await a.json(`/api/drafts/${draftId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(changes) });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ title: changes.title, description: changes.description, status: 'ready', attributes: expect.objectContaining(changes.attributes) });
    expect((await a.json(`/api/drafts/${draftId}`)).body).toMatchObject({ title: changes.title, status: 'ready' });

    for (const bad of [{ status: 'sold' }, { title: '' }, { unknown: 1 }, {}, { attributes: { nested: { no: 1 } } }]) {
      const res = await a.json(`/api/drafts/${draftId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify(bad) });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    expect((await a.json(`/api/drafts/not-a-uuid`)).status).toBe(400);

    const json = await a.json(`/api/videos/${multipartId}/export?format=json`);
    // A mileage without its own unit takes the market's (text.market, us by default: miles).
    expect(json.body).toEqual([
      expect.objectContaining({ vehicle_id: car.id, title: changes.title, make: 'Fiat', year: 2019, mileage: { value: 42000, unit: 'MI' }, vin: 'ZFA31200000123456', state: 'ready' }),
    ]);
    // Signed links a marketplace opens without the token, the cover first (docs/publishing.md).
    const linked = json.body[0].image_urls.map((u: string) => new RegExp(`^${service.url}/public/photos/([0-9a-f-]{36})/image\\.jpg\\?expires=\\d+&signature=[\\w-]+$`).exec(u)?.[1]);
    expect(linked).toEqual(car.photos.map((p: any) => p.id));
    expect(car.photos[0].cover).toBe(true);

    const csv = await a.fetch(`/api/videos/${multipartId}/export?format=csv`);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const text = await csv.text();
    const [header] = text.split('\r\n');
    expect(header).toBe(
      ['vehicle_id', 'title', 'description', 'make', 'model', 'year', 'body_style', 'exterior_color', 'mileage.value', 'mileage.unit', 'vin', ...car.photos.map((_: unknown, i: number) => `image[${i}].url`), 'video[0].url', 'state'].join(','),
    );
    expect(text).toContain(`${car.id},"Yellow hatchback, ""one owner"", 2019","Line one,\nline two",Fiat,`);
    expect(text.trimEnd().endsWith(',ready')).toBe(true);
  });

  it('resumes a tus upload interrupted half-way, then processes it', async () => {
    const half = Math.floor(hardCuts.length / 2);
    const first = await tusUpload(service.url, a.token, hardCuts, { stopAfter: half, fileName: 'cuts.mp4' });
    expect(first.error).toBeNull();
    expect(first.url).toMatch(/\/api\/uploads\/[0-9a-f]{64}$/);
    const head = await a.fetch(new URL(first.url, service.url).pathname, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0' } });
    expect(head.status).toBe(200);
    const offset = Number(head.headers.get('upload-offset'));
    expect(offset).toBeGreaterThanOrEqual(half);
    expect(offset).toBeLessThan(hardCuts.length);
    // Not a video yet: nothing is queued.
    expect((await a.json('/api/videos')).body.map((v: any) => v.id)).toEqual([multipartId]);

    // Dealer B cannot see, resume or delete A's upload.
    const path = new URL(first.url, service.url).pathname;
    for (const method of ['HEAD', 'PATCH', 'DELETE']) {
      const res = await b.fetch(path, { method, headers: { 'tus-resumable': '1.0.0', 'upload-offset': String(offset), 'content-type': 'application/offset+octet-stream' }, body: method === 'PATCH' ? new Uint8Array(hardCuts.subarray(offset)) : undefined });
      expect(res.status, `${method} by another dealer`).toBe(404);
    }

    const resumed = await tusUpload(service.url, a.token, hardCuts, { uploadUrl: first.url });
    expect(resumed.error).toBeNull();
    expect(resumed.firstProgress).toBeGreaterThanOrEqual(offset); // it went on from the offset, not from 0
    expect(resumed.videoId).toMatch(UUID);
    tusId = resumed.videoId!;
    accepted.add(tusId);
    const done = await waitForVideo(a, tusId, (s) => s.status === 'done');
    expect(done.progress).toBe(1);
    const cars = (await a.json(`/api/videos/${tusId}/cars`)).body;
    expect(cars.length).toBeGreaterThanOrEqual(2);
    expect((await a.json(`/api/videos/${tusId}`)).body).toMatchObject({ status: 'done' });
  });

  it("refuses every endpoint to another dealer (404, as if missing) and leaves the owner's objects alone", async () => {
    const [car] = (await a.json(`/api/videos/${multipartId}/cars`)).body;
    const draftBefore = (await a.json(`/api/drafts/${car.draft.id}`)).body;
    const json = { 'content-type': 'application/json' };
    const probes: [string, string, RequestInit?][] = [
      ['GET', `/api/videos/${multipartId}`],
      ['GET', `/api/videos/${multipartId}/events`],
      ['GET', `/api/videos/${multipartId}/cars`],
      ['GET', `/api/videos/${multipartId}/export?format=csv`],
      ['GET', `/api/drafts/${car.draft.id}`],
      ['PATCH', `/api/drafts/${car.draft.id}`, { headers: json, body: JSON.stringify({ title: 'stolen' }) }],
      ['GET', car.photos[0].url],
      ['DELETE', `/api/videos/${multipartId}`],
    ];
    for (const [method, path, init] of probes) {
      const theirs = await b.fetch(path, { method, ...init });
      const missing = await b.fetch(path.replace(UUID_ANYWHERE, randomUUIDLike()), { method, ...init });
      expect(theirs.status, `${method} ${path}`).toBe(404);
      expect(missing.status).toBe(404);
      expect(await theirs.json()).toEqual(await missing.json());
    }
    expect((await b.json('/api/videos')).body).toEqual([]);
    expect((await a.json(`/api/drafts/${car.draft.id}`)).body).toEqual(draftBefore);
    expect((await a.json(`/api/videos/${multipartId}`)).status).toBe(200);
  });

  it('deletes a video with its rows and files', async () => {
    const cars = (await a.json(`/api/videos/${tusId}/cars`)).body;
    const folder = findVideoFolder(install.dataDir, tusId);
    expect(folder).not.toBeNull();
    // Run folders (a car stored early has one of its own and one for its clip, stored after it; the
    // final result another) holding one folder with photos per car between them.
    const runs = readdirSync(folder!).filter((e) => e.startsWith('run-'));
    expect(runs.length).toBeGreaterThanOrEqual(1);
    const carFolders = runs.flatMap((run) => readdirSync(join(folder!, run)).filter((e) => e.startsWith('car-')).map((car) => join(folder!, run, car)));
    expect(carFolders.filter((f) => readdirSync(f).some((name) => name.endsWith('.jpg'))).length).toBe(cars.length);
    const res = await a.fetch(`/api/videos/${tusId}`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect((await a.json(`/api/videos/${tusId}`)).status).toBe(404);
    expect((await a.json(`/api/drafts/${cars[0].draft.id}`)).status).toBe(404);
    expect((await a.fetch(cars[0].photos[0].url)).status).toBe(404);
    expect(existsSync(folder!)).toBe(false);
    expect((await a.fetch(`/api/videos/${tusId}`, { method: 'DELETE' })).status).toBe(404);
  });

  it('stops cleanly; `lotreel export` prints the feed; every accepted video had exactly one job', async () => {
    expect(await service.stop()).toBe(0);
    const run = await runCli(['export', '--dealer', 'Dealer A', '--format', 'csv'], { env: install.env(), timeoutMs: 60_000 });
    expect(run.code, describeRun(run)).toBe(0);
    const lines = run.stdout.trimEnd().split('\r\n');
    expect(lines[0]!.startsWith('vehicle_id,title,description,make,model,year,')).toBe(true);
    expect(run.stdout).toContain('"Yellow hatchback, ""one owner"", 2019"');
    const nobody = await runCli(['export', '--dealer', 'Nobody'], { env: install.env(), timeoutMs: 60_000 });
    expect(nobody.code).toBe(2);

    const db = await openDatabase({ dataDir: install.dataDir, databaseUrl: install.database?.url });
    try {
      const jobs = await db.query<{ video_id: string; n: number }>(`select data->>'videoId' as video_id, count(*)::int as n from pgboss.job group by 1`);
      expect(new Set(jobs.map((j) => j.video_id))).toEqual(accepted);
      expect(jobs.every((j) => j.n === 1)).toBe(true);
    } finally {
      await db.close();
    }
  });
});

const UUID_ANYWHERE = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;

function randomUUIDLike(): string {
  return crypto.randomUUID();
}

/** `<dataDir>/media/<dealer>/<video>` (the test does not know the dealer's id). */
function findVideoFolder(dataDir: string, videoId: string): string | null {
  const media = join(dataDir, 'media');
  for (const dealer of readdirSync(media)) if (existsSync(join(media, dealer, videoId))) return join(media, dealer, videoId);
  return null;
}
