/**
 * The service's reads and writes, always scoped to one dealer: every query names the dealer, so an id
 * of another dealer's object finds nothing, the same as a missing one.
 */
import type { Queryable } from './database.js';
import type { DraftStatus } from '../listing/draft-status.js';
import type { SellerFields } from '../listing/draft-fields.js';
import { textIsStale } from '../listing/seller-text.js';
import type { VideoFacts } from './results.repository.js';
import type { VideoStatus } from './video-status.js';

export interface VideoSummary {
  id: string;
  fileName: string;
  status: VideoStatus;
  progress: number;
  stage: string | null;
  error: string | null;
  sizeBytes: number;
  durationMs: number;
  width: number;
  height: number;
  createdAt: Date;
  updatedAt: Date;
  carCount: number;
  /** The first car's cover photo, or null (no car, or no photo). */
  coverPhotoId: string | null;
}

export interface NewVideo extends VideoFacts {
  id: string;
  dealerId: string;
  fingerprint: string;
  fileName: string;
  originalKey: string;
}

interface VideoSummaryRow {
  id: string;
  file_name: string;
  status: VideoStatus;
  progress: number;
  stage: string | null;
  error: string | null;
  size_bytes: number;
  duration_ms: number;
  width: number;
  height: number;
  created_at: Date;
  updated_at: Date;
  car_count: number;
  cover_photo_id: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

const SUMMARY_COLUMNS = `id, file_name, status, progress, stage, error, size_bytes, duration_ms, width, height, created_at, updated_at,
  (select count(*)::int from cars c where c.video_id = videos.id) as car_count,
  (select p.id from cars c join photos p on p.car_id = c.id where c.video_id = videos.id order by c.ordinal, p.is_cover desc, p.ordinal limit 1) as cover_photo_id`;

const summaryFromRow = (row: VideoSummaryRow): VideoSummary => ({
  id: row.id,
  fileName: row.file_name,
  status: row.status,
  progress: row.progress,
  stage: row.stage,
  error: row.error,
  sizeBytes: row.size_bytes,
  durationMs: row.duration_ms,
  width: row.width,
  height: row.height,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  carCount: Number(row.car_count),
  coverPhotoId: row.cover_photo_id,
});

/** Inserts a queued video; returns null (nothing inserted) when the dealer already has this file. */
export async function insertQueuedVideo(db: Queryable, v: NewVideo): Promise<string | null> {
  const rows = await db.query<{ id: string }>(
    `insert into videos (id, dealer_id, fingerprint, file_name, file_path, original_key, size_bytes, duration_ms, width,
       height, fps, rotation, codec, bit_depth, status, progress)
     values ($1, $2, $3, $4, $5, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'queued', 0)
     on conflict (dealer_id, fingerprint) do nothing
     returning id`,
    [v.id, v.dealerId, v.fingerprint, v.fileName, v.originalKey, v.sizeBytes, v.durationMs, v.width, v.height, v.fps, v.rotation, v.codec, v.bitDepth],
  );
  return rows[0]?.id ?? null;
}

export async function findVideoIdByFingerprint(db: Queryable, dealerId: string, fingerprint: string): Promise<{ id: string; status: VideoStatus } | null> {
  const [row] = await db.query<{ id: string; status: VideoStatus }>('select id, status from videos where dealer_id = $1 and fingerprint = $2', [dealerId, fingerprint]);
  return row ?? null;
}

export async function setVideoJob(db: Queryable, videoId: string, jobId: string | null): Promise<void> {
  await db.query('update videos set job_id = $2 where id = $1', [videoId, jobId]);
}

export async function listVideos(db: Queryable, dealerId: string): Promise<VideoSummary[]> {
  const rows = await db.query<VideoSummaryRow>(`select ${SUMMARY_COLUMNS} from videos where dealer_id = $1 order by created_at desc, id`, [dealerId]);
  return rows.map(summaryFromRow);
}

export async function getVideo(db: Queryable, dealerId: string, videoId: string): Promise<VideoSummary | null> {
  if (!isUuid(videoId)) return null;
  const [row] = await db.query<VideoSummaryRow>(`select ${SUMMARY_COLUMNS} from videos where id = $1 and dealer_id = $2`, [videoId, dealerId]);
  return row ? summaryFromRow(row) : null;
}

/** What a worker needs to process a video (any dealer: the job names the video). */
export async function getVideoForJob(db: Queryable, videoId: string): Promise<{ id: string; dealerId: string; originalKey: string; fileName: string; status: VideoStatus } | null> {
  if (!isUuid(videoId)) return null;
  const [row] = await db.query<{ id: string; dealer_id: string; original_key: string | null; file_name: string; status: VideoStatus }>(
    'select id, dealer_id, original_key, file_name, status from videos where id = $1 and dealer_id is not null',
    [videoId],
  );
  return row && row.original_key ? { id: row.id, dealerId: row.dealer_id, originalKey: row.original_key, fileName: row.file_name, status: row.status } : null;
}

/** Marks a video as being processed (again): progress from zero, no error. False when it is gone. */
export async function markVideoProcessing(db: Queryable, videoId: string): Promise<boolean> {
  const rows = await db.query('update videos set status = $2, progress = 0, stage = null, error = null, updated_at = now() where id = $1 returning id', [videoId, 'processing']);
  return rows.length > 0;
}

/** Stores progress; false when the video is gone (deleted meanwhile). Never moves a finished video back. */
export async function setVideoProgress(db: Queryable, videoId: string, progress: number, stage: string): Promise<boolean> {
  const rows = await db.query(
    `update videos set progress = $2, stage = $3, updated_at = now() where id = $1 and status = 'processing' returning id`,
    [videoId, progress, stage],
  );
  if (rows.length > 0) return true;
  return (await db.query('select id from videos where id = $1', [videoId])).length > 0;
}

/** The result and its files are in place: the video is done. False when it is gone. */
export async function markVideoDone(db: Queryable, videoId: string): Promise<boolean> {
  const rows = await db.query(`update videos set status = 'done', progress = 1, stage = null, error = null, updated_at = now() where id = $1 returning id`, [videoId]);
  return rows.length > 0;
}

/** The job's last attempt failed: the video shows why; `final` when no retry follows. */
export async function markVideoFailed(db: Queryable, videoId: string, error: string, final: boolean): Promise<void> {
  await db.query(`update videos set status = $2, error = $3, updated_at = now() where id = $1 and status <> 'done'`, [
    videoId,
    final ? 'failed' : 'queued',
    error.slice(0, 500),
  ]);
}

/** Job ids of videos left 'processing' (embedded database: after a crash no other process can be working on them). */
export async function processingJobIds(db: Queryable): Promise<string[]> {
  const rows = await db.query<{ job_id: string }>(`select job_id from videos where status = 'processing' and job_id is not null`);
  return rows.map((row) => row.job_id);
}

/** Deletes a dealer's video and everything found in it; returns its storage prefix parts, or null when not theirs. */
export async function deleteDealerVideo(db: Queryable, dealerId: string, videoId: string): Promise<{ id: string; jobId: string | null } | null> {
  if (!isUuid(videoId)) return null;
  const [row] = await db.query<{ id: string; job_id: string | null }>('delete from videos where id = $1 and dealer_id = $2 returning id, job_id', [videoId, dealerId]);
  return row ? { id: row.id, jobId: row.job_id } : null;
}

// ------------------------------------------------------------------------------------------ cars, drafts

/**
 * Photos as published (feed, exports, the draft): the seller's cover first (marketplaces take image[0]
 * as the main photo), then the rest in the seller's order.
 */
const LISTING_ORDER = 'order by p.is_cover desc, p.ordinal';

export interface ServicePhoto {
  id: string;
  ordinal: number;
  width: number;
  height: number;
  isCover: boolean;
  timestampMs: number;
}

export interface ServiceDraft {
  id: string;
  carId: string;
  videoId: string;
  title: string;
  description: string;
  status: DraftStatus;
  attributes: Record<string, unknown>;
  /** The seller wrote text by hand and changed a fact after it (listing/seller-text.ts). */
  textStale: boolean;
  updatedAt: Date;
}

export interface ServiceCar {
  id: string;
  videoId: string;
  ordinal: number;
  color: string | null;
  bodyType: string | null;
  make: string | null;
  model: string | null;
  year: number | null;
  /** How sure the split into cars is about this car (0..1), and what the seller may want to check. */
  confidence: number;
  warnings: string[];
  segments: { startMs: number; endMs: number }[];
  photos: ServicePhoto[];
  draft: ServiceDraft | null;
}

interface DraftRow {
  id: string;
  car_id: string;
  video_id: string;
  title: string;
  description: string;
  status: DraftStatus;
  attributes: Record<string, unknown>;
  seller_fields: SellerFields;
  updated_at: Date;
}

const draftFromRow = (row: DraftRow): ServiceDraft => ({
  id: row.id,
  carId: row.car_id,
  videoId: row.video_id,
  title: row.title,
  description: row.description,
  status: row.status,
  attributes: row.attributes,
  textStale: textIsStale(row.seller_fields),
  updatedAt: row.updated_at,
});

/** The cars of a dealer's video with their photos and drafts, by ordinal; null when the video is not theirs. */
export async function listCars(db: Queryable, dealerId: string, videoId: string): Promise<ServiceCar[] | null> {
  if (!isUuid(videoId)) return null;
  const [video] = await db.query('select id from videos where id = $1 and dealer_id = $2', [videoId, dealerId]);
  if (video === undefined) return null;
  const cars = await db.query<{ id: string; ordinal: number; color: string | null; body_type: string | null; make: string | null; model: string | null; year: number | null; split_confidence: number; split_warnings: string[] }>(
    'select id, ordinal, color, body_type, make, model, year, split_confidence, split_warnings from cars where video_id = $1 order by ordinal',
    [videoId],
  );
  const segments = await db.query<{ car_id: string; start_ms: number; end_ms: number }>(
    'select s.car_id, s.start_ms, s.end_ms from segments s join cars c on c.id = s.car_id where c.video_id = $1 order by s.start_ms',
    [videoId],
  );
  const photos = await db.query<{ id: string; car_id: string; ordinal: number; width: number; height: number; is_cover: boolean; timestamp_ms: number }>(
    `select p.id, p.car_id, p.ordinal, p.width, p.height, p.is_cover, p.timestamp_ms from photos p join cars c on c.id = p.car_id where c.video_id = $1 ${LISTING_ORDER}`,
    [videoId],
  );
  const drafts = await db.query<DraftRow>(
    `select d.id, d.car_id, c.video_id, d.title, d.description, d.status, d.attributes, d.seller_fields, d.updated_at
     from drafts d join cars c on c.id = d.car_id where c.video_id = $1`,
    [videoId],
  );
  return cars.map((car) => ({
    id: car.id,
    videoId,
    ordinal: car.ordinal,
    color: car.color,
    bodyType: car.body_type,
    make: car.make,
    model: car.model,
    year: car.year,
    confidence: Math.round(car.split_confidence * 100) / 100,
    warnings: car.split_warnings,
    segments: segments.filter((s) => s.car_id === car.id).map((s) => ({ startMs: s.start_ms, endMs: s.end_ms })),
    photos: photos
      .filter((p) => p.car_id === car.id)
      .map((p) => ({ id: p.id, ordinal: p.ordinal, width: p.width, height: p.height, isCover: p.is_cover, timestampMs: p.timestamp_ms })),
    draft: (() => {
      const row = drafts.find((d) => d.car_id === car.id);
      return row ? draftFromRow(row) : null;
    })(),
  }));
}

const DRAFT_SELECT = `select d.id, d.car_id, c.video_id, d.title, d.description, d.status, d.attributes, d.seller_fields, d.updated_at
  from drafts d join cars c on c.id = d.car_id join videos v on v.id = c.video_id`;

export async function getDraft(db: Queryable, dealerId: string, draftId: string): Promise<ServiceDraft | null> {
  if (!isUuid(draftId)) return null;
  const [row] = await db.query<DraftRow>(`${DRAFT_SELECT} where d.id = $1 and v.dealer_id = $2`, [draftId, dealerId]);
  return row ? draftFromRow(row) : null;
}

/** A dealer's draft with its car's photos in listing order, in one statement (the hot read); null when not theirs. */
export async function getDraftWithPhotos(db: Queryable, dealerId: string, draftId: string): Promise<{ draft: ServiceDraft; photos: ServicePhoto[] } | null> {
  if (!isUuid(draftId)) return null;
  const [row] = await db.query<DraftRow & { photos: { id: string; ordinal: number; width: number; height: number; is_cover: boolean; timestamp_ms: number }[] }>(
    `${DRAFT_SELECT.replace('select ', `select coalesce((select json_agg(json_build_object('id', p.id, 'ordinal', p.ordinal, 'width', p.width,
        'height', p.height, 'is_cover', p.is_cover, 'timestamp_ms', p.timestamp_ms) ${LISTING_ORDER})
        from photos p where p.car_id = d.car_id), '[]'::json) as photos, `)}
     where d.id = $1 and v.dealer_id = $2`,
    [draftId, dealerId],
  );
  if (row === undefined) return null;
  const photos = row.photos.map((p) => ({ id: p.id, ordinal: p.ordinal, width: p.width, height: p.height, isCover: p.is_cover, timestampMs: p.timestamp_ms }));
  return { draft: draftFromRow(row), photos };
}

/** The photos of the car a draft describes, in listing order. */
export async function listDraftPhotos(db: Queryable, draftId: string): Promise<ServicePhoto[]> {
  const rows = await db.query<{ id: string; ordinal: number; width: number; height: number; is_cover: boolean; timestamp_ms: number }>(
    `select p.id, p.ordinal, p.width, p.height, p.is_cover, p.timestamp_ms
     from photos p join drafts d on d.car_id = p.car_id where d.id = $1 ${LISTING_ORDER}`,
    [draftId],
  );
  return rows.map((p) => ({ id: p.id, ordinal: p.ordinal, width: p.width, height: p.height, isCover: p.is_cover, timestampMs: p.timestamp_ms }));
}

export interface DraftChanges {
  title?: string;
  description?: string;
  status?: DraftStatus;
  /** Merged into the stored attributes; a null value removes nothing, it stores null. */
  attributes?: Record<string, unknown>;
}

/** Applies changes to a dealer's draft; null when it is not theirs. */
export async function updateDraft(db: Queryable, dealerId: string, draftId: string, changes: DraftChanges): Promise<ServiceDraft | null> {
  if (!isUuid(draftId)) return null;
  const [row] = await db.query<{ id: string }>(
    `update drafts d set
       title = coalesce($3, d.title),
       description = coalesce($4, d.description),
       status = coalesce($5, d.status),
       attributes = d.attributes || coalesce($6::jsonb, '{}'::jsonb),
       updated_at = now()
     from cars c join videos v on v.id = c.video_id
     where d.id = $1 and c.id = d.car_id and v.dealer_id = $2
     returning d.id`,
    [draftId, dealerId, changes.title ?? null, changes.description ?? null, changes.status ?? null, changes.attributes ? JSON.stringify(changes.attributes) : null],
  );
  return row ? getDraft(db, dealerId, draftId) : null;
}

/** Where a dealer's photo is stored; null when it is not theirs. */
/** Where a dealer's photo is stored, its recorded size and its edit list (unchecked JSON), or null. */
export async function getPhotoLocation(
  db: Queryable,
  dealerId: string,
  photoId: string,
): Promise<{ videoId: string; file: string; width: number; height: number; edits: unknown; draftAttributes: Record<string, unknown> } | null> {
  if (!isUuid(photoId)) return null;
  const [row] = await db.query<{ video_id: string; file: string; width: number; height: number; edits: unknown; attributes: Record<string, unknown> | null }>(
    `select c.video_id, p.file, p.width, p.height, coalesce(e.edits, '[]'::jsonb) as edits, d.attributes
     from photos p join cars c on c.id = p.car_id join videos v on v.id = c.video_id left join photo_edits e on e.photo_id = p.id
       left join drafts d on d.car_id = c.id
     where p.id = $1 and v.dealer_id = $2`,
    [photoId, dealerId],
  );
  return row ? { videoId: row.video_id, file: row.file, width: row.width, height: row.height, edits: row.edits, draftAttributes: row.attributes ?? {} } : null;
}

/** Any dealer's photo as a published link names it: where it is stored, its edits, and its dealer's link key. */
export async function getLinkedPhoto(
  db: Queryable,
  photoId: string,
): Promise<{ dealerId: string; linkKey: string; videoId: string; file: string; width: number; height: number; edits: unknown; draftAttributes: Record<string, unknown> } | null> {
  if (!isUuid(photoId)) return null;
  const [row] = await db.query<{ dealer_id: string; image_link_key: string; video_id: string; file: string; width: number; height: number; edits: unknown; attributes: Record<string, unknown> | null }>(
    `select v.dealer_id, dl.image_link_key, c.video_id, p.file, p.width, p.height, coalesce(e.edits, '[]'::jsonb) as edits, d.attributes
     from photos p join cars c on c.id = p.car_id join videos v on v.id = c.video_id join dealers dl on dl.id = v.dealer_id
       left join photo_edits e on e.photo_id = p.id left join drafts d on d.car_id = c.id
     where p.id = $1`,
    [photoId],
  );
  if (!row) return null;
  return { dealerId: row.dealer_id, linkKey: row.image_link_key, videoId: row.video_id, file: row.file, width: row.width, height: row.height, edits: row.edits, draftAttributes: row.attributes ?? {} };
}
