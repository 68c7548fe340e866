/**
 * Run folders (pure): every analysis publishes its files under a fresh, never reused name, so rows
 * can be committed pointing at files that are already complete, and an earlier result is removed
 * only after the rows no longer point at it. The name carries its start time, so a leftover of a dead
 * run can be told from a live one's without asking the storage for dates.
 */
import { randomBytes } from 'node:crypto';

const RUN = /^run-([0-9a-z]+)-[0-9a-f]{8}(?:\.staging)?$/;

/** `run-<start time, base 36 ms>-<8 hex>`: a valid storage key segment. */
export function newRunName(now: number = Date.now()): string {
  return `run-${now.toString(36)}-${randomBytes(4).toString('hex')}`;
}

/** When a run folder (or its staging folder) was started, or null for a name that is not a run's. */
export function runStartedMs(name: string): number | null {
  const match = RUN.exec(name);
  return match ? parseInt(match[1]!, 36) : null;
}

/**
 * The run folders and staging folders among `names` that may be removed: not in use, not `keep`, and
 * started more than `olderThanMs` ago (a run of another live process may still be writing).
 */
export function runFoldersToRemove(names: readonly string[], inUse: ReadonlySet<string>, options: { keep?: string; olderThanMs: number; now?: number }): string[] {
  const now = options.now ?? Date.now();
  return names.filter((name) => {
    const started = runStartedMs(name);
    if (started === null) return false;
    const run = name.replace(/\.staging$/, '');
    return run !== options.keep && !inUse.has(run) && now - started > options.olderThanMs;
  });
}
