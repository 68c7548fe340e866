/**
 * A service video's cars stored one by one as the analysis finishes them (see pipeline/streaming-cars.ts),
 * then corrected by the final pass in one transaction. Every car is written whole (its segments, photos
 * and draft with it), so at any moment each stored car is complete and its files published; its clip
 * follows when encoded.
 */
import { LotreelError } from '../core/errors.js';
import type { Queryable } from './database.js';
import type { Database } from './database.js';
import { insertCar, updateVideoRow } from './results.repository.js';
import { json, type CarInput, type VideoInput } from './results.types.js';

/** A car stored early that the final pass kept: its final number, and its split as the whole video shows it. */
export interface KeptCar {
  id: string;
  ordinal: number;
  splitConfidence: number;
  splitWarnings: string[];
}

/** Ordinals of kept cars are moved out of the way here while the final numbering is written. */
const RENUMBER_OFFSET = 1_000_000;

/**
 * Stores one car as soon as its draft is written (before the video is done) under its ordinal, in place of a car with that ordinal an earlier
 * attempt at this video stored (the analysis is deterministic: it is the same car), so a restarted
 * job neither loses a car already shown nor shows it twice; and in place of the cars stored earlier
 * whose sightings it took (`replacing`: a car of the final pass that merged a revisit), so no moment
 * of the video shows in two cars. Returns its id, or null when the video has been deleted.
 */
export async function saveCarDraft(db: Database, videoId: string, car: CarInput, replacing: readonly string[] = []): Promise<{ id: string; draftId: string } | null> {
  return db.transaction(async (tx) => {
    const [video] = await tx.query<{ id: string }>('select id from videos where id = $1 for update', [videoId]);
    if (video === undefined) return null;
    await tx.query('delete from cars where video_id = $1 and (ordinal = $2 or id = any($3::uuid[]))', [videoId, car.ordinal, [...replacing]]);
    const saved = await insertCar(tx, videoId, car);
    return { id: saved.id, draftId: saved.draftId };
  });
}

/**
 * A car stored before the video is done gets its clip (a published file) once encoded; or, when the clip's plates could
 * not be looked for, no clip and its draft held for review with the reason, whatever the seller did
 * with it meanwhile (a clip never goes out unblurred by chance). False when the car is gone.
 */
export async function setCarClip(db: Queryable, carId: string, clip: { file: string } | { heldBecause: string }): Promise<boolean> {
  if ('file' in clip) {
    const rows = await db.query<{ id: string }>('update cars set clip_file = $2 where id = $1 returning id', [carId, clip.file]);
    return rows.length > 0;
  }
  const rows = await db.query<{ id: string }>(
    `update drafts set status = 'needs_review', attributes = attributes || jsonb_build_object('platesNotBlurred', $2::text), updated_at = now()
      where car_id = $1 returning id`,
    [carId, clip.heldBecause],
  );
  return rows.length > 0;
}

/**
 * The final pass's correction, in one transaction: the video's facts, the cars stored early that it
 * kept renumbered with the split's final confidence (their rows, and any edit made to their drafts
 * meanwhile, untouched otherwise),
 * every other car of the video removed (early cars it replaced, an earlier attempt's), its other cars
 * inserted. Returns the ids of the cars in final order.
 */
export async function saveFinalCars(
  db: Database,
  video: VideoInput & { id: string },
  cars: readonly ({ keep: KeptCar } | { insert: CarInput })[],
): Promise<string[]> {
  return db.transaction(async (tx) => {
    const [row] = await updateVideoRow(tx, video.id, video);
    if (row === undefined) throw new LotreelError('ABORTED', `video ${video.id} was deleted while it was processed`);
    const kept = cars.flatMap((car) => ('keep' in car ? [car.keep] : []));
    await tx.query('delete from cars where video_id = $1 and not (id = any($2::uuid[]))', [video.id, kept.map((k) => k.id)]);
    await tx.query('update cars set ordinal = ordinal + $2 where video_id = $1', [video.id, RENUMBER_OFFSET]);
    const ids: string[] = [];
    for (const car of cars) {
      if ('insert' in car) ids.push((await insertCar(tx, video.id, car.insert)).id);
      else ids.push(car.keep.id);
    }
    for (const k of kept) {
      await tx.query('update cars set ordinal = $2, split_confidence = $3, split_warnings = $4::jsonb where id = $1', [k.id, k.ordinal, k.splitConfidence, json(k.splitWarnings)]);
    }
    return ids;
  });
}

/** A video's cars in order, with whether each has its clip: what an events stream compares to tell that cars or clips came or went. */
export async function carStatesOfVideo(db: Queryable, videoId: string): Promise<{ id: string; draftId: string | null; hasClip: boolean }[]> {
  const rows = await db.query<{ id: string; draft_id: string | null; has_clip: boolean }>(
    'select c.id, d.id as draft_id, c.clip_file is not null as has_clip from cars c left join drafts d on d.car_id = c.id where c.video_id = $1 order by c.ordinal',
    [videoId],
  );
  return rows.map((r) => ({ id: r.id, draftId: r.draft_id, hasClip: r.has_clip }));
}
