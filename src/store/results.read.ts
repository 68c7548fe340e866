/** Reads of stored analysis results: one video's result in one snapshot, lookups and row counts. */
import type { Database, Queryable } from './database.js';
import { VIDEO_COLUMNS, videoFromRow, type CarRow, type DraftRow, type LoadedVideoResult, type PhotoRow, type RowCounts, type SegmentRow, type StoredCar, type StoredVideo, type VideoRow } from './results.types.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

export async function findVideoByFingerprint(db: Queryable, fingerprint: string): Promise<StoredVideo | null> {
  const [row] = await db.query<VideoRow>(`select ${VIDEO_COLUMNS} from videos where fingerprint = $1`, [fingerprint]);
  return row === undefined ? null : videoFromRow(row);
}

async function loadWith(tx: Queryable, videoId: string): Promise<LoadedVideoResult | null> {
  const [videoRow] = await tx.query<VideoRow>(`select ${VIDEO_COLUMNS} from videos where id = $1`, [videoId]);
  if (videoRow === undefined) return null;
  const carRows = await tx.query<CarRow>(
    `select id, ordinal, color, body_type, make, model, year, make_model_confidence, make_model_candidates,
       clip_file, created_at, evidence, split_confidence, split_warnings
     from cars where video_id = $1 order by ordinal`,
    [videoId],
  );
  const segmentRows = await tx.query<SegmentRow>(
    `select s.id, s.car_id, s.start_ms, s.end_ms
     from segments s join cars c on c.id = s.car_id
     where c.video_id = $1 order by c.ordinal, s.start_ms, s.end_ms`,
    [videoId],
  );
  const photoRows = await tx.query<PhotoRow>(
    `select p.id, p.car_id, p.ordinal, p.file, p.timestamp_ms, p.width, p.height, p.view, p.sharpness, p.quality,
       p.is_cover, p.plate_regions, p.original_file
     from photos p join cars c on c.id = p.car_id
     where c.video_id = $1 order by c.ordinal, p.ordinal`,
    [videoId],
  );
  const draftRows = await tx.query<DraftRow>(
    `select d.id, d.car_id, d.title, d.description, d.status, d.attributes, d.created_at, d.updated_at
     from drafts d join cars c on c.id = d.car_id
     where c.video_id = $1`,
    [videoId],
  );

  const cars = new Map<string, StoredCar>();
  for (const row of carRows) {
    cars.set(row.id, {
      id: row.id,
      ordinal: row.ordinal,
      color: row.color,
      bodyType: row.body_type,
      make: row.make,
      model: row.model,
      year: row.year,
      makeModelConfidence: row.make_model_confidence,
      makeModelCandidates: row.make_model_candidates,
      evidence: row.evidence,
      splitConfidence: row.split_confidence,
      splitWarnings: row.split_warnings,
      clipFile: row.clip_file,
      createdAt: row.created_at,
      segments: [],
      photos: [],
      draft: null,
    });
  }
  for (const row of segmentRows) cars.get(row.car_id)?.segments.push({ id: row.id, startMs: row.start_ms, endMs: row.end_ms });
  for (const row of photoRows) {
    cars.get(row.car_id)?.photos.push({
      id: row.id,
      ordinal: row.ordinal,
      file: row.file,
      timestampMs: row.timestamp_ms,
      width: row.width,
      height: row.height,
      view: row.view,
      sharpness: row.sharpness,
      quality: row.quality,
      isCover: row.is_cover,
      plateRegions: row.plate_regions,
      originalFile: row.original_file,
    });
  }
  for (const row of draftRows) {
    const car = cars.get(row.car_id);
    if (car === undefined) continue;
    car.draft = {
      id: row.id,
      title: row.title,
      description: row.description,
      status: row.status,
      attributes: row.attributes,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }
  return { video: videoFromRow(videoRow), cars: [...cars.values()] };
}

/** The stored result of a video, or null when there is no video with that id (or it is not a uuid). */
export async function loadVideoResult(db: Database, videoId: string): Promise<LoadedVideoResult | null> {
  if (!isUuid(videoId)) return null;
  // One snapshot for all five reads, so a concurrent save is seen entirely or not at all.
  return db.transaction(async (tx) => {
    await tx.query('set transaction isolation level repeatable read');
    return loadWith(tx, videoId);
  });
}

/** Row counts per table, for all videos or for one video. */
export async function countRows(db: Queryable, filter: { videoId?: string } = {}): Promise<RowCounts> {
  const videoId = filter.videoId ?? null;
  const [row] = await db.query<RowCounts>(
    `select
       (select count(*) from videos v where $1::uuid is null or v.id = $1::uuid) as videos,
       (select count(*) from cars c where $1::uuid is null or c.video_id = $1::uuid) as cars,
       (select count(*) from segments s join cars c on c.id = s.car_id where $1::uuid is null or c.video_id = $1::uuid) as segments,
       (select count(*) from photos p join cars c on c.id = p.car_id where $1::uuid is null or c.video_id = $1::uuid) as photos,
       (select count(*) from drafts d join cars c on c.id = d.car_id where $1::uuid is null or c.video_id = $1::uuid) as drafts`,
    [videoId],
  );
  return row!;
}

/**
 * The run folders (`run-…` path segments) that stored photos, originals and clips point into: of one
 * video, or of every video. A run folder in use must never be removed.
 */
export async function runFoldersInUse(db: Queryable, filter: { videoId?: string } = {}): Promise<Set<string>> {
  const videoId = filter.videoId ?? null;
  const rows = await db.query<{ run: string | null }>(
    `select distinct substring(f from '(?:^|/)(run-[A-Za-z0-9_-]+)/') as run
       from (select p.file as f from photos p join cars c on c.id = p.car_id where $1::uuid is null or c.video_id = $1::uuid
             union all select p.original_file from photos p join cars c on c.id = p.car_id where $1::uuid is null or c.video_id = $1::uuid
             union all select c.clip_file from cars c where $1::uuid is null or c.video_id = $1::uuid) as files
      where f is not null`,
    [videoId],
  );
  return new Set(rows.flatMap((r) => (r.run ? [r.run] : [])));
}
