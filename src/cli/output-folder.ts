/**
 * The CLI's output folder (I/O). Each run is published whole under `<out>/.lotreel/run-…/` (a fresh
 * name: one rename of its staging folder), and the rows point there, so they never name a missing or
 * half-written file. What people open, `<out>/car-N/01.jpg`, goes through links: `car-N` ->
 * `.lotreel/current/car-N`, and `.lotreel/current` -> the run shown; switching to a new run is one
 * atomic rename of `current`, so the folders show one run or the other, never a mix. The remaining
 * window: between the rows' commit and that rename the folders still show the previous (complete)
 * run; and a `car-N` beyond the shown run's cars is a dangling link until it is removed a moment later.
 * Real `car-N` folders of older lotreel versions are replaced one by one after the switch.
 */
import { lstat, mkdir, readdir, readlink, rename, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { checkpoint } from '../core/checkpoint.js';
import { newRunName, runFoldersToRemove } from '../store/index.js';

export const STATE_DIR = '.lotreel';
const CURRENT = 'current';
const CAR = /^car-(\d+)$/;

export interface RunFolder {
  name: string;
  /** Where the analysis writes (`.lotreel/run-….staging`). */
  stagingDir: string;
  /** Where the run is published (`.lotreel/run-…`). */
  dir: string;
  /** Prefix of the stored file paths, relative to the output folder. */
  filePrefix: string;
}

export function newRunFolder(outDir: string): RunFolder {
  const name = newRunName();
  const state = join(outDir, STATE_DIR);
  return { name, stagingDir: join(state, `${name}.staging`), dir: join(state, name), filePrefix: `${STATE_DIR}/${name}` };
}

/** Makes a written staging folder the run's published folder (one rename on the same file system). */
export async function publishRun(run: RunFolder): Promise<void> {
  await mkdir(run.stagingDir, { recursive: true }); // a video without cars wrote nothing
  await rename(run.stagingDir, run.dir);
}

/** The run `<out>/car-N` shows now, or null. */
export async function shownRun(outDir: string): Promise<string | null> {
  return readlink(join(outDir, STATE_DIR, CURRENT)).catch(() => null);
}

const entryKind = (path: string) => lstat(path).then((s) => (s.isSymbolicLink() ? 'link' : 'other'), () => 'none' as const);

/** Points `<out>/car-1…car-<cars>` at `run`, switching every car at once; other files are left alone. */
export async function showRun(outDir: string, run: RunFolder, cars: number): Promise<void> {
  const state = join(outDir, STATE_DIR);
  const linkTarget = (n: number) => join(STATE_DIR, CURRENT, `car-${n}`);
  // Links for cars the new run adds (dangling until the switch); a real folder of an older version waits.
  for (let n = 1; n <= cars; n++) {
    if ((await entryKind(join(outDir, `car-${n}`))) === 'none') await symlink(linkTarget(n), join(outDir, `car-${n}`));
  }
  checkpoint('view-linked');
  const next = join(state, `${CURRENT}.${run.name}`);
  await rm(next, { force: true });
  await symlink(run.name, next);
  await rename(next, join(state, CURRENT));
  checkpoint('view-switched');
  const legacy = join(state, `legacy.${run.name}`);
  for (const entry of await readdir(outDir)) {
    const n = Number(CAR.exec(entry)?.[1] ?? NaN);
    if (Number.isNaN(n)) continue;
    const path = join(outDir, entry);
    const kind = await entryKind(path);
    if (n > cars) {
      if (kind === 'link') await rm(path, { force: true });
      else {
        await mkdir(legacy, { recursive: true });
        await rename(path, join(legacy, entry));
      }
    } else if (kind === 'other') {
      // An older version's real folder: moved aside, then the link takes its place.
      await mkdir(legacy, { recursive: true });
      await rename(path, join(legacy, entry));
      await symlink(linkTarget(n), path);
    }
  }
  await rm(legacy, { recursive: true, force: true });
  checkpoint('view-cleaned');
}

/**
 * Removes run folders no row points at and that are not shown, and staging folders of dead runs (one
 * database per output folder is assumed; `keep` is this run's).
 */
export async function removeUnusedRuns(outDir: string, inUse: ReadonlySet<string>, keep: string | undefined): Promise<void> {
  const state = join(outDir, STATE_DIR);
  const shown = await shownRun(outDir);
  const names = await readdir(state).catch(() => []);
  const used = new Set([...inUse, ...(shown ? [shown] : [])]);
  for (const name of runFoldersToRemove(names, used, { keep, olderThanMs: -1 })) await rm(join(state, name), { recursive: true, force: true });
}
