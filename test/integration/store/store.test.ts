/**
 * One test body for both databases: PGlite (always) and a real Postgres server (when DATABASE_URL is
 * set; CI sets it, and a CI run without it fails instead of skipping).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLotreelError, LotreelError } from '../../../src/core/errors.js';
import {
  countRows,
  MIGRATIONS,
  deleteVideo,
  findVideoByFingerprint,
  loadVideoResult,
  openDatabase,
  runMigrations,
  saveVideoResult,
  schemaVersion,
  SCHEMA_VERSION,
  type Database,
  type LoadedVideoResult,
  type RowCounts,
  type VideoResultInput,
} from '../../../src/store/index.js';
import { adminDatabaseUrl, backends, type TestStore } from './backends.js';
import { sampleCar, sampleResult } from './sample-result.js';

if (!adminDatabaseUrl) {
  describe('store on postgres', () => {
    if (process.env.CI === 'true') {
      it('needs DATABASE_URL in CI', () => {
        throw new Error('DATABASE_URL is not set: CI must run the store tests against a real Postgres server');
      });
    } else {
      it.skip('real Postgres tests skipped: set DATABASE_URL=postgres://…/postgres (admin connection) to run them', () => {});
    }
  });
}

/** The loaded result in input shape: ids, status and timestamps removed. */
function asInput(loaded: LoadedVideoResult): VideoResultInput {
  const { id: _id, status: _status, createdAt: _c, updatedAt: _u, ...video } = loaded.video;
  return {
    video,
    cars: loaded.cars.map(({ id: _carId, createdAt: _cc, segments, photos, draft, ...car }) => {
      if (draft === null) throw new Error(`car ${car.ordinal} has no draft`);
      const { id: _draftId, createdAt: _dc, updatedAt: _du, ...draftInput } = draft;
      return {
        ...car,
        segments: segments.map(({ id: _s, ...segment }) => segment),
        photos: photos.map(({ id: _p, ...photo }) => photo),
        draft: draftInput,
      };
    }),
  };
}

const zeroCounts: RowCounts = { videos: 0, cars: 0, segments: 0, photos: 0, drafts: 0 };

function expectedCounts(input: VideoResultInput): RowCounts {
  return {
    videos: 1,
    cars: input.cars.length,
    segments: input.cars.reduce((sum, car) => sum + car.segments.length, 0),
    photos: input.cars.reduce((sum, car) => sum + car.photos.length, 0),
    drafts: input.cars.length,
  };
}

async function expectDatabaseFailure(promise: Promise<unknown>): Promise<LotreelError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the operation to fail');
    },
    (e: unknown) => e,
  );
  expect(isLotreelError(error, 'DATABASE_FAILED'), String(error)).toBe(true);
  return error as LotreelError;
}

describe.each(backends)('store on $kind', (backend) => {
  let store: TestStore;
  let db: Database | undefined;
  const timings: string[] = [];
  let seq = 0;
  const fingerprint = (label: string) => `${label}-${backend.kind}-${++seq}-${Date.now()}`;

  const open = async (options: { migrate?: boolean } = {}) => {
    const started = performance.now();
    const opened = await openDatabase(store.config, options);
    return { db: opened, ms: performance.now() - started };
  };
  const current = async (): Promise<Database> => {
    db ??= (await open()).db;
    return db;
  };

  beforeAll(async () => {
    store = await backend.create();
  });

  afterAll(async () => {
    await db?.close();
    await store?.cleanup();
    if (timings.length > 0) console.log(`[store/${backend.kind}] ${timings.join(', ')}`);
  });

  it('migrates a fresh database (concurrent migrators included) and is idempotent on reopen', async () => {
    const first = await open({ migrate: false });
    timings.push(`open new: ${first.ms.toFixed(0)} ms`);
    expect(first.db.kind).toBe(backend.kind);
    expect(await schemaVersion(first.db)).toBe(0);

    // Two migrators at once: on a server they are two connections serialised by the advisory lock;
    // PGlite has one connection (and the folder lock keeps a second handle out), so it is the same handle.
    const second = backend.kind === 'postgres' ? (await open({ migrate: false })).db : first.db;
    const outcomes = await Promise.all([runMigrations(first.db), runMigrations(second)]);
    expect(outcomes.map((o) => o.applied).sort()).toEqual([[], MIGRATIONS.map((m) => m.version)]);
    expect(outcomes.every((o) => o.version === SCHEMA_VERSION)).toBe(true);
    if (second !== first.db) await second.close();

    const migrated = await first.db.query<{ version: number; applied_at: Date }>('select version, applied_at from schema_migrations');
    expect(migrated.map((row) => row.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(migrated[0]!.applied_at).toBeInstanceOf(Date);
    const tables = await first.db.query<{ table_name: string }>(
      `select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    expect(tables.map((row) => row.table_name)).toEqual(['cars', 'dealers', 'drafts', 'feedback_events', 'photo_edits', 'photos', 'reels', 'schema_migrations', 'segments', 'videos']);
    await first.db.close();
    await first.db.close(); // idempotent

    const reopened = await open();
    timings.push(`reopen: ${reopened.ms.toFixed(0)} ms`);
    expect(await runMigrations(reopened.db)).toEqual({ applied: [], version: SCHEMA_VERSION });
    const after = await reopened.db.query<{ version: number; applied_at: Date }>('select version, applied_at from schema_migrations');
    expect(after).toEqual(migrated);
    db = reopened.db;
  });

  it('refuses a database whose schema is newer than the code', async () => {
    const database = await current();
    await database.query(`insert into schema_migrations (version, name) values (999, 'from the future')`);
    try {
      const error = await expectDatabaseFailure(runMigrations(database));
      expect(error.message).toMatch(new RegExp(`schema is version 999 but this lotreel knows versions up to ${SCHEMA_VERSION}`));
    } finally {
      await database.query('delete from schema_migrations where version = 999');
    }
  });

  it('normalises value types across drivers', async () => {
    const database = await current();
    const [row] = await database.query<Record<string, unknown>>(
      `select 5::int8 as small, 9007199254740991::int8 as max_safe, count(*) as n, now() as ts,
         '\\x01ff'::bytea as bytes, '{"a":[1,{"b":null}]}'::jsonb as doc, $1::jsonb as param_doc,
         0.5::real as r, 2147483647::int4 as i, true as yes, $2::text as absent`,
      [JSON.stringify([1, 'two', { three: 3 }]), undefined],
    );
    expect(row).toMatchObject({ small: 5, max_safe: 9007199254740991, n: 1, r: 0.5, i: 2147483647, yes: true, absent: null });
    expect(row!.ts).toBeInstanceOf(Date);
    expect(row!.bytes).toEqual(new Uint8Array([1, 255]));
    expect(Object.getPrototypeOf(row!.bytes)).toBe(Uint8Array.prototype); // not a Buffer
    expect(row!.doc).toEqual({ a: [1, { b: null }] });
    expect(row!.param_doc).toEqual([1, 'two', { three: 3 }]);
  });

  it('wraps driver errors as DATABASE_FAILED with the SQLSTATE', async () => {
    const database = await current();
    const error = await expectDatabaseFailure(database.query('select * from no_such_table'));
    expect(error.details).toMatchObject({ sqlState: '42P01' });
    expect(error.message).toMatch(/no_such_table/);
  });

  it('rolls a transaction back when its callback throws, passing the error through', async () => {
    const database = await current();
    const fp = fingerprint('tx');
    const boom = new Error('boom');
    await expect(
      database.transaction(async (tx) => {
        await tx.query(
          `insert into videos (fingerprint, file_name, file_path, size_bytes, duration_ms, width, height, fps, codec)
           values ($1, 'a.mp4', '/a.mp4', 1, 1, 1, 1, 1, 'h264')`,
          [fp],
        );
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(await findVideoByFingerprint(database, fp)).toBeNull();
    expect(await database.transaction(async (tx) => (await tx.query<{ v: number }>('select 7 as v'))[0]!.v)).toBe(7);
  });

  it('saves and loads a result with every field and type intact', async () => {
    const database = await current();
    const input = sampleResult(fingerprint('roundtrip'), 3);
    const saved = await saveVideoResult(database, input);
    expect(saved.cars.map((car) => car.ordinal)).toEqual([1, 2, 3]);
    expect(saved.cars.map((car) => car.photoIds.length)).toEqual([2, 3, 4]);

    const loaded = await loadVideoResult(database, saved.videoId);
    expect(loaded).not.toBeNull();
    expect(asInput(loaded!)).toEqual(input);

    // Ids line up with what save returned.
    expect(loaded!.video.id).toBe(saved.videoId);
    expect(loaded!.cars.map((car) => car.id)).toEqual(saved.cars.map((car) => car.id));
    expect(loaded!.cars.map((car) => car.photos.map((photo) => photo.id))).toEqual(saved.cars.map((car) => car.photoIds));
    expect(loaded!.cars.map((car) => car.draft?.id)).toEqual(saved.cars.map((car) => car.draftId));

    // Types, not just values that compare equal.
    const { video } = loaded!;
    expect(video.status).toBe('done');
    expect(typeof video.sizeBytes).toBe('number');
    expect(video.sizeBytes).toBe(5_368_709_123);
    expect(typeof video.fps).toBe('number');
    expect(video.createdAt).toBeInstanceOf(Date);
    expect(video.updatedAt).toBeInstanceOf(Date);
    expect(video.timingsMs).toEqual({ probe: 12, sample: 2345.5, detect: 10_000, total: 15_000 });
    const [car1, car2] = loaded!.cars;
    expect(Array.isArray(car1!.makeModelCandidates)).toBe(true);
    expect(typeof car1!.makeModelConfidence).toBe('number');
    expect(car2!.makeModelConfidence).toBeNull();
    expect(car2!.makeModelCandidates).toEqual([]);
    expect(car1!.splitConfidence).toBe(0.5);
    expect(car1!.splitWarnings).toEqual(['possibly the same car as car 2']);
    expect(car1!.photos.map((photo) => photo.isCover)).toEqual([true, false]);
    expect(typeof car1!.photos[0]!.sharpness).toBe('number');
    expect(car1!.draft!.createdAt).toBeInstanceOf(Date);
    expect(car1!.draft!.attributes).toEqual(input.cars[0]!.draft.attributes);

    expect(await findVideoByFingerprint(database, input.video.fingerprint)).toEqual(video);
    expect(await findVideoByFingerprint(database, 'no-such-fingerprint')).toBeNull();
    expect(await loadVideoResult(database, '00000000-0000-4000-8000-000000000000')).toBeNull();
    expect(await loadVideoResult(database, 'not-a-uuid')).toBeNull();
    expect(await countRows(database, { videoId: saved.videoId })).toEqual(expectedCounts(input));
  });

  it('saves a video with no cars', async () => {
    const database = await current();
    const input = sampleResult(fingerprint('empty'), 0);
    const saved = await saveVideoResult(database, input);
    expect(saved.cars).toEqual([]);
    expect(asInput((await loadVideoResult(database, saved.videoId))!)).toEqual(input);
  });

  it('replaces the earlier result when the same file is saved again, keeping the video id', async () => {
    const database = await current();
    const fp = fingerprint('again');
    const firstInput = sampleResult(fp, 3, 'first.mp4');
    const first = await saveVideoResult(database, firstInput);
    const firstVideo = (await findVideoByFingerprint(database, fp))!;
    const totalBefore = await countRows(database);

    const secondInput = sampleResult(fp, 2, 'second.mp4');
    secondInput.video.timingsMs = { total: 1 };
    secondInput.cars[0]!.color = 'blue';
    const second = await saveVideoResult(database, secondInput);

    expect(second.videoId).toBe(first.videoId);
    expect(second.cars.map((car) => car.id)).not.toContain(first.cars[0]!.id);
    expect(await countRows(database, { videoId: second.videoId })).toEqual(expectedCounts(secondInput));
    const totalAfter = await countRows(database);
    const removed = expectedCounts(firstInput);
    const added = expectedCounts(secondInput);
    expect(totalAfter).toEqual({
      videos: totalBefore.videos,
      cars: totalBefore.cars - removed.cars + added.cars,
      segments: totalBefore.segments - removed.segments + added.segments,
      photos: totalBefore.photos - removed.photos + added.photos,
      drafts: totalBefore.drafts - removed.drafts + added.drafts,
    });
    const loaded = (await loadVideoResult(database, second.videoId))!;
    expect(asInput(loaded)).toEqual(secondInput);
    expect(loaded.video.createdAt).toEqual(firstVideo.createdAt);
    expect(loaded.video.updatedAt.getTime()).toBeGreaterThanOrEqual(firstVideo.updatedAt.getTime());
    const [{ n }] = (await database.query<{ n: number }>('select count(*) as n from videos where fingerprint = $1', [fp])) as [{ n: number }];
    expect(n).toBe(1);
  });

  it.each([
    {
      what: 'two covers for one car',
      constraint: 'photos_one_cover_per_car',
      spoil: (input: VideoResultInput) => {
        input.cars[1]!.photos[1]!.isCover = true;
      },
    },
    {
      what: 'a segment that ends before it starts',
      constraint: 'segments_end_after_start',
      spoil: (input: VideoResultInput) => {
        input.cars[2]!.segments[0] = { startMs: 5_000, endMs: 5_000 };
      },
    },
    {
      what: 'two photos with the same ordinal',
      constraint: 'photos_car_ordinal_unique',
      spoil: (input: VideoResultInput) => {
        input.cars[2]!.photos[2]!.ordinal = 1;
      },
    },
  ])('rolls back everything when saving fails halfway ($what)', async ({ constraint, spoil }) => {
    const database = await current();
    const fp = fingerprint('rollback');
    const earlier = sampleResult(fp, 2, 'earlier.mp4');
    const saved = await saveVideoResult(database, earlier);
    const earlierLoaded = (await loadVideoResult(database, saved.videoId))!;
    const totalBefore = await countRows(database);

    // Same file again with a result that breaks a constraint on a later car.
    const broken = sampleResult(fp, 4, 'broken.mp4');
    spoil(broken);
    const error = await expectDatabaseFailure(saveVideoResult(database, broken));
    expect(error.details).toMatchObject({ constraint, fingerprint: fp });
    expect(error.message).toContain('broken.mp4');

    expect(await loadVideoResult(database, saved.videoId)).toEqual(earlierLoaded);
    expect(await countRows(database)).toEqual(totalBefore);

    // A new file that fails leaves nothing at all.
    const fresh = sampleResult(fingerprint('rollback-new'), 4, 'fresh.mp4');
    spoil(fresh);
    await expectDatabaseFailure(saveVideoResult(database, fresh));
    expect(await findVideoByFingerprint(database, fresh.video.fingerprint)).toBeNull();
    expect(await countRows(database)).toEqual(totalBefore);
  });

  it('deletes a video with its cars, segments, photos and drafts', async () => {
    const database = await current();
    const input = sampleResult(fingerprint('cascade'), 3);
    const saved = await saveVideoResult(database, input);
    const before = await countRows(database);
    expect(await deleteVideo(database, saved.videoId)).toBe(true);
    expect(await deleteVideo(database, saved.videoId)).toBe(false);
    expect(await countRows(database, { videoId: saved.videoId })).toEqual(zeroCounts);
    const removed = expectedCounts(input);
    expect(await countRows(database)).toEqual({
      videos: before.videos - 1,
      cars: before.cars - removed.cars,
      segments: before.segments - removed.segments,
      photos: before.photos - removed.photos,
      drafts: before.drafts - removed.drafts,
    });
    const carIds = saved.cars.map((car) => car.id);
    const orphans = await database.query<{ n: number }>(
      `select (select count(*) from segments where car_id = any($1::uuid[]))
            + (select count(*) from photos where car_id = any($1::uuid[]))
            + (select count(*) from drafts where car_id = any($1::uuid[])) as n`,
      [`{${carIds.join(',')}}`],
    );
    expect(orphans[0]!.n).toBe(0);
  });

  it('saves and reloads a large result (30 cars, 12 photos each) in reasonable time', async () => {
    const database = await current();
    const input = sampleResult(fingerprint('large'), 30);
    input.cars = input.cars.map((car) => ({ ...sampleCar(car.ordinal, 12) }));
    let started = performance.now();
    const saved = await saveVideoResult(database, input);
    const saveMs = performance.now() - started;
    started = performance.now();
    const loaded = await loadVideoResult(database, saved.videoId);
    const loadMs = performance.now() - started;
    timings.push(`save 30 cars/360 photos: ${saveMs.toFixed(0)} ms, load: ${loadMs.toFixed(0)} ms`);
    expect(asInput(loaded!)).toEqual(input);
    expect(saveMs).toBeLessThan(10_000);
  });

  it('keeps the data across close and reopen', async () => {
    const database = await current();
    const input = sampleResult(fingerprint('persist'), 2);
    const saved = await saveVideoResult(database, input);
    const loaded = await loadVideoResult(database, saved.videoId);
    const counts = await countRows(database);
    await database.close();
    db = undefined;

    const reopened = await open();
    timings.push(`reopen with data: ${reopened.ms.toFixed(0)} ms`);
    db = reopened.db;
    expect(await loadVideoResult(db, saved.videoId)).toEqual(loaded);
    expect(await countRows(db)).toEqual(counts);
    if (backend.kind === 'pglite') expect(reopened.ms).toBeLessThan(5_000);
  });
});
