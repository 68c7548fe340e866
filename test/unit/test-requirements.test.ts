/** The suite's own rule for what it needs: skip with one line outside CI, fail in CI. */
import { describe, expect, it } from 'vitest';
import { checkTestRequirements, chromiumRequirement, postgresRequirement, skipsHere } from '../helpers/requirements.js';

const nothingExists = () => false;

describe('test requirements', () => {
  it('outside CI: one line per missing requirement, naming what to install', () => {
    const env = {};
    const lines = checkTestRequirements([postgresRequirement(env), chromiumRequirement(env, nothingExists)], env);
    expect(lines).toEqual([
      'skipped: the tests on a PostgreSQL server: DATABASE_URL is not set (apt-get install postgresql, then DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm test)',
      "skipped: the editor's browser test: needs /usr/bin/chromium (apt-get install chromium, or LOTREEL_CHROMIUM=/path/to/chromium)",
    ]);
    expect(skipsHere(postgresRequirement(env), env)).toBe(true);
  });

  it('prints nothing when everything is there; LOTREEL_CHROMIUM names the browser', () => {
    const env = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/postgres', LOTREEL_CHROMIUM: '/opt/chrome' };
    const seen: string[] = [];
    const chromium = chromiumRequirement(env, (path) => (seen.push(path), true));
    expect(seen).toEqual(['/opt/chrome']);
    expect(checkTestRequirements([postgresRequirement(env), chromium], env)).toEqual([]);
    expect(skipsHere(chromium, env)).toBe(false);
  });

  it('in CI a missing requirement fails the run and is never skipped', () => {
    const env = { CI: 'true' };
    const postgres = postgresRequirement(env);
    expect(skipsHere(postgres, env)).toBe(false);
    expect(() => checkTestRequirements([postgres, chromiumRequirement(env, nothingExists)], env)).toThrow(
      /CI=true.*PostgreSQL server: DATABASE_URL is not set.*browser test: needs \/usr\/bin\/chromium/,
    );
  });
});
