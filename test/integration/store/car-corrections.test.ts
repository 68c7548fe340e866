/**
 * The seller's corrections of the split into cars, on PGlite and on the PostgreSQL server (when
 * DATABASE_URL is set): merge and split re-assign footage, photos (with their edits), covers, evidence
 * and drafts; another dealer's car is not found; a correction that cannot apply changes nothing; a
 * failure half-way rolls everything back; the feedback events give the merge and split rates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isLotreelError } from '../../../src/core/errors.js';
import { feedbackStats } from '../../../src/feedback/stats.js';
import { mergeCars, splitCar } from '../../../src/store/car-corrections.repository.js';
import { setPhotoEdits } from '../../../src/store/editor.repository.js';
import { listFeedback, listProposedCars, listReviewedVideos } from '../../../src/store/feedback.repository.js';
import { countRows, loadVideoResult, openDatabase, type Database, type LoadedVideoResult } from '../../../src/store/index.js';
import { seedDealer, seedDealerVideo } from '../../helpers/seed-cars.js';
import { backends, type TestStore } from './backends.js';

let seq = 0;

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (isLotreelError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

/** The video's cars as ordinal -> [segments, photo ids, cover id]. */
const shape = (video: LoadedVideoResult) =>
  video.cars.map((c) => ({
    ordinal: c.ordinal,
    id: c.id,
    segments: c.segments.map((s) => [s.startMs, s.endMs]),
    photos: c.photos.map((p) => p.id),
    ordinals: c.photos.map((p) => p.ordinal),
    covers: c.photos.filter((p) => p.isCover).map((p) => p.id),
    status: c.draft?.status,
  }));

for (const backend of backends) {
  describe(`merging and splitting cars (${backend.kind})`, () => {
    let store: TestStore;
    let db: Database;
    let dealer: { id: string };
    let other: { id: string };

    const seed = (cars: number) => seedDealerVideo(db, dealer.id, cars, { fingerprint: `corr-${backend.kind}-${++seq}` });
    const load = async (videoId: string) => (await loadVideoResult(db, videoId))!;

    beforeAll(async () => {
      store = await backend.create();
      db = await openDatabase(store.config);
      dealer = await seedDealer(db, 'Merge Motors');
      other = await seedDealer(db, 'Other Motors');
    }, 300_000);

    afterAll(async () => {
      await db?.close();
      await store?.cleanup();
    });

    it('merge: the earlier car keeps its id, draft and cover and takes the footage, photos (with edits) and evidence of the other; later cars move up', async () => {
      const saved = await seed(3);
      const [c1, c2, c3] = saved.cars as [typeof saved.cars[0], typeof saved.cars[0], typeof saved.cars[0]];
      await setPhotoEdits(db, dealer.id, c2.photoIds[1]!, [{ op: 'rotate', quarterTurns: 1 }]);
      const before = await load(saved.videoId);
      // Asked from the later car: the earlier one still survives.
      const done = await mergeCars(db, dealer.id, c2.id, c1.id);
      expect(done).toEqual({ videoId: saved.videoId, carId: c1.id });
      const after = await load(saved.videoId);
      const cars = shape(after);
      expect(cars.map((c) => [c.ordinal, c.id])).toEqual([[1, c1.id], [2, c3.id]]);
      expect(cars[0]!.segments).toEqual([[10_000, 14_500], [16_000, 16_001], [20_000, 24_500], [26_000, 26_001]]);
      expect(cars[0]!.photos).toEqual([...c1.photoIds, ...c2.photoIds]);
      expect(cars[0]!.ordinals).toEqual([1, 2, 3, 4, 5]);
      expect(cars[0]!.covers).toEqual([c1.photoIds[0]]);
      expect(cars[0]!.status).toBe('needs_review');
      expect(cars[1]!.photos).toEqual(c3.photoIds);
      // Car 3's warning named car 2, merged into car 1 now.
      expect(after.cars[1]!.splitWarnings).toEqual(['possibly the same car as car 1']);
      const merged = after.cars[0]!;
      expect(merged.evidence).toEqual([...(before.cars[0]!.evidence ?? []), ...(before.cars[1]!.evidence ?? [])]);
      expect(merged.evidence?.length).toBeGreaterThan(0);
      expect(merged.splitConfidence).toBe(1);
      expect(merged.splitWarnings).toEqual([]);
      const [edits] = await db.query<{ edits: unknown }>('select edits from photo_edits where photo_id = $1', [c2.photoIds[1]]);
      expect(edits?.edits).toEqual([{ op: 'rotate', quarterTurns: 1 }]);
      expect(await countRows(db, { videoId: saved.videoId })).toMatchObject({ cars: 2, drafts: 2, photos: 2 + 3 + 4 });
      const events = (await listFeedback(db)).filter((e) => e.videoId === saved.videoId);
      expect(events.map((e) => [e.kind, e.carId])).toEqual([['cars_merged', c1.id]]);
      expect(events[0]!.after).toMatchObject({ carId: c1.id, movedPhotoIds: c2.photoIds });
    });

    it('split at a moment: footage and photos before it stay, the rest is a new car right after, both drafts to review, covers one each', async () => {
      const saved = await seed(2);
      const [c1, c2] = saved.cars as [typeof saved.cars[0], typeof saved.cars[0]];
      // Car 2: footage 20.0-24.5 s and 26.0-26.001 s, photos at 20.0, 20.25, 20.5 s (the first the cover).
      const done = await splitCar(db, dealer.id, c2.id, { atMs: 20_250 });
      expect(done).toMatchObject({ videoId: saved.videoId, carId: c2.id });
      const cars = shape(await load(saved.videoId));
      expect(cars.map((c) => c.id)).toEqual([c1.id, c2.id, done!.newCarId]);
      expect(cars[1]).toMatchObject({ ordinal: 2, segments: [[20_000, 20_250]], photos: [c2.photoIds[0]], covers: [c2.photoIds[0]], status: 'needs_review' });
      expect(cars[2]).toMatchObject({ ordinal: 3, segments: [[20_250, 24_500], [26_000, 26_001]], photos: c2.photoIds.slice(1), ordinals: [1, 2], covers: [c2.photoIds[1]], status: 'needs_review' });
      const [draft] = await db.query<{ title: string }>('select title from drafts where car_id = $1', [done!.newCarId]);
      expect(draft?.title).toBe('Car 2');
      const [event] = (await listFeedback(db)).filter((e) => e.videoId === saved.videoId);
      expect(event).toMatchObject({ kind: 'car_split', carId: c2.id, after: { atMs: 20_250, newCarId: done!.newCarId, movedPhotoIds: c2.photoIds.slice(1) } });
    });

    it('split at a photo: that photo starts the new car; then merging the two back gives the car as it was', async () => {
      const saved = await seed(1);
      const car = saved.cars[0]!;
      const done = await splitCar(db, dealer.id, car.id, { photoId: car.photoIds[1]! });
      expect((await load(saved.videoId)).cars.map((c) => c.photos.map((p) => p.id))).toEqual([[car.photoIds[0]], [car.photoIds[1]]]);
      await mergeCars(db, dealer.id, car.id, done!.newCarId!);
      const [back] = shape(await load(saved.videoId));
      expect(back).toMatchObject({ id: car.id, segments: [[10_000, 14_500], [16_000, 16_001]], photos: car.photoIds, covers: [car.photoIds[0]] });
    });

    it('refusals change nothing: another dealer (not found), different videos, the same car, a moment outside the car, a photo of another car', async () => {
      const a = await seed(2);
      const b = await seed(1);
      const rows = async () => [await load(a.videoId), await load(b.videoId)].map(shape);
      const then = await rows();
      const feedback = (await listFeedback(db)).length;
      expect(await mergeCars(db, other.id, a.cars[0]!.id, a.cars[1]!.id)).toBeNull();
      expect(await splitCar(db, other.id, a.cars[0]!.id, { atMs: 12_000 })).toBeNull();
      expect(await mergeCars(db, dealer.id, a.cars[0]!.id, '00000000-0000-4000-8000-000000000000')).toBeNull();
      expect(await codeOf(mergeCars(db, dealer.id, a.cars[0]!.id, b.cars[0]!.id))).toBe('CARS_IN_DIFFERENT_VIDEOS');
      expect(await codeOf(mergeCars(db, dealer.id, a.cars[0]!.id, a.cars[0]!.id))).toBe('MERGE_SAME_CAR');
      for (const atMs of [0, 10_000, 16_001, 40_000]) expect(await codeOf(splitCar(db, dealer.id, a.cars[0]!.id, { atMs }))).toBe('SPLIT_OUTSIDE_CAR');
      expect(await codeOf(splitCar(db, dealer.id, a.cars[0]!.id, { photoId: a.cars[1]!.photoIds[0]! }))).toBe('SPLIT_OUTSIDE_CAR');
      // The first photo is at the car's first moment: nothing would be left before it.
      expect(await codeOf(splitCar(db, dealer.id, a.cars[0]!.id, { photoId: a.cars[0]!.photoIds[0]! }))).toBe('SPLIT_OUTSIDE_CAR');
      expect(await rows()).toEqual(then);
      expect((await listFeedback(db)).length).toBe(feedback);
    });

    it('a failure at the last write (the feedback event) rolls the whole merge and split back', async () => {
      const saved = await seed(2);
      const then = shape(await load(saved.videoId));
      await db.query(`create function lotreel_test_refuse() returns trigger language plpgsql as $$ begin raise exception 'refused by the test'; end $$`);
      await db.query('create trigger lotreel_test_refuse before insert on feedback_events for each row execute function lotreel_test_refuse()');
      try {
        await expect(mergeCars(db, dealer.id, saved.cars[0]!.id, saved.cars[1]!.id)).rejects.toThrow(/refused by the test/);
        await expect(splitCar(db, dealer.id, saved.cars[1]!.id, { atMs: 22_000 })).rejects.toThrow(/refused by the test/);
      } finally {
        await db.query('drop trigger lotreel_test_refuse on feedback_events');
        await db.query('drop function lotreel_test_refuse()');
      }
      expect(shape(await load(saved.videoId))).toEqual(then);
    });

    it('the feedback figures: merges and splits against the cars lotreel proposed in the reviewed videos', async () => {
      const stats = feedbackStats(await listFeedback(db), await listProposedCars(db), await listReviewedVideos(db));
      // Above: merge in a 3-car video; split in a 2-car video; split then merge in a 1-car video.
      expect(stats.split).toEqual({ videos: 3, proposedCars: 6, merges: 2, splits: 2, mergeRate: 2 / 6, splitRate: 2 / 6 });
      // A merged car's proposed photos are its own: those the merge brought in are not counted twice.
      const proposed = await listProposedCars(db);
      expect(proposed.map((c) => c.photos).sort()).toEqual([2, 2, 3]);
    });
  });
}
