/** Run folder names and which of them may be removed (pure). */
import { describe, expect, it } from 'vitest';
import { newRunName, runFoldersToRemove, runStartedMs } from '../../../src/store/run-folders.js';
import { checkKey } from '../../../src/storage/storage.js';

describe('run folders', () => {
  it('names a run with its start time, as a valid storage key segment, never twice the same', () => {
    const at = Date.UTC(2026, 11, 4, 21, 0, 0);
    const a = newRunName(at);
    expect(a).toMatch(/^run-[0-9a-z]+-[0-9a-f]{8}$/);
    expect(checkKey(`dealer/video/${a}`)).toBe(`dealer/video/${a}`);
    expect(runStartedMs(a)).toBe(at);
    expect(runStartedMs(`${a}.staging`)).toBe(at);
    expect(newRunName(at)).not.toBe(a);
    for (const other of ['original', 'car-1', 'rendered', 'run-x', 'run-zz-123', '.lotreel-staging-1-2']) expect(runStartedMs(other)).toBeNull();
  });

  it('removes runs and staging folders that are neither in use nor this run, once older than the lease', () => {
    const now = Date.UTC(2026, 11, 4, 22, 0, 0);
    const old = newRunName(now - 60_000);
    const inUse = newRunName(now - 50_000);
    const mine = newRunName(now - 40_000);
    const young = newRunName(now - 1_000);
    const names = ['original', 'car-1', old, `${old}.staging`, inUse, mine, `${mine}.staging`, young, `${young}.staging`];
    expect(runFoldersToRemove(names, new Set([inUse]), { keep: mine, olderThanMs: 8_000, now }).sort()).toEqual([old, `${old}.staging`].sort());
    // One process holds the database: anything not in use and not this run is a dead run's.
    expect(runFoldersToRemove(names, new Set([inUse]), { keep: mine, olderThanMs: 0, now }).sort()).toEqual([old, `${old}.staging`, young, `${young}.staging`].sort());
    expect(runFoldersToRemove(names, new Set([inUse, old, young, mine]), { olderThanMs: 0, now })).toEqual([]);
  });
});
