/** Feedback events: written beside the change they record (same transaction), read for the figures. */
import type { Queryable } from './database.js';
import type { FeedbackEvent, FeedbackKind, ProposedCar, ReviewedVideo } from '../feedback/stats.js';

export interface NewFeedbackEvent {
  videoId: string;
  carId: string;
  photoId?: string | null;
  kind: FeedbackKind;
  field?: string | null;
  before?: unknown;
  after?: unknown;
}

const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

export async function recordFeedback(tx: Queryable, event: NewFeedbackEvent): Promise<void> {
  await tx.query(
    `insert into feedback_events (video_id, car_id, photo_id, kind, field, before, after)
     values ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb)`,
    [event.videoId, event.carId, event.photoId ?? null, event.kind, event.field ?? null, json(event.before), json(event.after)],
  );
}

interface EventRow {
  video_id: string;
  car_id: string;
  photo_id: string | null;
  kind: FeedbackKind;
  field: string | null;
  before: unknown;
  after: unknown;
  created_at: Date;
}

/** Every event, oldest first. */
export async function listFeedback(db: Queryable): Promise<FeedbackEvent[]> {
  const rows = await db.query<EventRow>('select video_id, car_id, photo_id, kind, field, before, after, created_at from feedback_events order by id');
  return rows.map((row) => ({
    videoId: row.video_id,
    carId: row.car_id,
    photoId: row.photo_id,
    kind: row.kind,
    field: row.field,
    before: row.before,
    after: row.after,
    at: row.created_at,
  }));
}

/**
 * What lotreel proposed for the cars that still exist: the machine's make and model (the cars table
 * keeps them; seller values live in the draft) and the photo count it chose (photos now, plus the
 * deleted ones, less the ones the seller added, less those a merge brought in, plus those a split took out).
 */
export async function listProposedCars(db: Queryable): Promise<ProposedCar[]> {
  const rows = await db.query<{ id: string; make: string | null; model: string | null; photos: number }>(
    `select c.id, c.make, c.model,
       (select count(*) from photos p where p.car_id = c.id)
       + (select count(*) from feedback_events e where e.car_id = c.id and e.kind = 'photo_deleted')
       - (select count(*) from feedback_events e where e.car_id = c.id and e.kind = 'photo_added')
       - (select coalesce(sum(jsonb_array_length(e.after->'movedPhotoIds')), 0) from feedback_events e where e.car_id = c.id and e.kind = 'cars_merged')
       + (select coalesce(sum(jsonb_array_length(e.after->'movedPhotoIds')), 0) from feedback_events e where e.car_id = c.id and e.kind = 'car_split')
       as photos
     from cars c
     where exists (select 1 from feedback_events e where e.car_id = c.id)`,
  );
  return rows.map((row) => ({ carId: row.id, make: row.make, model: row.model, photos: Number(row.photos) }));
}

/** The videos that still exist and have feedback, with their cars now (the base of the merge and split rates). */
export async function listReviewedVideos(db: Queryable): Promise<ReviewedVideo[]> {
  const rows = await db.query<{ id: string; cars: number }>(
    `select v.id, (select count(*) from cars c where c.video_id = v.id) as cars
     from videos v where exists (select 1 from feedback_events e where e.video_id = v.id) order by v.id`,
  );
  return rows.map((row) => ({ videoId: row.id, cars: Number(row.cars) }));
}
