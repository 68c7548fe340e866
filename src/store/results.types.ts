/**
 * The shapes of one video's analysis result as the store writes and reads it (the video, its cars,
 * their segments, photos and drafts), and the rows they map to.
 */
import type { VideoInfo } from '../media/types.js';
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
  /** How sure the split into cars is about this car's boundaries (0..1), and warnings for the seller. */
  splitConfidence?: number;
  splitWarnings?: string[];
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

export interface VideoRow {
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

export interface CarRow {
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
  split_confidence: number;
  split_warnings: string[];
  clip_file: string | null;
  created_at: Date;
}

export interface SegmentRow {
  id: string;
  car_id: string;
  start_ms: number;
  end_ms: number;
}

export interface PhotoRow {
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

export interface DraftRow {
  id: string;
  car_id: string;
  title: string;
  description: string;
  status: DraftStatus;
  attributes: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

export const VIDEO_COLUMNS = `id, fingerprint, file_name, file_path, size_bytes, duration_ms, width, height, fps, rotation,
  codec, bit_depth, status, device, timings, created_at, updated_at`;

/** jsonb parameters travel as JSON text with an explicit ::jsonb cast (see database.ts). */
export const json = (value: unknown): string => JSON.stringify(value);

export function videoFromRow(row: VideoRow): StoredVideo {
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
export function valuesList(rows: number, casts: readonly string[], offset = 0): string {
  const groups: string[] = [];
  for (let r = 0; r < rows; r++) {
    const base = offset + r * casts.length;
    groups.push(`(${casts.map((cast, c) => `$${base + c + 1}${cast}`).join(', ')})`);
  }
  return groups.join(', ');
}

