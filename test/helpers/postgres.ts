/**
 * A real PostgreSQL server for the tests that need one. DATABASE_URL is the ADMIN connection: each test
 * file creates a database of its own through it (`<prefix>_<random>`) and drops it afterwards.
 * Without DATABASE_URL those tests skip (the global setup says so once, see ./requirements.ts); with
 * CI=true and no DATABASE_URL they must fail.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inCi, postgresRequirement } from './requirements.js';

export const adminDatabaseUrl: string | undefined = process.env.DATABASE_URL || undefined;

/** Why the real-Postgres tests cannot run here, or null when they can. */
export function postgresUnavailableReason(): string | null {
  const requirement = postgresRequirement();
  return requirement.missing && `${requirement.missing} (${requirement.install})`;
}

/** In CI a missing server is a failure, never a skip. */
export const postgresRequired = (): boolean => inCi();

export interface ScratchDatabase {
  name: string;
  /** URL of the new database (the admin URL with its path replaced). */
  url: string;
  /** A client on the new database (connects on each call; the caller ends it). */
  connect(): Promise<pg.Client>;
  /** Force-disconnects everyone and drops the database. Idempotent. */
  drop(): Promise<void>;
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, application_name: 'lotreel-tests' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function createScratchDatabase(adminUrl: string, prefix = 'lotreel_e2e'): Promise<ScratchDatabase> {
  if (!/^[a-z_][a-z0-9_]*$/.test(prefix)) throw new Error(`bad database name prefix ${prefix}`);
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`create database ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    name,
    url: url.toString(),
    async connect() {
      const client = new pg.Client({ connectionString: url.toString(), application_name: 'lotreel-tests' });
      await client.connect();
      return client;
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(adminUrl, (admin) => admin.query(`drop database if exists ${name} with (force)`));
    },
  };
}
