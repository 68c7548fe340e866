/**
 * A draft's reel through the service: `lotreel serve` (API and worker) as a child process, real
 * ffmpeg, the embedded database and the PostgreSQL server when DATABASE_URL is set. Queues a reel,
 * waits for its `reel` event on the video's events stream, fetches it with a Range header as a
 * player seeking does, reads the bytes back with ffprobe; another dealer gets 404; a changed title
 * marks the reel stale and has it rendered again.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../../fixtures/walkaround.js';
import { requireFreshBuild } from '../build.js';
import { backendKinds, client, createInstallation, readEvents, startService, waitForVideo, type Client, type Installation, type ServiceProcess } from './harness.js';
import { binaries } from '../../../fixtures/run.js';

describe.each(backendKinds)('reels in the dealer service on %s', (kind) => {
  let install: Installation;
  let service: ServiceProcess;
  let a: Client;
  let b: Client;
  let videoId: string;
  let draftId: string;

  beforeAll(async () => {
    requireFreshBuild();
    const video = await readFile((await buildPreset('singleCar')).video);
    install = await createInstallation(kind, 'reels');
    const tokenA = await install.addDealer('Dealer A');
    const tokenB = await install.addDealer('Dealer B');
    // Short reels (this is about the service, not the render), rendered again 1 s after an edit.
    const settings = join(install.root, 'settings.json');
    writeFileSync(settings, JSON.stringify({ reel: { photoShotMs: 1000, minDurationMs: 3000, maxDurationMs: 5000, rerenderAfterEditS: 1 } }));
    service = await startService(install, ['serve'], { LOTREEL_CONFIG: settings });
    a = client(service.url, tokenA);
    b = client(service.url, tokenB);
    const upload = await a.uploadMultipart(video, 'lot.mp4');
    videoId = upload.body.id;
    await waitForVideo(a, videoId, (s) => s.status === 'done');
    draftId = (await a.json(`/api/videos/${videoId}/cars`)).body[0].draft.id;
  }, 600_000);

  afterAll(async () => {
    if (service) {
      const code = await service.stop();
      if (code !== 0) console.error(service.output());
    }
    await install?.cleanup();
  });

  it('queues a reel, reports it on the events stream and serves it with byte ranges', async () => {
    const queued = await a.json(`/api/drafts/${draftId}/reels`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'square' }) });
    expect(queued).toEqual({ status: 202, body: { draftId, videoId, format: 'square', status: 'queued' } });

    const stream = await readEvents(a, `/api/videos/${videoId}/events`);
    const reelEvents = stream.events.filter((e) => e.event === 'reel').map((e) => e.data);
    expect(reelEvents.at(-1)).toEqual({ draftId, format: 'square', status: 'done', progress: 1, error: null });
    expect(stream.events.some((e) => e.event === 'done')).toBe(true);

    const list = await a.json(`/api/drafts/${draftId}/reels`);
    expect(list.body).toEqual([{ format: 'square', status: 'done', progress: 1, error: null, durationMs: expect.any(Number), stale: false, url: expect.stringMatching(new RegExp(`^/api/drafts/${draftId}/reels/square\\?v=\\w+$`)) }]);

    const whole = await a.fetch(list.body[0].url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    const bytes = Buffer.from(await whole.arrayBuffer());
    expect(bytes.subarray(4, 8).toString('latin1')).toBe('ftyp');
    const file = join(install.root, 'reel.mp4');
    writeFileSync(file, bytes);
    const probed = JSON.parse(execFileSync(binaries().ffprobe, ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', file], { encoding: 'utf8' }));
    expect(probed.format.format_name).toContain('mp4');
    expect(probed.streams.map((s: any) => s.codec_name).sort()).toEqual(['aac', 'h264']);
    expect(probed.streams.find((s: any) => s.codec_type === 'video')).toMatchObject({ width: 1080, height: 1080 });

    const part = await a.fetch(`/api/drafts/${draftId}/reels/square`, { headers: { range: 'bytes=100-1099' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1099/${bytes.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 1100))).toBe(true);

    const exported = await a.json(`/api/videos/${videoId}/export`);
    // The feed's link is signed: a marketplace opens it with a plain fetch, no token.
    const [published] = exported.body[0].video_urls;
    expect(published).toMatch(new RegExp(`^${service.url}/public/reels/${draftId}/square/reel\\.mp4\\?expires=\\d+&signature=[\\w-]+&v=\\w+$`));
    const plain = await fetch(published);
    expect(plain.status).toBe(200);
    expect(Buffer.from(await plain.arrayBuffer()).equals(bytes)).toBe(true);

    const past = await a.fetch(`/api/drafts/${draftId}/reels/square`, { headers: { range: `bytes=${bytes.length}-` } });
    expect(past.status).toBe(416);
    expect((await past.json()).error.code).toBe('RANGE_NOT_SATISFIABLE');
  });

  it('answers 404 to another dealer, 409 before a render and 400 to an unknown format', async () => {
    expect((await b.fetch(`/api/drafts/${draftId}/reels/square`)).status).toBe(404);
    expect((await b.json(`/api/drafts/${draftId}/reels`)).status).toBe(404);
    const post = await b.json(`/api/drafts/${draftId}/reels`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'square' }) });
    expect(post.status).toBe(404);
    expect(post.body.error.code).toBe('NOT_FOUND');
    expect((await a.json(`/api/drafts/${draftId}/reels/vertical`)).body.error.code).toBe('NOT_FOUND');
    const wrong = await a.json(`/api/drafts/${draftId}/reels`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ format: 'diagonal' }) });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('INVALID_ARGUMENT');
  });

  it('marks the reel stale when the seller changes the text, and renders it again on its own', async () => {
    const before = (await a.json(`/api/drafts/${draftId}/reels`)).body[0];
    const patched = await a.json(`/api/drafts/${draftId}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ title: 'A different title' }) });
    expect(patched.status).toBe(200);
    const list = await a.json(`/api/drafts/${draftId}/reels`);
    // Queued to render again; the file shown meanwhile is the one before the edit.
    expect(list.body[0]).toMatchObject({ format: 'square', status: 'queued', stale: true, url: before.url });

    const stream = await readEvents(a, `/api/videos/${videoId}/events`);
    expect(stream.events.filter((e) => e.event === 'reel').at(-1)?.data).toMatchObject({ draftId, format: 'square', status: 'done' });
    const after = (await a.json(`/api/drafts/${draftId}/reels`)).body[0];
    expect(after).toMatchObject({ format: 'square', status: 'done', stale: false });
    expect(after.url).not.toBe(before.url);
  });
});
