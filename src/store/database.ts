/**
 * The one place that talks to a database: a thin adapter over PGlite (embedded Postgres in this
 * process, persisted under `<dataDir>/db`) and `pg` (a Pool on DATABASE_URL).
 *
 * Both return the same JavaScript values for the same SQL:
 * - int8/bigint (also `count(*)`) -> number (exact up to 2^53; file sizes and counts stay far below);
 * - timestamptz -> Date (both drivers' own parser);
 * - jsonb/json -> parsed value; pass jsonb parameters as JSON text with an explicit `$n::jsonb` cast
 *   (`pg` would turn a JS array parameter into a Postgres array literal);
 * - bytea -> plain Uint8Array (pg's Buffer is re-viewed as Uint8Array); the schema uses no bytea today;
 * - int4 -> number, real/double precision -> number, numeric -> string (both drivers), uuid -> string.
 * Every failure surfaces as LotreelError DATABASE_FAILED with the SQLSTATE, constraint and table in
 * `details` and the driver's error as `cause`.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Transaction as PGliteTransaction } from '@electric-sql/pglite';
import pg from 'pg';
import { LotreelError } from '../core/errors.js';
import { silentLogger, type Logger } from '../core/log.js';
import { acquireDirLock, type DirLock } from './dir-lock.js';
import { runMigrations } from './migrations.js';

export type { Database, DatabaseKind, JobQueueConnection, Queryable } from './queryable.js';
import type { Database, JobQueueConnection, Queryable } from './queryable.js';

export interface OpenDatabaseConfig {
  /** Where the embedded database lives (`<dataDir>/db`) when no databaseUrl is given. */
  dataDir: string;
  /** postgres:// URL of a real server; when set, PGlite is not used. */
  databaseUrl?: string | undefined;
}

export interface OpenDatabaseOptions {
  logger?: Logger;
  /** Apply pending migrations after opening (default true). */
  migrate?: boolean;
}

const OID_BYTEA = 17;
const OID_INT8 = 20;

const parseInt8 = (value: string): number => Number(value);

/** The embedded database folder and its lock file for a data folder. */
export function embeddedDatabasePaths(dataDir: string): { dir: string; lockFile: string } {
  const dir = join(dataDir, 'db');
  return { dir, lockFile: `${dir}.lock` };
}

/** Hides the password of a postgres:// URL, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the configured DATABASE_URL';
  }
}

function errorText(error: unknown): string {
  if (error instanceof AggregateError && error.message === '') {
    return error.errors.map(errorText).join('; ');
  }
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return (error.message || code || error.name).split('\n')[0] ?? '';
  }
  return String(error);
}

/** Wraps a driver error into DATABASE_FAILED, keeping SQLSTATE, constraint, table and column in details. */
export function toDatabaseError(error: unknown, context: string): LotreelError {
  if (error instanceof LotreelError) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as Record<string, unknown>;
  const pick = (key: string) => (typeof e[key] === 'string' && e[key] !== '' ? (e[key] as string) : undefined);
  const sqlState = pick('code') !== undefined && /^[0-9A-Z]{5}$/.test(pick('code')!) ? pick('code') : undefined;
  const details: Record<string, unknown> = {};
  if (sqlState !== undefined) details.sqlState = sqlState;
  else if (pick('code') !== undefined) details.errorCode = pick('code');
  for (const key of ['constraint', 'table', 'column', 'detail'] as const) {
    const value = pick(key);
    if (value !== undefined) details[key] = value;
  }
  return new LotreelError('DATABASE_FAILED', `${context}: ${errorText(error)}`, { cause: error, details });
}

function shortSql(sql: string): string {
  const flat = sql.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}...` : flat;
}

const toParams = (params: unknown[] | undefined): unknown[] | undefined =>
  params?.map((value) => (value === undefined ? null : value));

// ---------------------------------------------------------------------------------------------- PGlite

class PGliteDatabase implements Database {
  readonly kind = 'pglite' as const;
  #closed = false;

  constructor(
    private readonly pglite: PGlite,
    private readonly lock: DirLock,
    readonly dir: string,
  ) {}

  async query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    return runPGlite<T>(this.pglite, sql, params);
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    let failedInside = false;
    try {
      return await this.pglite.transaction(async (tx) => {
        const queryable: Queryable = { query: (sql, params) => runPGlite(tx, sql, params) };
        try {
          return await fn(queryable);
        } catch (error) {
          failedInside = true;
          throw error;
        }
      });
    } catch (error) {
      // The callback's own errors pass through unchanged; only BEGIN/COMMIT/ROLLBACK failures are wrapped.
      if (failedInside) throw error;
      throw toDatabaseError(error, 'transaction failed');
    }
  }

  jobQueueConnection(): JobQueueConnection {
    return {
      executeSql: async (text, values) => {
        // PGlite runs one statement per parameterised query; scripts go through exec (no parameters).
        if (values === undefined || values.length === 0) {
          const results = await this.pglite.exec(text);
          return (results.length === 1 ? results[0] : results) as { rows: unknown[] };
        }
        return this.pglite.query(text, values);
      },
    };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.pglite.close();
    } catch (error) {
      throw toDatabaseError(error, `closing the embedded database at ${this.dir} failed`);
    } finally {
      this.lock.release();
    }
  }
}

async function runPGlite<T>(target: PGlite | PGliteTransaction, sql: string, params?: unknown[]): Promise<T[]> {
  try {
    const result = await target.query<T>(sql, toParams(params));
    return result.rows;
  } catch (error) {
    throw toDatabaseError(error, `query failed (${shortSql(sql)})`);
  }
}

async function openPGlite(dataDir: string, logger: Logger): Promise<PGliteDatabase> {
  const { dir, lockFile } = embeddedDatabasePaths(dataDir);
  try {
    mkdirSync(dataDir, { recursive: true });
  } catch (error) {
    throw toDatabaseError(error, `cannot create the data folder ${dataDir}`);
  }
  const lock = acquireDirLock(lockFile, `the embedded database at ${dir} is in use by another lotreel process`);
  try {
    const started = performance.now();
    const pglite = await PGlite.create(dir, {
      parsers: { [OID_INT8]: parseInt8 },
    });
    logger.debug('embedded database opened', { dir, ms: Math.round(performance.now() - started) });
    return new PGliteDatabase(pglite, lock, dir);
  } catch (error) {
    lock.release();
    throw toDatabaseError(error, `cannot open the embedded database at ${dir}`);
  }
}

// -------------------------------------------------------------------------------------------- postgres

const typeParsers = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (format === undefined || format === 'text') {
      if (oid === OID_INT8) return parseInt8;
      if (oid === OID_BYTEA) {
        const parseBytea = pg.types.getTypeParser(OID_BYTEA, 'text');
        return (value: string) => {
          const buffer = parseBytea(value);
          return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
        };
      }
    }
    return pg.types.getTypeParser(oid, format as 'text');
  }) as typeof pg.types.getTypeParser,
};

class PostgresDatabase implements Database {
  readonly kind = 'postgres' as const;
  #closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly where: string,
  ) {}

  async query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]> {
    try {
      const result = await this.pool.query(sql, toParams(params));
      return result.rows as T[];
    } catch (error) {
      throw toDatabaseError(error, `query failed (${shortSql(sql)})`);
    }
  }

  async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw toDatabaseError(error, `cannot connect to the database at ${this.where}`);
    }
    let open = true;
    let broken: Error | undefined;
    const tx: Queryable = {
      query: async <R>(sql: string, params?: unknown[]): Promise<R[]> => {
        if (!open) throw new LotreelError('DATABASE_FAILED', 'query on a transaction that has ended');
        try {
          const result = await client.query(sql, toParams(params));
          return result.rows as R[];
        } catch (error) {
          throw toDatabaseError(error, `query failed (${shortSql(sql)})`);
        }
      },
    };
    let failedInside = false;
    try {
      await client.query('BEGIN');
      let result: T;
      try {
        result = await fn(tx);
      } catch (error) {
        failedInside = true;
        throw error;
      }
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      // The callback's own errors pass through unchanged; only BEGIN/COMMIT failures are wrapped.
      if (failedInside) throw error;
      throw toDatabaseError(error, 'transaction failed');
    } finally {
      open = false;
      client.release(broken); // a connection that could not roll back is destroyed, not reused
    }
  }

  jobQueueConnection(): JobQueueConnection {
    return { executeSql: (text, values) => this.pool.query(text, values) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.pool.end();
    } catch (error) {
      throw toDatabaseError(error, `closing the connections to ${this.where} failed`);
    }
  }
}

async function openPostgres(databaseUrl: string, logger: Logger): Promise<PostgresDatabase> {
  const where = redactDatabaseUrl(databaseUrl);
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    application_name: 'lotreel',
    connectionTimeoutMillis: 10_000,
    max: 10,
    types: typeParsers,
  });
  // An idle connection dropped by the server emits 'error' on the pool; unhandled, it would crash the process.
  pool.on('error', (error) => logger.warn('idle database connection failed', { where, error: errorText(error) }));
  try {
    await pool.query('select 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw toDatabaseError(error, `cannot connect to the database at ${where}`);
  }
  return new PostgresDatabase(pool, where);
}

// ------------------------------------------------------------------------------------------------ open

/**
 * Opens the database lotreel uses: Postgres at `databaseUrl` when given, else the embedded PGlite
 * database under `<dataDir>/db` (created on first use, locked against other processes), and applies
 * pending migrations.
 */
export async function openDatabase(config: OpenDatabaseConfig, options: OpenDatabaseOptions = {}): Promise<Database> {
  const logger = options.logger ?? silentLogger;
  const started = performance.now();
  const db = config.databaseUrl ? await openPostgres(config.databaseUrl, logger) : await openPGlite(config.dataDir, logger);
  if (options.migrate ?? true) {
    try {
      const outcome = await runMigrations(db);
      if (outcome.applied.length > 0) logger.info('database migrated', { kind: db.kind, applied: outcome.applied, version: outcome.version });
    } catch (error) {
      await db.close().catch(() => undefined);
      throw toDatabaseError(error, 'migrating the database failed');
    }
  }
  logger.info('database ready', { kind: db.kind, ms: Math.round(performance.now() - started) });
  return db;
}
