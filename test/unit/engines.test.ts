/**
 * The Node version package.json names is one every installed package accepts: `npm ci` on it prints
 * no EBADENGINE warning (tus, sharp, vite and rolldown need 20.19, not any 20).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../helpers/shared.js';

// npm's own range logic (installed with npm's dependencies; no types of its own).
const semver = createRequire(import.meta.url)('semver') as {
  minVersion(range: string): { version: string } | null;
  satisfies(version: string, range: string): boolean;
};
const read = (file: string) => JSON.parse(readFileSync(join(projectRoot, file), 'utf8')) as Record<string, any>;

describe('engines', () => {
  it("every locked package that npm installs here accepts the package's minimum Node version", () => {
    const minimum = semver.minVersion(read('package.json').engines.node)!.version;
    const packages = Object.entries(read('package-lock.json').packages as Record<string, { version?: string; engines?: { node?: string }; optional?: boolean }>);
    // Optional packages are other platforms' binaries: npm skips them without a warning.
    const refusing = packages
      .filter(([path, info]) => path !== '' && !info.optional && typeof info.engines?.node === 'string')
      .filter(([, info]) => !semver.satisfies(minimum, info.engines!.node!))
      .map(([path, info]) => `${path.replace(/^.*node_modules\//, '')}@${info.version} needs ${info.engines!.node}`);
    expect(refusing, `Node ${minimum}`).toEqual([]);
    expect(semver.satisfies(process.version, read('package.json').engines.node), `this Node (${process.version})`).toBe(true);
  });
});
