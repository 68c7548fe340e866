/**
 * `lotreel process` killed (SIGKILL, through a test-only preload that stops it at a named checkpoint)
 * at every step after the analysis: publish, commit, link, switch, clean up, collect. After each kill
 * the database and the output folder hold a complete result, the earlier one or the new one, never a
 * mix: every stored file exists, the car-N folders show one whole run; and a rerun completes and
 * leaves one run folder. On the embedded database and on a PostgreSQL server (DATABASE_URL).
 */
import { existsSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPreset } from '../../fixtures/walkaround.js';
import { openDatabase } from '../../src/store/index.js';
import { cliEnv, describeRun, runCli, shellTestSettings } from '../helpers/cli.js';
import { adminDatabaseUrl, createScratchDatabase, type ScratchDatabase } from '../helpers/postgres.js';
import { scratchDir, yoloxModelDir } from '../helpers/shared.js';
import { requireFreshBuild } from './build.js';

/** In the order the shell reaches them. */
const CHECKPOINTS = ['analysed', 'published', 'committed', 'view-linked', 'view-switched', 'view-cleaned', 'collected'] as const;
const rowsNewFrom = CHECKPOINTS.indexOf('committed');
const viewNewFrom = CHECKPOINTS.indexOf('view-switched');
const preload = pathToFileURL(fileURLToPath(new URL('./crash-at.mjs', import.meta.url))).href;

interface Snapshot {
  carIds: string[];
  /** Every file the rows name (photos, originals, clips), relative to the output folder. */
  files: string[];
  /** Cars without a draft, a photo or a segment (a half-written result). */
  incompleteCars: number;
  /** The run folder car-N shows, and each car-N's files resolved to real paths relative to it. */
  shown: string | null;
  view: Record<string, string[]>;
  runFolders: string[];
}

const backends = ['pglite', ...(adminDatabaseUrl ? ['postgres'] : [])] as const;

describe.each(backends)('lotreel process killed at each step (%s)', (kind) => {
  const root = scratchDir(`e2e-cli-crash-${kind}`);
  const dataDir = join(root, 'data');
  const outDir = join(root, 'out');
  let database: ScratchDatabase | null = null;
  let video: string;
  const settings = shellTestSettings(root);
  const env = (extra: Record<string, string> = {}) =>
    cliEnv({ home: join(root, 'home'), dataDir, modelsDir: yoloxModelDir(), databaseUrl: database?.url, extra: { LOTREEL_CONFIG: settings, ...extra } });

  beforeAll(async () => {
    requireFreshBuild();
    await mkdir(join(root, 'home'), { recursive: true });
    if (kind === 'postgres') database = await createScratchDatabase(adminDatabaseUrl!, 'lotreel_crash');
    video = (await buildPreset('singleCar')).video;
  });
  afterAll(async () => {
    await database?.drop();
    await rm(root, { recursive: true, force: true });
  });

  async function snapshot(): Promise<Snapshot> {
    const db = await openDatabase({ dataDir, databaseUrl: database?.url });
    try {
      const cars = await db.query<{ id: string; clip_file: string | null; photos: number; segments: number; drafts: number }>(
        `select c.id, c.clip_file,
                (select count(*)::int from photos p where p.car_id = c.id) as photos,
                (select count(*)::int from segments s where s.car_id = c.id) as segments,
                (select count(*)::int from drafts d where d.car_id = c.id) as drafts
           from cars c order by c.id`,
      );
      const photos = await db.query<{ file: string; original_file: string | null }>('select file, original_file from photos');
      const files = [...cars.flatMap((c) => (c.clip_file ? [c.clip_file] : [])), ...photos.flatMap((p) => [p.file, ...(p.original_file ? [p.original_file] : [])])];
      const state = join(outDir, '.lotreel');
      const shown = existsSync(join(state, 'current')) ? readlinkSync(join(state, 'current')) : null;
      const view: Record<string, string[]> = {};
      for (const entry of existsSync(outDir) ? readdirSync(outDir).filter((e) => /^car-\d+$/.test(e)) : []) {
        const path = join(outDir, entry);
        // A dangling link (a car the shown run does not have) shows nothing.
        view[entry] = existsSync(path) ? readdirSync(path, { recursive: true }).map(String).map((f) => relative(realpathSync(outDir), realpathSync(join(path, f)))).sort() : [];
      }
      return {
        carIds: cars.map((c) => c.id),
        files,
        incompleteCars: cars.filter((c) => c.photos === 0 || c.segments === 0 || c.drafts !== 1).length,
        shown,
        view,
        runFolders: existsSync(state) ? readdirSync(state).filter((e) => e.startsWith('run-')).sort() : [],
      };
    } finally {
      await db.close();
    }
  }

  /** The rows are complete and name only files that exist; car-N shows exactly one run, whole. */
  function expectConsistent(s: Snapshot, context: string): void {
    expect(s.incompleteCars, context).toBe(0);
    expect(s.files.filter((f) => !existsSync(join(outDir, f))), `${context}: stored files missing`).toEqual([]);
    expect(s.shown, context).not.toBeNull();
    const runCars = readdirSync(join(outDir, '.lotreel', s.shown!)).filter((e) => /^car-\d+$/.test(e)).sort();
    const shownCars = Object.entries(s.view).filter(([, files]) => files.length > 0).map(([car]) => car).sort();
    expect(shownCars, `${context}: car-N shows the cars of ${s.shown}`).toEqual(runCars);
    for (const car of runCars) {
      const inRun = readdirSync(join(outDir, '.lotreel', s.shown!, car), { recursive: true }).map((f) => `.lotreel/${s.shown}/${car}/${String(f)}`).sort();
      expect(s.view[car], `${context}: ${car} is ${s.shown}'s, whole`).toEqual(inRun);
    }
  }

  const runOf = (s: Snapshot) => new Set(s.files.map((f) => f.split('/')[1]));

  async function completeRun(maxPhotos: number): Promise<Snapshot> {
    const run = await runCli(['process', video, '--json', '--out', outDir, '--max-photos', String(maxPhotos)], { env: env(), timeoutMs: 300_000 });
    expect(run.code, describeRun(run)).toBe(0);
    const result = JSON.parse(run.stdout) as { cars: { id: string }[] };
    const after = await snapshot();
    expectConsistent(after, 'after a complete run');
    expect(after.carIds).toEqual(result.cars.map((c) => c.id).sort());
    // The rows and the folders agree, and the earlier runs' folders and every staging folder are gone.
    expect([...runOf(after)]).toEqual([after.shown]);
    expect(after.runFolders).toEqual([after.shown]);
    return after;
  }

  it.each(CHECKPOINTS.map((name, step) => ({ name, step })))('killed at "$name": the earlier or the new complete result; a rerun completes', async ({ name, step }) => {
    const before = step === 0 ? await completeRun(3) : await snapshot();
    expectConsistent(before, 'before');
    const killed = await runCli(['process', video, '--json', '--out', outDir, '--max-photos', String(2 + (step % 2))], {
      env: env({ LOTREEL_TEST_CRASH_AT: name }),
      nodeArgs: ['--import', preload],
      timeoutMs: 300_000,
    });
    expect(killed.signal, describeRun(killed)).toBe('SIGKILL');
    const after = await snapshot();
    const context = `killed at ${name}`;
    expectConsistent(after, context);
    const rowsNew = after.carIds.every((id) => !before.carIds.includes(id));
    expect(rowsNew ? 'new' : after.carIds.join() === before.carIds.join() ? 'old' : 'mixed', `${context}: rows`).toBe(step >= rowsNewFrom ? 'new' : 'old');
    expect(after.shown === before.shown ? 'old' : 'new', `${context}: car-N`).toBe(step >= viewNewFrom ? 'new' : 'old');
    if (step >= viewNewFrom) expect([...runOf(after)], `${context}: car-N shows what the rows name`).toEqual([after.shown]);
    await completeRun(2 + ((step + 1) % 2));
  }, 600_000);
});
