/**
 * Writes the analysis result of one video (the video, its cars, their segments, photos and drafts) as
 * one unit: plain parameterised SQL, one transaction per video. Shapes in results.types.ts, reads in
 * results.read.ts.
 */
import { LotreelError } from '../core/errors.js';
import type { Database, Queryable } from './database.js';
import { isUuid } from './results.read.js';
import { json, valuesList, type CarInput, type SavedVideoResult, type VideoInput, type VideoResultInput } from './results.types.js';

export * from './results.types.js';
export { countRows, findVideoByFingerprint, loadVideoResult, runFoldersInUse } from './results.read.js';

/** Inserts one car with its segments, photos and draft (inside the caller's transaction). */
export async function insertCar(tx: Queryable, videoId: string, car: CarInput): Promise<SavedVideoResult['cars'][number]> {
  const [carRow] = await tx.query<{ id: string }>(
    `insert into cars (video_id, ordinal, color, body_type, make, model, year, make_model_confidence,
       make_model_candidates, clip_file, evidence, split_confidence, split_warnings)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11::jsonb, $12, $13::jsonb)
     returning id`,
    [videoId, car.ordinal, car.color, car.bodyType, car.make, car.model, car.year, car.makeModelConfidence,
      json(car.makeModelCandidates), car.clipFile, json(car.evidence ?? []), car.splitConfidence ?? 1, json(car.splitWarnings ?? [])],
  );
  const carId = carRow!.id;

  if (car.segments.length > 0) {
    await tx.query(
      `insert into segments (car_id, start_ms, end_ms) values ${valuesList(car.segments.length, ['', '', ''])}`,
      car.segments.flatMap((segment) => [carId, segment.startMs, segment.endMs]),
    );
  }

  let photoIds: string[] = [];
  if (car.photos.length > 0) {
    const rows = await tx.query<{ id: string; ordinal: number }>(
      `insert into photos (car_id, ordinal, file, timestamp_ms, width, height, view, sharpness, quality, is_cover,
         plate_regions, original_file)
       values ${valuesList(car.photos.length, ['', '', '', '', '', '', '', '', '::jsonb', '', '::jsonb', ''])}
       returning id, ordinal`,
      car.photos.flatMap((photo) => [carId, photo.ordinal, photo.file, photo.timestampMs, photo.width, photo.height,
        photo.view, photo.sharpness, json(photo.quality), photo.isCover, json(photo.plateRegions ?? []), photo.originalFile ?? null]),
    );
    // Ordinals are unique per car (a constraint), so they map returned ids back to input order.
    const idByOrdinal = new Map(rows.map((row) => [row.ordinal, row.id]));
    photoIds = car.photos.map((photo) => idByOrdinal.get(photo.ordinal)!);
  }

  const [draftRow] = await tx.query<{ id: string }>(
    `insert into drafts (car_id, title, description, status, attributes)
     values ($1, $2, $3, $4, $5::jsonb)
     returning id`,
    [carId, car.draft.title, car.draft.description, car.draft.status, json(car.draft.attributes)],
  );
  return { id: carId, ordinal: car.ordinal, photoIds, draftId: draftRow!.id };
}

/**
 * Fills in an existing video row (the service's); no row when it has been deleted. Its status stays as
 * it is: the service marks it done once the photo files are in place too.
 */
export function updateVideoRow(tx: Queryable, id: string, v: VideoInput): Promise<{ id: string }[]> {
  return tx.query<{ id: string }>(
    `update videos set size_bytes = $2, duration_ms = $3, width = $4, height = $5, fps = $6, rotation = $7, codec = $8,
       bit_depth = $9, device = $10, timings = $11::jsonb, updated_at = now()
     where id = $1
     returning id`,
    [id, v.sizeBytes, v.durationMs, v.width, v.height, v.fps, v.rotation, v.codec, v.bitDepth, v.device, json(v.timingsMs)],
  );
}

/**
 * Stores the analysis of one video in one transaction, status 'done'. A video already stored with the
 * same fingerprint keeps its id and has its earlier cars (with their segments, photos and drafts)
 * replaced. Any failure rolls everything back and throws DATABASE_FAILED.
 */
export async function saveVideoResult(db: Database, input: VideoResultInput): Promise<SavedVideoResult> {
  const v = input.video;
  try {
    return await db.transaction(async (tx) => {
      const [videoRow] = v.id !== undefined ? await updateVideoRow(tx, v.id, v) : await tx.query<{ id: string }>(
        `insert into videos (fingerprint, file_name, file_path, size_bytes, duration_ms, width, height, fps, rotation,
           codec, bit_depth, device, timings, status)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, 'done')
         on conflict (dealer_id, fingerprint) do update set
           file_name = excluded.file_name, file_path = excluded.file_path, size_bytes = excluded.size_bytes,
           duration_ms = excluded.duration_ms, width = excluded.width, height = excluded.height, fps = excluded.fps,
           rotation = excluded.rotation, codec = excluded.codec, bit_depth = excluded.bit_depth,
           device = excluded.device, timings = excluded.timings, status = 'done', updated_at = now()
         returning id`,
        [v.fingerprint, v.fileName, v.filePath, v.sizeBytes, v.durationMs, v.width, v.height, v.fps, v.rotation,
          v.codec, v.bitDepth, v.device, json(v.timingsMs)],
      );
      if (videoRow === undefined) throw new LotreelError('ABORTED', `video ${v.id} was deleted while it was processed`);
      const videoId = videoRow.id;
      // Segments, photos and drafts go with their cars (on delete cascade).
      await tx.query('delete from cars where video_id = $1', [videoId]);
      const cars: SavedVideoResult['cars'] = [];
      for (const car of input.cars) cars.push(await insertCar(tx, videoId, car));
      return { videoId, cars };
    });
  } catch (error) {
    if (error instanceof LotreelError && error.code === 'DATABASE_FAILED') {
      throw new LotreelError('DATABASE_FAILED', `saving the result of ${v.fileName} failed: ${error.message}`, {
        cause: error,
        details: { fingerprint: v.fingerprint, ...error.details },
      });
    }
    throw error;
  }
}

/** Deletes a video and (by cascade) everything found in it. Returns whether it existed. */
export async function deleteVideo(db: Queryable, videoId: string): Promise<boolean> {
  if (!isUuid(videoId)) return false;
  const rows = await db.query<{ id: string }>('delete from videos where id = $1 returning id', [videoId]);
  return rows.length > 0;
}

