import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LotreelError } from '../../../src/core/errors.js';
import { embeddedDatabasePaths, redactDatabaseUrl, toDatabaseError } from '../../../src/store/database.js';

describe('database helpers', () => {
  it('puts the embedded database and its lock under the data folder', () => {
    expect(embeddedDatabasePaths('/data/lotreel')).toEqual({ dir: join('/data/lotreel', 'db'), lockFile: join('/data/lotreel', 'db.lock') });
  });

  it('hides passwords in database URLs', () => {
    expect(redactDatabaseUrl('postgres://user:secret@db.example:5432/lotreel')).toBe('postgres://user:***@db.example:5432/lotreel');
    expect(redactDatabaseUrl('postgres://postgres@127.0.0.1:5432/postgres')).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(redactDatabaseUrl('not a url')).toBe('the configured DATABASE_URL');
  });

  it('maps server errors to DATABASE_FAILED with SQLSTATE and constraint', () => {
    const serverError = Object.assign(new Error('duplicate key value violates unique constraint "x"\nmore'), {
      code: '23505', constraint: 'x', table: 'photos', severity: 'ERROR', detail: 'Key (car_id)=(1) already exists.',
    });
    const error = toDatabaseError(serverError, 'query failed');
    expect(error.code).toBe('DATABASE_FAILED');
    expect(error.message).toBe('query failed: duplicate key value violates unique constraint "x"');
    expect(error.details).toEqual({ sqlState: '23505', constraint: 'x', table: 'photos', detail: 'Key (car_id)=(1) already exists.' });
    expect(error.cause).toBe(serverError);
  });

  it('maps connection errors, including empty AggregateErrors, to a readable line', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const both = new AggregateError([Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' }), refused], '');
    const error = toDatabaseError(both, 'cannot connect');
    expect(error.message).toBe('cannot connect: connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
    expect(toDatabaseError(refused, 'x').details).toEqual({ errorCode: 'ECONNREFUSED' });
  });

  it('keeps LotreelErrors as they are', () => {
    const original = new LotreelError('DATABASE_FAILED', 'already wrapped');
    expect(toDatabaseError(original, 'context')).toBe(original);
  });
});
