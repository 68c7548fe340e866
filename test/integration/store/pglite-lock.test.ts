/**
 * The embedded database folder is used by one process at a time. The other process here is a real
 * child `node` running the store compiled from src/ (tsc, into a scratch folder).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLotreelError } from '../../../src/core/errors.js';
import { embeddedDatabasePaths, findVideoByFingerprint, openDatabase, type Database } from '../../../src/store/index.js';
import { projectRoot, scratchDir } from '../../helpers/shared.js';

const IN_USE = /^the embedded database at .+ is in use by another lotreel process/;

const CHILD = `
import { openDatabase } from './out/store/index.js';
const [dataDir, fingerprint] = process.argv.slice(2);
let db;
try {
  db = await openDatabase({ dataDir });
} catch (error) {
  process.stdout.write(JSON.stringify({ code: error.code, message: error.message }) + '\\n');
  process.exit(3);
}
if (fingerprint) {
  await db.query(
    "insert into videos (fingerprint, file_name, file_path, size_bytes, duration_ms, width, height, fps, codec, status) values ($1, 'child.mp4', '/child.mp4', 1, 1, 1, 1, 1, 'h264', 'done')",
    [fingerprint],
  );
}
process.stdout.write('ready\\n');
process.stdin.on('end', async () => {
  await db.close();
  process.stdout.write('closed\\n');
  process.exit(0);
});
process.stdin.resume();
`;

interface Child {
  process: ChildProcess;
  /** Resolves with each line the child prints, in order. */
  nextLine(): Promise<string>;
  exited: Promise<number | null>;
}

describe('embedded database folder lock', () => {
  const root = scratchDir('store-lock');
  const dataDir = join(root, 'data');
  const children: ChildProcess[] = [];
  let db: Database | undefined;

  const startChild = (fingerprint = ''): Child => {
    const child = spawn(process.execPath, [join(root, 'child.mjs'), dataDir, fingerprint], { stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let buffered = '';
    const lines: string[] = [];
    const waiting: Array<(line: string) => void> = [];
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        const waiter = waiting.shift();
        if (waiter) waiter(line);
        else lines.push(line);
      }
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return {
      process: child,
      exited,
      nextLine: () =>
        lines.length > 0
          ? Promise.resolve(lines.shift()!)
          : Promise.race([
              new Promise<string>((resolve) => waiting.push(resolve)),
              exited.then((code) => {
                throw new Error(`child exited (${code}) without a line; stderr: ${stderr}`);
              }),
            ]),
    };
  };

  beforeAll(async () => {
    mkdirSync(root, { recursive: true });
    const tsc = join(projectRoot, 'node_modules', '.bin', 'tsc');
    const built = spawnSync(
      tsc,
      ['--ignoreConfig', '--outDir', join(root, 'out'), '--rootDir', join(projectRoot, 'src'), '--module', 'nodenext',
        '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck',
        join(projectRoot, 'src', 'store', 'index.ts')],
      { encoding: 'utf8' },
    );
    if (built.status !== 0) throw new Error(`tsc failed: ${built.stdout}${built.stderr}`);
    writeFileSync(join(root, 'child.mjs'), CHILD);
    // Create the database once, so the children below open an existing one.
    await (await openDatabase({ dataDir })).close();
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await db?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('refuses a second open in the same process, and allows it after close', async () => {
    db = await openDatabase({ dataDir });
    const { lockFile } = embeddedDatabasePaths(dataDir);
    expect(existsSync(lockFile)).toBe(true);
    const error = await openDatabase({ dataDir }).catch((e: unknown) => e);
    expect(isLotreelError(error, 'DATABASE_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(IN_USE);
    expect((error as Error).message).toContain(`this process, pid ${process.pid}`);
    await db.close();
    db = undefined;
    expect(existsSync(lockFile)).toBe(false);
    expect(readdirSync(dataDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a child process while this one has it open', async () => {
    db = await openDatabase({ dataDir });
    const child = startChild();
    const answer = JSON.parse(await child.nextLine()) as { code: string; message: string };
    expect(answer.code).toBe('DATABASE_FAILED');
    expect(answer.message).toMatch(IN_USE);
    expect(answer.message).toContain(`held by pid ${process.pid}`);
    expect(await child.exited).toBe(3);
    await db.close();
    db = undefined;
  });

  it('refuses this process while a child has it open, and allows it once the child closes', async () => {
    const child = startChild();
    expect(await child.nextLine()).toBe('ready');
    const error = await openDatabase({ dataDir }).catch((e: unknown) => e);
    expect(isLotreelError(error, 'DATABASE_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(IN_USE);
    expect((error as Error).message).toContain(`held by pid ${child.process.pid}`);

    child.process.stdin!.end();
    expect(await child.nextLine()).toBe('closed');
    expect(await child.exited).toBe(0);
    db = await openDatabase({ dataDir });
    await db.close();
    db = undefined;
  });

  it('takes over the lock of a killed process, with its committed data intact', async () => {
    const fingerprint = `killed-child-${Date.now()}`;
    const child = startChild(fingerprint);
    expect(await child.nextLine()).toBe('ready');
    child.process.kill('SIGKILL');
    await child.exited;
    expect(existsSync(embeddedDatabasePaths(dataDir).lockFile)).toBe(true); // left behind: stale

    const started = performance.now();
    db = await openDatabase({ dataDir });
    console.log(`[store/pglite] reopen after a killed process: ${(performance.now() - started).toFixed(0)} ms`);
    expect(await findVideoByFingerprint(db, fingerprint)).toMatchObject({ fingerprint, fileName: 'child.mp4' });
    await db.close();
    db = undefined;
  });
});
