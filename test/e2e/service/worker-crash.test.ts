/**
 * The worker killed (SIGKILL, through a test-only preload that stops it at a named checkpoint) at each
 * step of storing a one-car video, attempt after attempt: the car's files published, its rows
 * committed (before the video is done), its clip published, then the final commit and after. After
 * each kill the rows are the earlier attempt's complete result or the new one, never a mix, and every
 * file they name is in storage; a last attempt completes the job and leaves only the run folders the
 * rows name (the car's and its clip's).
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
import { backendKinds, client, createInstallation, startService, type Installation, type ServiceProcess } from './harness.js';

/** A short lease (a killed worker's job is taken again soon) and room for every killed attempt. */
const JOBS = { LOTREEL_JOB_LEASE_S: '8', LOTREEL_JOB_RETRY_LIMIT: '20' };
const preload = pathToFileURL(fileURLToPath(new URL('../crash-at.mjs', import.meta.url))).href;

/** Attempts killed in turn, and what the rows must be after each: none yet, the earlier attempt's, or this one's. */
const ATTEMPTS = [
  { at: 'car-published', rows: 'none' },
  { at: 'car-committed', rows: 'new' },
  { at: 'car-published', rows: 'old' },
  { at: 'clip-published', rows: 'new' },
  { at: 'committed', rows: 'new' },
  { at: 'collected', rows: 'new' },
] as const;
/** A car's files are in two run folders at most: its photos' and, stored after it, its clip's. */
const RUN_FOLDERS_PER_CAR = 2;

describe.each(backendKinds)('a worker killed at each step on %s', (kind) => {
  let install: Installation;
  /** The job settings, and the cheap analysis (shellTestSettings): what is tested is the shell around it. */
  let ENV: Record<string, string>;
  const running: ServiceProcess[] = [];

  beforeAll(async () => {
    requireFreshBuild();
    install = await createInstallation(kind, 'worker-crash');
    ENV = { ...JOBS, LOTREEL_CONFIG: shellTestSettings(install.root) };
  });
  afterAll(async () => {
    for (const p of running) if (p.proc.child.exitCode === null && p.proc.child.signalCode === null) await p.stop();
    await install?.cleanup();
  });

  async function rowsOf(videoId: string) {
    const db = await openDatabase({ dataDir: install.dataDir, databaseUrl: install.database?.url });
    try {
      const cars = await db.query<{ id: string; clip_file: string | null; photos: number; segments: number; drafts: number }>(
        `select c.id, c.clip_file, (select count(*)::int from photos p where p.car_id = c.id) as photos,
                (select count(*)::int from segments s where s.car_id = c.id) as segments,
                (select count(*)::int from drafts d where d.car_id = c.id) as drafts
           from cars c where c.video_id = $1 order by c.id`,
        [videoId],
      );
      const photos = await db.query<{ file: string; original_file: string | null }>('select p.file, p.original_file from photos p join cars c on c.id = p.car_id where c.video_id = $1', [videoId]);
      const jobs = await db.query<{ state: string }>(`select state from pgboss.job where data->>'videoId' = $1`, [videoId]);
      return {
        carIds: cars.map((c) => c.id),
        incomplete: cars.filter((c) => c.photos === 0 || c.segments === 0 || c.drafts !== 1).length,
        files: [...cars.flatMap((c) => (c.clip_file ? [c.clip_file] : [])), ...photos.flatMap((p) => [p.file, ...(p.original_file ? [p.original_file] : [])])],
        jobs: jobs.map((j) => j.state),
      };
    } finally {
      await db.close();
    }
  }

  it('leaves the earlier or the new complete result after every kill, and a last attempt completes with only the run folders its rows name', async () => {
    const token = await install.addDealer('Crash Step Motors');
    const video = await readFile((await buildPreset('singleCar')).video);
    let videoId = '';
    let folder = '';
    let previous: string[] = [];
    for (const [n, attempt] of ATTEMPTS.entries()) {
      const service = await startService(install, ['serve'], { ...ENV, LOTREEL_TEST_CRASH_AT: attempt.at }, ['--import', preload]);
      running.push(service);
      if (n === 0) {
        const upload = await client(service.url, token).uploadMultipart(video, 'walk.mp4');
        expect(upload.status).toBe(202);
        videoId = upload.body.id;
      }
      const ended = await service.proc.result;
      expect(ended.signal, `attempt ${n + 1} (killed at ${attempt.at}):\n${service.output()}`).toBe('SIGKILL');
      const rows = await rowsOf(videoId);
      const context = `after a kill at ${attempt.at} (attempt ${n + 1})`;
      const dealerDir = readdirSync(join(install.dataDir, 'media')).find((d) => existsSync(join(install.dataDir, 'media', d, videoId)))!;
      folder = join(install.dataDir, 'media', dealerDir, videoId);
      expect(rows.incomplete, context).toBe(0);
      expect(rows.files.filter((f) => !existsSync(join(folder, f))), `${context}: files the rows name are missing`).toEqual([]);
      const state = rows.carIds.length === 0 ? 'none' : previous.length > 0 && rows.carIds.join() === previous.join() ? 'old' : rows.carIds.some((id) => previous.includes(id)) ? 'mixed' : 'new';
      expect(state, context).toBe(attempt.rows);
      expect(new Set(rows.files.map((f) => f.split('/')[0])).size, `${context}: run folders named`).toBeLessThanOrEqual(RUN_FOLDERS_PER_CAR);
      previous = rows.carIds;
    }

    const finisher = await startService(install, ['serve'], ENV);
    running.push(finisher);
    const deadline = Date.now() + 300_000;
    while (!/"msg":"video processed"/.test(finisher.output())) {
      expect(Date.now(), `no attempt finished:\n${finisher.output()}`).toBeLessThan(deadline);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(await finisher.stop()).toBe(0);
    const rows = await rowsOf(videoId);
    expect(rows.incomplete).toBe(0);
    expect(rows.carIds.length).toBeGreaterThanOrEqual(1);
    expect(rows.jobs).toEqual(['completed']);
    const runs = new Set(rows.files.map((f) => f.split('/')[0]));
    expect(runs.size).toBe(RUN_FOLDERS_PER_CAR);
    // What dead attempts left (staging and unreferenced run folders) is gone; the original stays.
    expect(readdirSync(folder).sort()).toEqual(['original', ...runs].sort());
    for (const file of rows.files) expect(existsSync(join(folder, file)), file).toBe(true);
  }, 900_000);
});
