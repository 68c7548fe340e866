/** What the repositories and migrations run SQL on: the database or one open transaction (types only). */
export type DatabaseKind = 'pglite' | 'postgres';

/** Something SQL can be run on: the database itself or an open transaction. */
export interface Queryable {
  /** Runs one statement (parameters `$1`, `$2`, …) and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
}

export interface Database extends Queryable {
  readonly kind: DatabaseKind;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back when it throws (the error
   * is rethrown). Inside `fn` use only `tx`: on PGlite, queries on the database itself wait for the
   * transaction to end, so using the database there would deadlock. No nesting.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * The connection in the shape pg-boss takes (`db.executeSql`): one statement with parameters, or a
   * script of several statements without (pg-boss's migrations and locked commands). Results are the
   * driver's own (`{ rows }`, an array of them for a script), as `pg` returns them.
   */
  jobQueueConnection(): JobQueueConnection;
  /** Closes the connection(s) and, for PGlite, releases the folder lock. Idempotent. */
  close(): Promise<void>;
}

export interface JobQueueConnection {
  executeSql(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>;
}
