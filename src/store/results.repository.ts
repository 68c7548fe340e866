/**
 * The analysis result of one video (the video, its cars, their segments, photos and drafts), written
 * and read as one unit. Plain parameterised SQL; one transaction per video.
 */
import { LotreelError } from '../core/errors.js';
import type { VideoInfo } from '../media/types.js';
import type { Database, Queryable } from './database.js';
import type { DraftStatus } from '../listing/draft-status.js';
import type { VideoStatus } from './video-status.js';

/** What a video row records of the file itself, as probe() found it. */
export interface VideoFacts {
  sizeBytes: number;
  durationMs: number;
  width: number;
  height: number;
  fps: number;
  rotation: 0 | 90 | 180 | 270;
  codec: string;
  bitDepth: number | null;
}

export function videoFacts(info: VideoInfo): VideoFacts {
  const { sizeBytes, durationMs, width, height, fps, rotation, codec, bitDepth } = info;
  return { sizeBytes, durationMs, width, height, fps, rotation, codec, bitDepth };
}

export interface VideoInput extends VideoFacts {
  /**
   * The service's video row this result belongs to (created when it was uploaded, owned by a dealer).
   * Without it the video is found or created by fingerprint, as the CLI does.
   */
  id?: string;
  /** Content fingerprint: identifies "the same file" across runs. */
  fingerprint: string;
  fileName: string;
  filePath: string;
  /** Execution provider the analysis ran on (e.g. "cpu", "cuda"). */
  device: string | null;
  /** Per-stage durations in milliseconds. */
  timingsMs: Record<string, number>;
}

export interface SegmentInput {
  startMs: number;
  endMs: number;
}

export interface PhotoInput {
  /** 1-based, unique per car. */
  ordinal: number;
  /** Path relative to the output folder. */
  file: string;
  timestampMs: number;
  width: number;
  height: number;
  view: string | null;
  /** Stored as real (float4): about 7 significant digits survive. */
  sharpness: number;
  /** Other scores by name. */
  quality: Record<string, number>;
  /** At most one cover per car. */
  isCover: boolean;
  /** Licence plate regions blurred in `file` (photo pixels). */
  plateRegions?: Array<{ x1: number; y1: number; x2: number; y2: number }>;
  /** The unblurred photo, when plates were blurred. */
  originalFile?: string | null;
}

export interface DraftInput {
  title: string;
  description: string;
  status: DraftStatus;
  attributes: Record<string, unknown>;
}

export interface CarInput {
  /** 1-based position in the video: car-1, car-2 … */
  ordinal: number;
  /** Colour name, or null when it could not be told. */
  color: string | null;
  bodyType: string | null;
  make: string | null;
  model: string | null;
  year: number | null;
  /** Stored as real (float4). */
  makeModelConfidence: number | null;
  makeModelCandidates: unknown[];
  /** Every fact learnt about the car with its source and confidence (pipeline Evidence). */
  evidence?: unknown[];
  clipFile: string | null;
  segments: SegmentInput[];
  photos: PhotoInput[];
  draft: DraftInput;
}

export interface VideoResultInput {
  video: VideoInput;
  cars: CarInput[];
}

export interface SavedVideoResult {
  videoId: string;
  /** In input order; photoIds in the order of the car's photos in the input. */
  cars: Array<{ id: string; ordinal: number; photoIds: string[]; draftId: string }>;
}

export interface StoredVideo extends VideoInput {
  id: string;
  status: VideoStatus;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoredSegment extends SegmentInput {
  id: string;
}

export interface StoredPhoto extends PhotoInput {
  id: string;
}

export interface StoredDraft extends DraftInput {
  id: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface StoredCar extends Omit<CarInput, 'segments' | 'photos' | 'draft'> {
  id: string;
  createdAt: Date;
  /** By start time. */
  segments: StoredSegment[];
  /** By ordinal. */
  photos: StoredPhoto[];
  /** Null only if a draft was never written (saveVideoResult always writes one). */
  draft: StoredDraft | null;
}

export interface LoadedVideoResult {
  video: StoredVideo;
  /** By ordinal. */
  cars: StoredCar[];
}

export interface RowCounts {
  videos: number;
  cars: number;
  segments: number;
  photos: number;
  drafts: number;
}

// ------------------------------------------------------------------------------------------------ rows

interface VideoRow {
  id: string;
  fingerprint: string;
  file_name: string;
  file_path: string;
  size_bytes: number;
  duration_ms: number;
  width: number;
  height: number;
  fps: number;
  rotation: number;
  codec: string;
  bit_depth: number | null;
  status: VideoStatus;
  device: string | null;
  timings: Record<string, number>;
  created_at: Date;
  updated_at: Date;
}

interface CarRow {
  id: string;
  ordinal: number;
  color: string | null;
  body_type: string | null;
  make: string | null;
  model: string | null;
  year: number | null;
  make_model_confidence: number | null;
  make_model_candidates: unknown[];
  evidence: unknown[];
  clip_file: string | null;
  created_at: Date;
}

interface SegmentRow {
  id: string;
  car_id: string;
  start_ms: number;
  end_ms: number;
}

interface PhotoRow {
  id: string;
  car_id: string;
  ordinal: number;
  file: string;
  timestamp_ms: number;
  width: number;
  height: number;
  view: string | null;
  sharpness: number;
  quality: Record<string, number>;
  is_cover: boolean;
  plate_regions: PhotoInput['plateRegions'];
  original_file: string | null;
}

interface DraftRow {
  id: string;
  car_id: string;
  title: string;
  description: string;
  status: DraftStatus;
  attributes: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const VIDEO_COLUMNS = `id, fingerprint, file_name, file_path, size_bytes, duration_ms, width, height, fps, rotation,
  codec, bit_depth, status, device, timings, created_at, updated_at`;

/** jsonb parameters travel as JSON text with an explicit ::jsonb cast (see database.ts). */
const json = (value: unknown): string => JSON.stringify(value);

function videoFromRow(row: VideoRow): StoredVideo {
  return {
    id: row.id,
    fingerprint: row.fingerprint,
    fileName: row.file_name,
    filePath: row.file_path,
    sizeBytes: row.size_bytes,
    durationMs: row.duration_ms,
    width: row.width,
    height: row.height,
    fps: row.fps,
    rotation: row.rotation as StoredVideo['rotation'],
    codec: row.codec,
    bitDepth: row.bit_depth,
    device: row.device,
    timingsMs: row.timings,
    status: row.status,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** `($1, $2, $3), ($4, $5, $6)` for `rows` rows of `casts.length` parameters after `offset`, each with its cast. */
function valuesList(rows: number, casts: readonly string[], offset = 0): string {
  const groups: string[] = [];
  for (let r = 0; r < rows; r++) {
    const base = offset + r * casts.length;
    groups.push(`(${casts.map((cast, c) => `$${base + c + 1}${cast}`).join(', ')})`);
  }
  return groups.join(', ');
}

// ----------------------------------------------------------------------------------------------- write

async function insertCar(tx: Queryable, videoId: string, car: CarInput): Promise<SavedVideoResult['cars'][number]> {
  const [carRow] = await tx.query<{ id: string }>(
    `insert into cars (video_id, ordinal, color, body_type, make, model, year, make_model_confidence,
       make_model_candidates, clip_file, evidence)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11::jsonb)
     returning id`,
    [videoId, car.ordinal, car.color, car.bodyType, car.make, car.model, car.year, car.makeModelConfidence,
      json(car.makeModelCandidates), car.clipFile, json(car.evidence ?? [])],
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
function updateVideoRow(tx: Queryable, id: string, v: VideoInput): Promise<{ id: string }[]> {
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

// ------------------------------------------------------------------------------------------------ read

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isUuid = (value: string): boolean => UUID.test(value);

export async function findVideoByFingerprint(db: Queryable, fingerprint: string): Promise<StoredVideo | null> {
  const [row] = await db.query<VideoRow>(`select ${VIDEO_COLUMNS} from videos where fingerprint = $1`, [fingerprint]);
  return row === undefined ? null : videoFromRow(row);
}

async function loadWith(tx: Queryable, videoId: string): Promise<LoadedVideoResult | null> {
  const [videoRow] = await tx.query<VideoRow>(`select ${VIDEO_COLUMNS} from videos where id = $1`, [videoId]);
  if (videoRow === undefined) return null;
  const carRows = await tx.query<CarRow>(
    `select id, ordinal, color, body_type, make, model, year, make_model_confidence, make_model_candidates,
       clip_file, created_at, evidence
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
