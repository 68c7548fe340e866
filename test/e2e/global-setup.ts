/**
 * Compiles src/ into dist/ once before the test run (and again before each watch-mode rerun), so the
 * end-to-end tests' `node bin/lotreel.js` always runs the current sources.
 *
 * A failed build is reported loudly: the tsc output goes to stderr here, and every e2e test fails with
 * it (see `requireFreshBuild` in test/e2e/build.ts). Unit and integration tests import the sources
 * directly and do not need dist/, so they still run.
 *
 * It also says once what the suite skips here for want of a PostgreSQL server or a Chromium (one line
 * each, naming what to install), and stops the run in CI when either is missing.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { checkTestRequirements, chromiumRequirement, postgresRequirement } from '../helpers/requirements.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BuildOutcome {
  ok: boolean;
  ms: number;
  /** tsc's output (or why it could not run), when the build failed. */
  output: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    lotreelBuild: BuildOutcome;
  }
}

function build(): BuildOutcome {
  const started = performance.now();
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  const ms = Math.round(performance.now() - started);
  if (result.error === undefined && result.status === 0) return { ok: true, ms, output: '' };
  const why = result.error ? result.error.message : `exit ${result.status ?? result.signal}`;
  const output = `\`tsc -p tsconfig.build.json\` failed (${why}) after ${ms} ms; bin/lotreel.js would run stale dist/ code:\n${result.stdout ?? ''}${result.stderr ?? ''}`;
  process.stderr.write(`\n[e2e global setup] ${output}\n`);
  return { ok: false, ms, output };
}

export default function setup(project: TestProject): void {
  for (const line of checkTestRequirements([postgresRequirement(), chromiumRequirement()])) process.stdout.write(`${line}\n`);
  project.provide('lotreelBuild', build());
  project.onTestsRerun(() => {
    project.provide('lotreelBuild', build());
  });
}
