import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLotreelError } from '../../../src/core/errors.js';
import { acquireDirLock, processStartTime, type LockOwner } from '../../../src/store/dir-lock.js';
import { scratchDir } from '../../helpers/shared.js';

const IN_USE = 'the thing is in use by another lotreel process';
const hasProc = existsSync('/proc/self/stat');

describe('acquireDirLock', () => {
  const dir = scratchDir('dir-lock');
  let n = 0;
  const lockPath = () => join(dir, `lock-${++n}.lock`);
  const writeOwner = (path: string, owner: Partial<LockOwner>) =>
    writeFileSync(path, JSON.stringify({ pid: process.pid, hostname: hostname(), bootId: null, startTime: null, token: 'x', createdAt: '', ...owner }));
  const expectInUse = (path: string, holder: string) => {
    let error: unknown;
    try {
      acquireDirLock(path, IN_USE);
    } catch (e) {
      error = e;
    }
    expect(isLotreelError(error, 'DATABASE_FAILED')).toBe(true);
    expect((error as Error).message).toBe(`${IN_USE} (held by ${holder}; lock file ${path})`);
  };

  beforeAll(() => mkdirSync(dir, { recursive: true }));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the owner, refuses a second taker in the same process and removes the file on release', () => {
    const path = lockPath();
    const lock = acquireDirLock(path, IN_USE);
    const owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    expect(owner).toMatchObject({ pid: process.pid, hostname: hostname(), token: lock.owner.token });
    expectInUse(path, `this process, pid ${process.pid}`);
    lock.release();
    lock.release();
    expect(existsSync(path)).toBe(false);
    acquireDirLock(path, IN_USE).release();
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('takes over a lock whose process is gone', () => {
    const path = lockPath();
    const dead = spawnSync(process.execPath, ['-e', '']).pid!;
    writeOwner(path, { pid: dead });
    const lock = acquireDirLock(path, IN_USE);
    expect(JSON.parse(readFileSync(path, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('takes over a corrupt lock and one left by this pid before (not held here)', () => {
    const path = lockPath();
    writeFileSync(path, 'not json');
    acquireDirLock(path, IN_USE).release();
    writeOwner(path, { pid: process.pid, token: 'an-earlier-life' });
    acquireDirLock(path, IN_USE).release();
  });

  it('counts a lock from another host as held', () => {
    const path = lockPath();
    writeOwner(path, { pid: 4242, hostname: 'elsewhere.example' });
    expectInUse(path, 'pid 4242 on host elsewhere.example');
  });

  it.skipIf(!hasProc)('tells a live owner from a reused pid or a reboot (Linux /proc)', () => {
    const path = lockPath();
    const parent = process.ppid;
    const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    writeOwner(path, { pid: parent, bootId, startTime: processStartTime(parent) });
    expectInUse(path, `pid ${parent}`);
    writeOwner(path, { pid: parent, bootId, startTime: '1' }); // same pid, another process
    acquireDirLock(path, IN_USE).release();
    writeOwner(path, { pid: parent, bootId: 'another-boot', startTime: processStartTime(parent) });
    acquireDirLock(path, IN_USE).release();
  });

  it('does not remove a lock that is no longer its own', () => {
    const path = lockPath();
    const lock = acquireDirLock(path, IN_USE);
    writeOwner(path, { pid: 4242, hostname: 'elsewhere.example' });
    lock.release();
    expect(existsSync(path)).toBe(true);
  });

  it('reads process start times from /proc', () => {
    if (!hasProc) expect(processStartTime('self')).toBeNull();
    else expect(processStartTime('self')).toMatch(/^\d+$/);
    expect(processStartTime(2 ** 22 + 12345)).toBeNull();
  });
});
