/**
 * The database keeps the same status lists as the code: the check constraints the migrations left on
 * drafts.status, videos.status and feedback_events.kind name exactly the domain constants (shipped migrations keep their own
 * text, so this is where a changed list without a new migration is caught). PGlite always; the
 * PostgreSQL server too when DATABASE_URL is set.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { FEEDBACK_KINDS } from '../../../src/feedback/stats.js';
import { DRAFT_STATUSES } from '../../../src/listing/draft-status.js';
import { openDatabase, VIDEO_STATUSES, type Database } from '../../../src/store/index.js';
import { backends, type TestStore } from './backends.js';

/** The quoted values of a check constraint, in order, as the server prints it back. */
async function constraintValues(db: Database, name: string): Promise<string[]> {
  const [row] = await db.query<{ definition: string }>('select pg_get_constraintdef(oid) as definition from pg_constraint where conname = $1', [name]);
  if (!row) throw new Error(`no constraint ${name}`);
  return [...row.definition.matchAll(/'([^']*)'/g)].map((m) => m[1]!);
}

for (const backend of backends) {
  describe(`status constraints (${backend.kind})`, () => {
    let store: TestStore | undefined;
    let db: Database | undefined;
    afterAll(async () => {
      await db?.close();
      await store?.cleanup();
    });

    it('drafts and videos accept exactly the statuses the code declares', async () => {
      store = await backend.create();
      db = await openDatabase(store.config);
      expect(await constraintValues(db, 'drafts_status_check')).toEqual([...DRAFT_STATUSES]);
      expect(await constraintValues(db, 'videos_status_check')).toEqual([...VIDEO_STATUSES]);
      expect(await constraintValues(db, 'feedback_events_kind_check')).toEqual([...FEEDBACK_KINDS]);
    });
  });
}
