/**
 * The databases the store tests run against: PGlite always; a real Postgres server when DATABASE_URL
 * is set (used only as the admin connection to create and drop a database of the tests' own).
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import pg from 'pg';
import type { OpenDatabaseConfig } from '../../../src/store/index.js';
import { scratchDir } from '../../helpers/shared.js';

export interface TestStore {
  config: OpenDatabaseConfig;
  /** Drops the database / removes the folder. */
  cleanup(): Promise<void>;
}

export interface Backend {
  kind: 'pglite' | 'postgres';
  create(): Promise<TestStore>;
}

export const adminDatabaseUrl: string | undefined = process.env.DATABASE_URL || undefined;

const pgliteBackend: Backend = {
  kind: 'pglite',
  async create() {
    const dataDir = scratchDir('store-pglite');
    return {
      config: { dataDir },
      cleanup: async () => rmSync(dataDir, { recursive: true, force: true }),
    };
  },
};

/** Creates `lotreel_test_<random>` through the admin URL; cleanup force-disconnects and drops it. */
export async function createTestDatabase(adminUrl: string): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `lotreel_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl, application_name: 'lotreel-tests' });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: async () => {
      const dropper = new pg.Client({ connectionString: adminUrl, application_name: 'lotreel-tests' });
      await dropper.connect();
      try {
        await dropper.query(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

const postgresBackend = (adminUrl: string): Backend => ({
  kind: 'postgres',
  async create() {
    const database = await createTestDatabase(adminUrl);
    const dataDir = scratchDir('store-postgres');
    return {
      config: { dataDir, databaseUrl: database.url },
      cleanup: async () => {
        await database.drop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  },
});

export const backends: Backend[] = [pgliteBackend, ...(adminDatabaseUrl ? [postgresBackend(adminDatabaseUrl)] : [])];
