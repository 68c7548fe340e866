import { describe, expect, it } from 'vitest';
import { checkMigrations, MIGRATIONS, SCHEMA_VERSION, type Migration } from '../../../src/store/migrations.js';

describe('migrations', () => {
  it('are numbered 1, 2, 3 … and the schema version is the last one', () => {
    expect(() => checkMigrations(MIGRATIONS)).not.toThrow();
    expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
  });

  it('hold one statement per entry (PGlite runs parameterised queries one statement at a time)', () => {
    for (const migration of MIGRATIONS) {
      for (const statement of migration.statements) {
        expect(statement.trim().replace(/;$/, '')).not.toContain(';');
      }
    }
  });

  it('rejects gaps, duplicates and empty migrations', () => {
    const m = (version: number, statements = ['select 1']): Migration => ({ version, name: `m${version}`, statements });
    expect(() => checkMigrations([m(1), m(3)])).toThrow(/version 3, expected 2/);
    expect(() => checkMigrations([m(1), m(1)])).toThrow(/version 1, expected 2/);
    expect(() => checkMigrations([m(2)])).toThrow(/expected 1/);
    expect(() => checkMigrations([m(1, [])])).toThrow(/no statements/);
  });
});
