/**
 * The CLI's output folder on the real file system: a run is published whole, `car-N` switches to it at
 * once (links), real `car-N` folders of an older lotreel are replaced, other files are left alone, and
 * run folders no row points at are removed.
 */
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { newRunFolder, publishRun, removeUnusedRuns, showRun, shownRun, type RunFolder } from '../../../src/cli/output-folder.js';
import { scratchDir } from '../../helpers/shared.js';

const root = scratchDir('output-folder');
afterAll(() => rm(root, { recursive: true, force: true }));

async function stagedRun(outDir: string, cars: number, tag: string): Promise<RunFolder> {
  const run = newRunFolder(outDir);
  for (let n = 1; n <= cars; n++) {
    await mkdir(join(run.stagingDir, `car-${n}`), { recursive: true });
    await writeFile(join(run.stagingDir, `car-${n}`, '01.jpg'), `${tag} car ${n}`);
  }
  return run;
}

const read = (outDir: string, file: string) => readFileSync(join(outDir, file), 'utf8');

describe('the output folder', () => {
  it('replaces an older version\'s real car folders, shows one run at a time, keeps other files, removes unused runs', async () => {
    const outDir = join(root, 'out');
    // What lotreel before run folders left: real car-N folders.
    for (const n of [1, 2]) {
      await mkdir(join(outDir, `car-${n}`), { recursive: true });
      await writeFile(join(outDir, `car-${n}`, '01.jpg'), `legacy car ${n}`);
    }
    await writeFile(join(outDir, 'notes.txt'), 'mine');

    const first = await stagedRun(outDir, 1, 'first');
    await publishRun(first);
    expect(existsSync(first.stagingDir)).toBe(false);
    expect(read(outDir, 'car-1/01.jpg'), 'not shown before the switch').toBe('legacy car 1');
    await showRun(outDir, first, 1);
    expect(await shownRun(outDir)).toBe(first.name);
    expect(lstatSync(join(outDir, 'car-1')).isSymbolicLink()).toBe(true);
    expect(read(outDir, 'car-1/01.jpg')).toBe('first car 1');
    expect(readdirSync(outDir).sort()).toEqual(['.lotreel', 'car-1', 'notes.txt']);

    const second = await stagedRun(outDir, 3, 'second');
    await publishRun(second);
    await showRun(outDir, second, 3);
    expect([1, 2, 3].map((n) => read(outDir, `car-${n}/01.jpg`))).toEqual(['second car 1', 'second car 2', 'second car 3']);
    // The first run is no longer shown; with no row pointing at it, it goes.
    await removeUnusedRuns(outDir, new Set([second.name]), second.name);
    expect(readdirSync(join(outDir, '.lotreel')).sort()).toEqual(['current', second.name].sort());

    // A run that a row still points at stays, even when not shown; a dead run's staging folder goes.
    const third = await stagedRun(outDir, 1, 'third');
    await publishRun(third);
    await showRun(outDir, third, 1);
    expect(readdirSync(outDir).sort()).toEqual(['.lotreel', 'car-1', 'notes.txt']);
    const dead = await stagedRun(outDir, 1, 'dead');
    await removeUnusedRuns(outDir, new Set([second.name]), undefined);
    expect(readdirSync(join(outDir, '.lotreel')).sort()).toEqual(['current', second.name, third.name].sort());
    expect(existsSync(dead.stagingDir)).toBe(false);
    expect(read(outDir, 'notes.txt')).toBe('mine');
  });

  it('publishes a run without cars into a folder that did not exist', async () => {
    const outDir = join(root, 'new', 'folder');
    const run = newRunFolder(outDir);
    await publishRun(run);
    await showRun(outDir, run, 0);
    expect(readdirSync(outDir)).toEqual(['.lotreel']);
    expect(await shownRun(outDir)).toBe(run.name);
  });
});
