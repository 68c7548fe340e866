/**
 * An exclusive, cross-process lock on a folder, kept as a lock file beside it (`<dir>.lock`).
 *
 * PGlite runs Postgres inside this process; two processes opening the same data folder would corrupt
 * it. The lock file holds the owner's pid, host, boot id and process start time (Linux), written
 * atomically (temporary file + hard link, so nobody ever sees a half-written lock). A lock whose owner
 * is gone (dead pid, pid reused by another process, machine rebooted) is stale and taken over.
 * A lock written on another host cannot be checked and counts as held.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { LotreelError } from '../core/errors.js';

export interface LockOwner {
  pid: number;
  hostname: string;
  /** Linux: /proc/sys/kernel/random/boot_id; null elsewhere. */
  bootId: string | null;
  /** Linux: process start time in clock ticks since boot (field 22 of /proc/<pid>/stat); null elsewhere. */
  startTime: string | null;
  /** Random token: tells this lock from a later one written by the same process. */
  token: string;
  createdAt: string;
}

export interface DirLock {
  readonly path: string;
  readonly owner: LockOwner;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void;
}

/** Lock files held by this process (by path): a second open in the same process is refused too. */
const heldHere = new Map<string, DirLock>();

function readProcFile(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Start time of a process (clock ticks since boot), from /proc; null when it cannot be read. */
export function processStartTime(pid: number | 'self'): string | null {
  const stat = readProcFile(`/proc/${pid}/stat`);
  if (stat === null) return null;
  // The command name (field 2) is in parentheses and may contain spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19] ?? null; // field 22 overall; fields[0] is field 3
}

function currentOwner(): LockOwner {
  return {
    pid: process.pid,
    hostname: hostname(),
    bootId: readProcFile('/proc/sys/kernel/random/boot_id'),
    startTime: processStartTime('self'),
    token: randomBytes(8).toString('hex'),
    createdAt: new Date().toISOString(),
  };
}

function parseOwner(text: string): LockOwner | null {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (typeof value.pid !== 'number' || !Number.isInteger(value.pid) || value.pid <= 0) return null;
    if (typeof value.hostname !== 'string' || typeof value.token !== 'string') return null;
    return {
      pid: value.pid,
      hostname: value.hostname,
      bootId: typeof value.bootId === 'string' ? value.bootId : null,
      startTime: typeof value.startTime === 'string' ? value.startTime : null,
      token: value.token,
      createdAt: typeof value.createdAt === 'string' ? value.createdAt : '',
    };
  } catch {
    return null;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why an existing lock still counts as held, or null when it is stale and may be taken over. */
export function lockHolder(lockPath: string, owner: LockOwner | null): string | null {
  if (owner === null) return null; // unreadable or corrupt: nobody can be holding it in a useful way
  const me = currentOwner();
  if (owner.hostname !== me.hostname) return `pid ${owner.pid} on host ${owner.hostname}`;
  if (owner.bootId !== null && me.bootId !== null && owner.bootId !== me.bootId) return null; // rebooted since
  if (owner.pid === process.pid) {
    const held = heldHere.get(lockPath);
    return held !== undefined && held.owner.token === owner.token ? `this process, pid ${owner.pid}` : null;
  }
  if (!pidAlive(owner.pid)) return null;
  if (owner.startTime !== null) {
    const startTime = processStartTime(owner.pid);
    if (startTime !== null && startTime !== owner.startTime) return null; // the pid now belongs to another process
  }
  return `pid ${owner.pid}`;
}

function readLock(lockPath: string): string | null {
  try {
    return readFileSync(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Takes the lock file `lockPath`, taking over a stale one. Throws DATABASE_FAILED
 * "<inUseMessage> (held by …; lock file …)" when a live process (or this one) holds it.
 */
export function acquireDirLock(lockPath: string, inUseMessage: string): DirLock {
  const owner = currentOwner();
  const content = JSON.stringify(owner) + '\n';
  const tmpPath = `${lockPath}.${process.pid}.${owner.token}.tmp`;
  try {
    writeFileSync(tmpPath, content, { mode: 0o644 });
  } catch (error) {
    throw new LotreelError('DATABASE_FAILED', `cannot write the lock file ${lockPath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        linkSync(tmpPath, lockPath); // atomic: fails with EEXIST when a lock is there
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const existing = readLock(lockPath);
        if (existing === null) continue; // released meanwhile: try again
        const holder = lockHolder(lockPath, parseOwner(existing));
        if (holder !== null) {
          throw new LotreelError('DATABASE_FAILED', `${inUseMessage} (held by ${holder}; lock file ${lockPath})`, {
            details: { lockPath, holder },
          });
        }
        // Stale: remove it, but only if it is still the very lock we judged (another process may have
        // taken it over in the meantime). A narrow race remains between this read and the unlink.
        if (readLock(lockPath) === existing) {
          try {
            unlinkSync(lockPath);
          } catch (unlinkError) {
            if ((unlinkError as NodeJS.ErrnoException).code !== 'ENOENT') throw unlinkError;
          }
        }
        continue;
      }
      const lock: DirLock = {
        path: lockPath,
        owner,
        release: () => {
          if (heldHere.get(lockPath) !== lock) return;
          heldHere.delete(lockPath);
          process.removeListener('exit', releaseOnExit);
          try {
            if (readLock(lockPath) === content) unlinkSync(lockPath);
          } catch {
            // Best effort: a lock left behind is detected as stale by the next opener.
          }
        },
      };
      const releaseOnExit = () => lock.release();
      heldHere.set(lockPath, lock);
      process.on('exit', releaseOnExit);
      return lock;
    }
    throw new LotreelError('DATABASE_FAILED', `${inUseMessage} (the lock file ${lockPath} keeps changing)`, {
      details: { lockPath },
    });
  } catch (error) {
    if (error instanceof LotreelError) throw error;
    throw new LotreelError('DATABASE_FAILED', `cannot take the lock file ${lockPath}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    try {
      unlinkSync(tmpPath);
    } catch {
      // already gone
    }
  }
}
