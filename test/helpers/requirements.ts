/**
 * What the full suite needs beyond `npm ci`: a PostgreSQL server (DATABASE_URL, the admin connection)
 * and a Chromium for the editor's browser test. Outside CI a missing one skips its tests and the run
 * says so once, in one line naming what to install (test/e2e/global-setup.ts); in CI (CI=true) a
 * missing one fails the run, never a skip.
 */
import { existsSync } from 'node:fs';

export interface TestRequirement {
  /** The tests that need it. */
  tests: string;
  /** Why it is not there, or null when it is. */
  missing: string | null;
  /** How to get it. */
  install: string;
}

type Env = Record<string, string | undefined>;

export const inCi = (env: Env = process.env): boolean => env.CI === 'true';

export const chromiumPath = (env: Env = process.env): string => env.LOTREEL_CHROMIUM || '/usr/bin/chromium';

export function postgresRequirement(env: Env = process.env): TestRequirement {
  return {
    tests: 'the tests on a PostgreSQL server',
    missing: env.DATABASE_URL ? null : 'DATABASE_URL is not set',
    install: 'apt-get install postgresql, then DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm test',
  };
}

export function chromiumRequirement(env: Env = process.env, exists: (path: string) => boolean = existsSync): TestRequirement {
  const path = chromiumPath(env);
  return {
    tests: "the editor's browser test",
    missing: exists(path) ? null : `needs ${path}`,
    install: 'apt-get install chromium, or LOTREEL_CHROMIUM=/path/to/chromium',
  };
}

/** The one line a skipped requirement prints. */
export const skipLine = (requirement: TestRequirement): string =>
  `skipped: ${requirement.tests}: ${requirement.missing} (${requirement.install})`;

/** Whether the tests needing `requirement` skip here: only when it is missing and this is not CI. */
export const skipsHere = (requirement: TestRequirement, env: Env = process.env): boolean =>
  requirement.missing !== null && !inCi(env);

/**
 * For the global setup: the lines to print for what is missing outside CI; in CI, an error naming
 * everything missing.
 */
export function checkTestRequirements(requirements: TestRequirement[], env: Env = process.env): string[] {
  const missing = requirements.filter((r) => r.missing !== null);
  if (missing.length > 0 && inCi(env)) {
    throw new Error(`CI=true and the full suite cannot run: ${missing.map((r) => `${r.tests}: ${r.missing} (${r.install})`).join('; ')}`);
  }
  return missing.map(skipLine);
}
