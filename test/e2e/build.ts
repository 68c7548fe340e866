/** The outcome of the global setup's build (test/e2e/global-setup.ts), for the e2e test files. */
import { inject } from 'vitest';
import type {} from './global-setup.js'; // declares ProvidedContext.lotreelBuild

/** Throws with tsc's output when the build before this run failed (or did not run). */
export function requireFreshBuild(): void {
  const build = inject('lotreelBuild');
  if (build === undefined) throw new Error('the e2e tests need the global setup test/e2e/global-setup.ts (vitest.config.ts globalSetup) to build dist/');
  if (!build.ok) throw new Error(build.output);
}
