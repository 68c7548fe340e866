/**
 * The first draft early, through the real service (`lotreel serve`, embedded database and server): the first
 * car's `car` event and its rows (photos, draft) come while the video is still processing; and a
 * worker killed (SIGKILL, at the checkpoint right after an early car's commit) loses no car already
 * shown and shows none twice once the video is redone: every stored car whole, its files on disk,
 * and no run folder left that no row names.
 */
import { existsSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../../fixtures/walkaround.js';
import { openDatabase } from '../../../src/store/index.js';
import { shellTestSettings } from '../../helpers/cli.js';
import { requireFreshBuild } from '../build.js';
import { backendKinds, client, createInstallation, readEvents, startService, waitForVideo, type Client, type Installation, type ServiceProcess, type SseEvent } from './harness.js';

/** On a server, the killed worker's job is taken again once its lease (kept short here) runs out. */
const LEASE = { LOTREEL_JOB_LEASE_S: '8' };
const preload = pathToFileURL(fileURLToPath(new URL('../crash-at.mjs', import.meta.url))).href;
type ApiCar = { id: string; ordinal: number; photos: { id: string; url: string }[]; draft: { id: string } | null; segments: unknown[] };

/** The video's events to the end; at the first `car` event, `atFirstCar` runs before reading on. */
async function streamUntilDone(api: Client, id: string, atFirstCar: (data: any) => Promise<void>): Promise<SseEvent[]> {
  let cars = 0;
  const stream = await readEvents(api, `/api/videos/${id}/events`, 600_000, (e) => (e.event === 'car' && ++cars === 1 ? atFirstCar(e.data) : undefined));
  expect(stream.status).toBe(200);
  return stream.events;
}

describe.each(backendKinds)('the first draft early on %s', (kind) => {
  let install: Installation;
  /** The short lease, and the cheap analysis settings (shellTestSettings). */
  let serviceEnv: Record<string, string>;
  let video: Buffer;
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    requireFreshBuild();
    install = await createInstallation(kind, 'first-draft');
    serviceEnv = { ...LEASE, LOTREEL_CONFIG: shellTestSettings(install.root) };
    video = await readFile((await buildPreset('hardCuts')).video);
  });
  afterAll(async () => {
    for (const p of running) if (p.proc.child.exitCode === null && p.proc.child.signalCode === null) await p.stop();
    await install?.cleanup();
  });

  const videoFolder = (id: string) => {
    const media = join(install.dataDir, 'media');
    return join(media, readdirSync(media).find((d) => existsSync(join(media, d, id)))!, id);
  };
  async function storedFiles(id: string) {
    const db = await openDatabase({ dataDir: install.dataDir, databaseUrl: install.database?.url });
    try {
      const cars = await db.query<{ photos: number; segments: number; drafts: number; clip: string | null }>(
        `select (select count(*)::int from photos p where p.car_id = c.id) as photos, (select count(*)::int from segments s where s.car_id = c.id) as segments,
                (select count(*)::int from drafts d where d.car_id = c.id) as drafts, c.clip_file as clip from cars c where c.video_id = $1`,
        [id],
      );
      const files = await db.query<{ f: string }>(
        `select p.file as f from photos p join cars c on c.id = p.car_id where c.video_id = $1
         union all select c.clip_file from cars c where c.video_id = $1 and c.clip_file is not null`,
        [id],
      );
      return { cars: cars.length, incomplete: cars.filter((c) => c.photos === 0 || c.segments === 0 || c.drafts !== 1).length, withoutClip: cars.filter((c) => c.clip === null).length, files: files.map((r) => r.f) };
    } finally {
      await db.close();
    }
  }

  it('sends the first car and stores its rows while the video is still processing', async () => {
    const token = await install.addDealer('Early Motors'); // the embedded database: before serve holds it
    const service = await startService(install, ['serve'], serviceEnv);
    running.push(service);
    const api = client(service.url, token);
    const upload = await api.uploadMultipart(video, 'three cars.mp4');
    expect(upload.status).toBe(202);
    const id: string = upload.body.id;
    let seen: { status: string; listed: ApiCar | undefined; clip: { clipUrl: string | null; clipPending: boolean } } | undefined;
    const events = await streamUntilDone(api, id, async (first) => {
      const status = (await api.json(`/api/videos/${id}`)).body.status;
      const listed = ((await api.json<ApiCar[]>(`/api/videos/${id}/cars`)).body ?? []).find((c) => c.id === first.car.id);
      const { clipUrl, clipPending } = (await api.json(`/api/drafts/${first.car.draft.id}/editor`)).body;
      seen = { status, listed, clip: { clipUrl, clipPending } };
    });
    const kinds = events.map((e) => e.event);
    const firstCar = kinds.indexOf('car');
    expect(firstCar, kinds.join()).toBeGreaterThanOrEqual(0);
    // Before the video was done: on the stream, in the video's status, and in its cars.
    expect(kinds.slice(0, firstCar)).not.toContain('done');
    expect(events[firstCar].data).toMatchObject({ videoId: id, replaces: [], merged: false, car: { ordinal: 1, draft: { id: expect.any(String) } } });
    expect(events[firstCar].data.car.photos.length).toBeGreaterThan(0);
    expect(seen?.status).toBe('processing');
    // Its clip follows the draft: until it is stored the editor is told it is on its way.
    expect(seen?.clip.clipPending).toBe(seen?.clip.clipUrl === null);
    expect(seen?.listed).toMatchObject({ id: events[firstCar].data.car.id, draft: { id: expect.any(String) } });
    expect(seen!.listed!.photos.length).toBeGreaterThan(0);
    expect((await api.fetch(seen!.listed!.photos[0].url)).status).toBe(200);
    expect(kinds.at(-1)).toBe('done');

    // Every car the video ends with was announced once, before `done`; the early one kept its id.
    const cars = (await api.json<ApiCar[]>(`/api/videos/${id}/cars`)).body;
    expect(cars.length).toBeGreaterThanOrEqual(2);
    expect(cars.map((c) => c.ordinal)).toEqual(cars.map((_, i) => i + 1));
    const announced = events.filter((e) => e.event === 'car').map((e) => e.data.car.id);
    for (const car of cars) expect(announced.filter((a) => a === car.id)).toHaveLength(1);
    expect(cars.map((c) => c.id)).toContain(events[firstCar].data.car.id);
    for (const car of cars) expect((await api.json(`/api/drafts/${car.draft!.id}/editor`)).body).toMatchObject({ clipUrl: expect.any(String), clipPending: false });
    // Each clip was announced once, after its car and before `done`, with the editor's clip address.
    const done = kinds.indexOf('done');
    for (const car of cars) {
      const clipEvents = events.flatMap((e, i) => (e.event === 'clip' && e.data.carId === car.id ? [i] : []));
      expect(clipEvents, kinds.join()).toHaveLength(1);
      expect(clipEvents[0]).toBeGreaterThan(events.findIndex((e) => e.event === 'car' && e.data.car.id === car.id));
      expect(clipEvents[0]).toBeLessThan(done);
      expect(events[clipEvents[0]].data.clipUrl).toBe((await api.json(`/api/drafts/${car.draft!.id}/editor`)).body.clipUrl);
    }
    expect(await service.stop()).toBe(0); // the embedded database is one process's
    const stored = await storedFiles(id);
    expect(stored.incomplete).toBe(0);
    // The early cars' clips, stored after their drafts, are there too.
    expect(stored.withoutClip).toBe(0);
    expect(stored.files.filter((f) => !existsSync(join(videoFolder(id), f)))).toEqual([]);
  }, 900_000);

  it('loses and duplicates nothing when the worker is killed right after storing an early car', async () => {
    const token = await install.addDealer('Crash Early Motors');
    const crashing = await startService(install, ['serve'], { ...serviceEnv, LOTREEL_TEST_CRASH_AT: 'car-committed' }, ['--import', preload]);
    running.push(crashing);
    const upload = await client(crashing.url, token).uploadMultipart(video, 'three cars.mp4');
    expect(upload.status).toBe(202);
    const id: string = upload.body.id;
    expect((await crashing.proc.result).signal, crashing.output()).toBe('SIGKILL');
    const afterKill = await storedFiles(id);
    expect(afterKill).toMatchObject({ cars: 1, incomplete: 0 });
    expect(afterKill.files.filter((f) => !existsSync(join(videoFolder(id), f)))).toEqual([]);

    // Redone by the next process: the car stays visible throughout, and no car is there twice.
    const finisher = await startService(install, ['serve'], serviceEnv);
    running.push(finisher);
    const api = client(finisher.url, token);
    const counts: number[] = [];
    await waitForVideo(api, id, (s) => {
      void api.json<ApiCar[]>(`/api/videos/${id}/cars`).then((r) => counts.push(r.body.length));
      return s.status === 'done';
    }, 600_000);
    expect(counts.length).toBeGreaterThan(0);
    expect(Math.min(...counts)).toBeGreaterThanOrEqual(1);
    const cars = (await api.json<ApiCar[]>(`/api/videos/${id}/cars`)).body;
    expect(cars.map((c) => c.ordinal)).toEqual(cars.map((_, i) => i + 1));
    expect(await finisher.stop()).toBe(0);
    const stored = await storedFiles(id);
    expect(stored).toMatchObject({ cars: cars.length, incomplete: 0, withoutClip: 0 });
    expect(stored.files.filter((f) => !existsSync(join(videoFolder(id), f)))).toEqual([]);
    // On disk: the original and exactly the run folders the rows name (the dead attempt's collected).
    const named = new Set(stored.files.map((f) => f.split('/')[0]));
    expect(readdirSync(videoFolder(id)).sort()).toEqual(['original', ...named].sort());
  }, 900_000);
});
