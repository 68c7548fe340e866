/**
 * A worker killed with SIGKILL half-way through a video: the job is picked up again (on a server when
 * its lease runs out, by another worker; with the embedded database by the next process, at once) and
 * the video ends with exactly one set of cars, photos and drafts, on disk as in the database.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../../fixtures/walkaround.js';
import { countRows, openDatabase, runFoldersInUse } from '../../../src/store/index.js';
import { requireFreshBuild } from '../build.js';
import { backendKinds, client, createInstallation, startService, waitForVideo, type Installation, type ServiceProcess } from './harness.js';

/** A lease short enough to wait out in a test; a live worker renews it. */
const LEASE_ENV = { LOTREEL_JOB_LEASE_S: '8' };

describe.each(backendKinds)('a worker killed half-way on %s', (kind) => {
  let install: Installation;
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    requireFreshBuild();
    install = await createInstallation(kind, 'crash');
  });

  afterAll(async () => {
    for (const p of running) if (p.proc.child.exitCode === null && p.proc.child.signalCode === null) await p.stop();
    await install?.cleanup();
  });

  it('is finished by another worker, with exactly one set of cars, photos and drafts', async () => {
    const video = await readFile((await buildPreset('lotWalk')).video);
    const token = await install.addDealer('Crash Motors');
    // The embedded database lives in one process: API and worker are one `serve`, killed and restarted.
    // On a server, the API runs alone and workers come and go.
    const api = await startService(install, kind === 'postgres' ? ['serve', '--no-worker'] : ['serve'], LEASE_ENV);
    running.push(api);
    const firstWorker = kind === 'postgres' ? await startService(install, ['worker'], LEASE_ENV) : api;
    if (firstWorker !== api) running.push(firstWorker);

    let dealer = client(api.url, token);
    const upload = await dealer.uploadMultipart(video, 'lot.mp4');
    expect(upload.status).toBe(202);
    const id: string = upload.body.id;
    const midway = await waitForVideo(dealer, id, (s) => s.status === 'processing' && s.progress >= 0.1);
    expect(midway.progress).toBeLessThan(1);

    if (kind === 'postgres') {
      // A worker alone runs at a lower CPU priority (LOTREEL_WORKER_NICE, default 19): field 19 of /proc/PID/stat.
      const stat = readFileSync(`/proc/${firstWorker.proc.child.pid}/stat`, 'utf8');
      expect(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])).toBe(19);
    }
    firstWorker.proc.child.kill('SIGKILL');
    const killed = await firstWorker.proc.result;
    expect(killed.signal).toBe('SIGKILL');

    let finisher: ServiceProcess;
    if (kind === 'postgres') {
      finisher = await startService(install, ['worker'], LEASE_ENV);
    } else {
      finisher = await startService(install, ['serve'], LEASE_ENV);
      dealer = client(finisher.url, token);
    }
    running.push(finisher);
    const done = await waitForVideo(dealer, id, (s) => s.status === 'done', 480_000);
    expect(done).toMatchObject({ status: 'done', progress: 1, error: null });

    const cars = (await dealer.json(`/api/videos/${id}/cars`)).body as { ordinal: number; photos: { id: string }[]; draft: { id: string } | null }[];
    expect(cars.length).toBeGreaterThanOrEqual(3);
    expect(cars.map((c) => c.ordinal)).toEqual(cars.map((_, i) => i + 1));
    expect(cars.every((c) => c.draft !== null && c.photos.length > 0)).toBe(true);

    // On disk: run folders only (the final result's, and per car stored early and kept one for the car
    // and one for its clip, stored after it), one car folder with photos per car between them holding
    // exactly its photos, and no staging or run folder left by the killed worker (every run folder
    // left is one the rows name: checked below).
    const media = join(install.dataDir, 'media');
    const dealerDir = readdirSync(media).find((d) => existsSync(join(media, d, id)))!;
    const folder = join(media, dealerDir, id);
    const carFoldersOnDisk = () =>
      readdirSync(folder)
        .filter((e) => e !== 'original' && !e.endsWith('.staging'))
        .flatMap((run) => readdirSync(join(folder, run)).map((car) => join(folder, run, car)));
    const withPhotos = () => carFoldersOnDisk().filter((f) => readdirSync(f).some((name) => name.endsWith('.jpg')));
    // The dead attempt's folders are removed just after the video is marked done: wait for that.
    const leftOnDisk = () => ({ staging: readdirSync(folder).filter((e) => e.endsWith('.staging')).length, carFolders: withPhotos().length });
    await expect.poll(leftOnDisk, { timeout: 30_000 }).toEqual({ staging: 0, carFolders: cars.length });
    const entries = readdirSync(folder).sort();
    expect(entries).toContain('original');
    const runs = entries.filter((e) => e !== 'original');
    for (const run of runs) expect(run).toMatch(/^run-[0-9a-z]+-[0-9a-f]{8}$/);
    const photosOnDisk = withPhotos().map((f) => readdirSync(f).filter((name) => name.endsWith('.jpg')).length);
    expect(photosOnDisk.sort()).toEqual(cars.map((c) => c.photos.length).sort());
    const clipOnly = carFoldersOnDisk().filter((f) => !withPhotos().includes(f));
    for (const f of clipOnly) expect(readdirSync(f)).toEqual(['clip.mp4']);

    for (const p of running.splice(0)) if (p.proc.child.exitCode === null && p.proc.child.signalCode === null) expect(await p.stop()).toBe(0);
    const db = await openDatabase({ dataDir: install.dataDir, databaseUrl: install.database?.url });
    try {
      expect(new Set(runs)).toEqual(await runFoldersInUse(db, { videoId: id }));
      const counts = await countRows(db, { videoId: id });
      expect(counts).toEqual({
        videos: 1,
        cars: cars.length,
        segments: expect.any(Number),
        photos: cars.reduce((n, c) => n + c.photos.length, 0),
        drafts: cars.length,
      });
      const jobs = await db.query<{ state: string; retry_count: number; output: unknown }>(`select state, retry_count, output from pgboss.job where data->>'videoId' = $1`, [id]);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]!.state, JSON.stringify(jobs[0])).toBe('completed');
      expect(jobs[0]!.retry_count).toBeGreaterThanOrEqual(1); // the second attempt finished it
    } finally {
      await db.close();
    }
  }, 600_000);
});
