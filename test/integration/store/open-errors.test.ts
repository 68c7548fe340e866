import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isLotreelError } from '../../../src/core/errors.js';
import { openDatabase } from '../../../src/store/index.js';
import { scratchDir } from '../../helpers/shared.js';

describe('openDatabase failures', () => {
  const root = scratchDir('store-open-errors');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reports an unreachable server as DATABASE_FAILED without the password', async () => {
    const error = await openDatabase({ dataDir: root, databaseUrl: 'postgres://someone:hunter2@127.0.0.1:1/lotreel' }).catch((e: unknown) => e);
    expect(isLotreelError(error, 'DATABASE_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/^cannot connect to the database at postgres:\/\/someone:\*\*\*@127\.0\.0\.1:1\/lotreel: .*ECONNREFUSED/);
    expect((error as Error).message).not.toContain('hunter2');
  });

  it('reports a data folder that cannot be created as DATABASE_FAILED', async () => {
    mkdirSync(root, { recursive: true });
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const error = await openDatabase({ dataDir: join(file, 'data') }).catch((e: unknown) => e);
    expect(isLotreelError(error, 'DATABASE_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/^cannot create the data folder .*a-file\/data/);
  });
});
