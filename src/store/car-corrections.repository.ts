/**
 * The seller's corrections of the split into cars: two cars of a video merged into one, one car split
 * in two at a moment (or at a photo). Each is one transaction that first locks the video's row, so two
 * corrections of one video never interleave and a failure leaves the cars as they were; each is
 * recorded as a feedback event. Scoped to the dealer: another dealer's car is not found (null).
 */
import { LotreelError } from '../core/errors.js';
import { mergedPhotoOrder, mergedSegments, planSplit, renumberedWarnings, type Span, type TimedPhoto } from './car-corrections.js';
import type { Database, Queryable } from './database.js';
import { renumberPhotos } from './editor.repository.js';
import { recordFeedback } from './feedback.repository.js';
import { isUuid } from './service.repository.js';

interface CarRow {
  id: string;
  video_id: string;
  ordinal: number;
}

/** A changed car and the video whose cars the caller shows again. */
export interface CorrectedCars {
  videoId: string;
  carId: string;
  /** The car a split made (split only). */
  newCarId?: string;
}

/** The dealer's cars by id, their videos' rows locked (each video once); missing or foreign ids are left out. */
async function lockCars(tx: Queryable, dealerId: string, carIds: readonly string[]): Promise<CarRow[]> {
  if (!carIds.every(isUuid)) return [];
  const cars = await tx.query<CarRow>(
    'select c.id, c.video_id, c.ordinal from cars c join videos v on v.id = c.video_id where c.id = any($1::uuid[]) and v.dealer_id = $2',
    [carIds, dealerId],
  );
  const videoIds = [...new Set(cars.map((c) => c.video_id))].sort();
  for (const videoId of videoIds) await tx.query('select id from videos where id = $1 for update', [videoId]);
  return cars;
}

async function segmentsOf(tx: Queryable, carId: string): Promise<Span[]> {
  const rows = await tx.query<{ start_ms: number; end_ms: number }>('select start_ms, end_ms from segments where car_id = $1 order by start_ms', [carId]);
  return rows.map((r) => ({ startMs: r.start_ms, endMs: r.end_ms }));
}

async function photosOf(tx: Queryable, carId: string): Promise<TimedPhoto[]> {
  const rows = await tx.query<{ id: string; ordinal: number; timestamp_ms: number; is_cover: boolean }>(
    'select id, ordinal, timestamp_ms, is_cover from photos where car_id = $1 order by ordinal',
    [carId],
  );
  return rows.map((r) => ({ id: r.id, ordinal: r.ordinal, timestampMs: r.timestamp_ms, isCover: r.is_cover }));
}

async function setSegments(tx: Queryable, carId: string, segments: readonly Span[]): Promise<void> {
  await tx.query('delete from segments where car_id = $1', [carId]);
  for (const s of segments) await tx.query('insert into segments (car_id, start_ms, end_ms) values ($1, $2, $3)', [carId, s.startMs, s.endMs]);
}

/** Gives a car exactly these photos, in this order, with this cover (photos may come from another car). */
async function setPhotos(tx: Queryable, carId: string, orderedIds: readonly string[], coverId: string | null): Promise<void> {
  if (orderedIds.length === 0) return;
  // Out of the way of both cars' ordinals first (unique per car), then 1..n.
  await tx.query('update photos set car_id = $1, ordinal = ordinal + 200000 where id = any($2::uuid[]) and car_id <> $1', [carId, orderedIds]);
  await renumberPhotos(tx, carId, orderedIds);
  if (coverId) await tx.query('update photos set is_cover = true where id = $1', [coverId]);
}

/** Moves the video's cars after `ordinal` by `delta` places (through a free range: ordinals are unique per video). */
async function shiftCars(tx: Queryable, videoId: string, afterOrdinal: number, delta: 1 | -1): Promise<void> {
  await tx.query('update cars set ordinal = ordinal + 100000 where video_id = $1 and ordinal > $2', [videoId, afterOrdinal]);
  await tx.query('update cars set ordinal = ordinal - 100000 + $2 where video_id = $1 and ordinal > 100000', [videoId, delta]);
}

/** The other cars' warnings name cars by ordinal: renamed after ordinals moved. */
async function renameWarnings(tx: Queryable, videoId: string, newOrdinal: (old: number) => number): Promise<void> {
  const rows = await tx.query<{ id: string; split_warnings: string[] }>(`select id, split_warnings from cars where video_id = $1 and split_warnings <> '[]'::jsonb`, [videoId]);
  for (const row of rows) {
    const renamed = renumberedWarnings(row.split_warnings, newOrdinal);
    if (renamed.some((w, i) => w !== row.split_warnings[i])) await tx.query('update cars set split_warnings = $2::jsonb where id = $1', [row.id, JSON.stringify(renamed)]);
  }
}

/** What a car was, for the feedback event. */
async function snapshot(tx: Queryable, car: CarRow) {
  const [draft] = await tx.query<{ id: string; title: string; status: string }>('select id, title, status from drafts where car_id = $1', [car.id]);
  return { carId: car.id, ordinal: car.ordinal, segments: await segmentsOf(tx, car.id), photoIds: (await photosOf(tx, car.id)).map((p) => p.id), draft: draft ?? null };
}

/**
 * Merges two cars of one video: the earlier (lower ordinal) keeps its id, draft and cover and takes the
 * other's footage, photos (close-ups included, with their edits) and evidence; its draft needs review
 * again; the other car and its draft are gone and the cars after it move up one place. Null when either
 * car is not the dealer's.
 */
export async function mergeCars(db: Database, dealerId: string, carId: string, otherCarId: string): Promise<CorrectedCars | null> {
  if (carId === otherCarId) throw new LotreelError('MERGE_SAME_CAR', 'a car cannot be merged with itself: choose another car of the video');
  return db.transaction(async (tx) => {
    const cars = await lockCars(tx, dealerId, [carId, otherCarId]);
    if (cars.length !== 2) return null;
    if (cars[0]!.video_id !== cars[1]!.video_id) {
      throw new LotreelError('CARS_IN_DIFFERENT_VIDEOS', 'only cars of the same video can be merged', { details: { carId, otherCarId } });
    }
    // Read again under the video's lock: ordinals may have moved since.
    const locked = await tx.query<CarRow>('select id, video_id, ordinal from cars where id = any($1::uuid[]) order by ordinal', [[carId, otherCarId]]);
    const [survivor, other] = locked as [CarRow, CarRow];
    const before = [await snapshot(tx, survivor), await snapshot(tx, other)];
    const segments = mergedSegments(before[0]!.segments, before[1]!.segments);
    const order = mergedPhotoOrder(await photosOf(tx, survivor.id), await photosOf(tx, other.id));
    await tx.query('update photos set is_cover = false where car_id = any($1::uuid[])', [[survivor.id, other.id]]);
    await setPhotos(tx, survivor.id, order.orderedIds, order.coverId);
    await setSegments(tx, survivor.id, segments);
    // The seller has decided about this car: no split doubt is left; a clip of part of it still shows it.
    await tx.query(
      `update cars c set evidence = c.evidence || o.evidence, clip_file = coalesce(c.clip_file, o.clip_file), split_confidence = 1,
         split_warnings = '[]'::jsonb from cars o where c.id = $1 and o.id = $2`,
      [survivor.id, other.id],
    );
    await tx.query(`update drafts set status = 'needs_review', updated_at = now() where car_id = $1`, [survivor.id]);
    await tx.query('delete from cars where id = $1', [other.id]);
    await shiftCars(tx, survivor.video_id, other.ordinal, -1);
    await renameWarnings(tx, survivor.video_id, (n) => (n === other.ordinal ? survivor.ordinal : n > other.ordinal ? n - 1 : n));
    await recordFeedback(tx, {
      videoId: survivor.video_id,
      carId: survivor.id,
      kind: 'cars_merged',
      before,
      after: { carId: survivor.id, ordinal: survivor.ordinal, segments, photoIds: order.orderedIds, movedPhotoIds: before[1]!.photoIds },
    });
    return { videoId: survivor.video_id, carId: survivor.id };
  });
}

export type SplitPoint = { atMs: number } | { photoId: string };

/**
 * Splits a car at a moment (or at a photo's moment: that photo starts the new car): footage and photos
 * before it stay, the rest becomes a new car right after it, with a copy of the draft (both drafts need
 * review) and of the evidence; neither keeps the clip (it shows both). Null when the car is not the
 * dealer's; SPLIT_OUTSIDE_CAR when the moment leaves one part without footage or the photo is not the car's.
 */
export async function splitCar(db: Database, dealerId: string, carId: string, point: SplitPoint): Promise<CorrectedCars | null> {
  return db.transaction(async (tx) => {
    const [car] = await lockCars(tx, dealerId, [carId]);
    if (!car) return null;
    const [current] = await tx.query<CarRow>('select id, video_id, ordinal from cars where id = $1', [carId]);
    const photos = await photosOf(tx, carId);
    let atMs: number;
    if ('photoId' in point) {
      const photo = photos.find((p) => p.id === point.photoId);
      if (!photo) throw new LotreelError('SPLIT_OUTSIDE_CAR', 'that photo is not one of this car\'s photos', { details: { photoId: point.photoId } });
      atMs = photo.timestampMs;
    } else atMs = point.atMs;
    const segments = await segmentsOf(tx, carId);
    const plan = planSplit(segments, photos, atMs);
    await shiftCars(tx, current!.video_id, current!.ordinal, 1);
    await renameWarnings(tx, current!.video_id, (n) => (n > current!.ordinal ? n + 1 : n));
    const [created] = await tx.query<{ id: string }>(
      `insert into cars (video_id, ordinal, color, body_type, make, model, year, make_model_confidence, make_model_candidates, clip_file,
         evidence, split_confidence, split_warnings)
       select video_id, ordinal + 1, color, body_type, make, model, year, make_model_confidence, make_model_candidates, null,
         evidence, 1, '[]'::jsonb from cars where id = $1
       returning id`,
      [carId],
    );
    const newCarId = created!.id;
    await tx.query(`update cars set clip_file = null, split_confidence = 1, split_warnings = '[]'::jsonb where id = $1`, [carId]);
    await tx.query(
      `insert into drafts (car_id, title, description, status, attributes, seller_fields)
       select $2, title, description, 'needs_review', attributes, seller_fields from drafts where car_id = $1`,
      [carId, newCarId],
    );
    await tx.query(`update drafts set status = 'needs_review', updated_at = now() where car_id = $1`, [carId]);
    await setSegments(tx, carId, plan.before);
    await setSegments(tx, newCarId, plan.after);
    await tx.query('update photos set is_cover = false where car_id = $1', [carId]);
    await setPhotos(tx, newCarId, plan.movedIds, plan.movedCoverId);
    await setPhotos(tx, carId, plan.keptIds, plan.keptCoverId);
    await recordFeedback(tx, {
      videoId: current!.video_id,
      carId,
      kind: 'car_split',
      before: { ordinal: current!.ordinal, segments, photoIds: photos.map((p) => p.id) },
      after: { atMs, newCarId, newOrdinal: current!.ordinal + 1, segments: plan.before, newSegments: plan.after, photoIds: plan.keptIds, movedPhotoIds: plan.movedIds },
    });
    return { videoId: current!.video_id, carId, newCarId };
  });
}
