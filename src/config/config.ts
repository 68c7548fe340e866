/** The only module that reads process.env: one zod schema, parsed once, every invalid value reported together. */
import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { LotreelError } from '../errors.js';

export const DEVICES = ['auto', 'cpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];

const envInt = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

/** The service's settings (`lotreel serve` / `lotreel worker`), from the environment. */
const serviceEnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  /** Largest video accepted by a resumable (tus) upload. */
  LOTREEL_MAX_UPLOAD_BYTES: envInt(1, 8 * 1024 ** 3),
  /** Largest video accepted by a plain multipart POST /api/videos. */
  LOTREEL_MAX_MULTIPART_BYTES: envInt(1, 1024 ** 3),
  /** Largest JSON body (PATCH a draft, ...). */
  LOTREEL_MAX_JSON_BYTES: envInt(1, 64 * 1024),
  /** Largest picture the service decodes or makes (width x height): bounds image work. */
  LOTREEL_MAX_IMAGE_PIXELS: envInt(1, 7680 * 4320),
  /** Retries of a failed or abandoned processing job, with exponential backoff from the delay. */
  LOTREEL_JOB_RETRY_LIMIT: envInt(0, 3),
  LOTREEL_JOB_RETRY_DELAY_S: envInt(1, 10),
  /**
   * A job's lease: a worker renews it every third of it while it works; a job whose lease runs out (its
   * worker died) is handed to another worker.
   */
  LOTREEL_JOB_LEASE_S: envInt(3, 120),
  /** How often a worker looks for expired leases and new jobs. */
  LOTREEL_JOB_MAINTENANCE_S: envInt(1, 30),
  LOTREEL_JOB_POLL_S: z.coerce.number().min(0.5).default(2),
  /** Videos one worker process analyses at once. */
  LOTREEL_WORKER_CONCURRENCY: envInt(1, 1),
  /** Address the API is reached at from outside (absolute image URLs in exports). */
  LOTREEL_PUBLIC_URL: z.url().optional(),
});

const envSchema = z.object({
  LOTREEL_DATA_DIR: z.string().min(1).optional(),
  XDG_DATA_HOME: z.string().min(1).optional(),
  HOME: z.string().optional(),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  LOTREEL_MODELS_DIR: z.string().min(1).optional(),
  LOTREEL_FFMPEG: z.string().min(1).optional(),
  LOTREEL_FFPROBE: z.string().min(1).optional(),
  LOTREEL_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('warn'),
  LOTREEL_DEVICE: z.enum(DEVICES).default('auto'),
  ...serviceEnvSchema.shape,
});

/** Analysis settings: thresholds and limits live here, not as literals inside algorithms. */
export const analysisSchema = z.object({
  /** Long side of the frames the analysis sees, in pixels. */
  analysisLongSide: z.number().int().min(160).max(1920).default(640),
  /** Use keyframes only when they are at most this far apart; else sample at `sampleFps`. */
  maxKeyframeIntervalMs: z.number().int().positive().default(2000),
  sampleFps: z.number().positive().max(30).default(2),
  /**
   * CPU threads per inference. Half the cores by default: the decoder works on the other half at the
   * same time, so inference with every core would only take them away from it.
   */
  inferenceThreads: z.number().int().min(1).max(256).default(Math.max(1, Math.floor(availableParallelism() / 2))),
  /** Frames per inference batch. */
  batchSize: z.number().int().min(1).max(64).default(8),
  /** Detector thresholds. */
  detectScore: z.number().min(0).max(1).default(0.1),
  nmsIou: z.number().min(0).max(1).default(0.45),
  /** A car is "dominant" when its box covers at least this share of the frame's area. */
  dominantMinArea: z.number().min(0).max(1).default(0.06),
  /** Segmentation: appearance distance above which two stretches are different cars. */
  splitDistance: z.number().positive().default(0.33),
  /** Segments this similar are the same car filmed again (a revisit). */
  mergeDistance: z.number().positive().default(0.16),
  /** A gap without a dominant car longer than this ends a segment. */
  maxGapMs: z.number().int().positive().default(1500),
  /** Segments shorter than this are dropped as passing glimpses. */
  minSegmentMs: z.number().int().positive().default(1500),
  /** Photos per car. */
  maxPhotos: z.number().int().min(1).max(60).default(12),
  /** Photos are not taken this close to the start or end of a car's segment. */
  photoEdgeMarginMs: z.number().int().min(0).default(600),
  /** Frames per second decoded around each segment edge to place it more exactly. */
  refineFps: z.number().positive().max(30).default(6),
  /** An edge whose neighbouring samples already pin it within this is not refined. */
  edgeToleranceMs: z.number().int().positive().default(500),
  /** Longest stretch decoded at one segment edge. */
  edgeWindowMs: z.number().int().positive().default(2500),
  /** A chosen photo less sharp than this share of the car's sharp frames gets its neighbours looked at. */
  sharpenBelow: z.number().min(0).max(1).default(0.35),
  /** How far from such a photo to look for a sharper frame (after it only, when it is a keyframe). */
  sharpenWindowMs: z.number().int().positive().default(500),
  jpegQuality: z.number().int().min(50).max(100).default(90),
});
export type AnalysisSettings = z.infer<typeof analysisSchema>;

/** The seller's editor: how edited photos are rendered (src/edits). */
export const editorSchema = z.object({
  jpegQuality: z.number().int().min(50).max(100).default(90),
  /** The editor's previews keep at least this long side (shrunk by 2, 4 or 8 while decoding); full size on request. */
  previewLongSide: z.number().int().min(256).max(8192).default(1024),
  /** Blur strength: the Gaussian sigma as a share of the blurred region's shorter side. */
  blurSigmaShare: z.number().positive().max(1).default(0.25),
  /** Auto-enhance stretches the levels between these luminance percentiles (of 100)... */
  enhanceLowPercentile: z.number().min(0).max(20).default(0.5),
  enhanceHighPercentile: z.number().min(80).max(100).default(99.5),
  /** ...but never by more than this contrast gain, so a flat grey photo is not turned into noise. */
  enhanceMaxGain: z.number().min(1).max(8).default(2.5),
  /** Decoded originals kept in memory for the next edit of the same photo (0: none). */
  decodedCacheBytes: z.number().int().min(0).default(192 * 1024 * 1024),
});
export type EditorSettings = z.infer<typeof editorSchema>;
export const DEFAULT_EDITOR_SETTINGS: EditorSettings = editorSchema.parse({});
export interface ServiceSettings {
  port: number;
  maxUploadBytes: number;
  maxMultipartBytes: number;
  maxJsonBytes: number;
  maxImagePixels: number;
  jobRetryLimit: number;
  jobRetryDelaySeconds: number;
  jobLeaseSeconds: number;
  jobMaintenanceSeconds: number;
  jobPollSeconds: number;
  workerConcurrency: number;
  publicUrl: string | undefined;
}

export interface Config {
  dataDir: string;
  databaseUrl: string | undefined;
  modelsDir: string;
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  device: Device;
  service: ServiceSettings;
  editor: EditorSettings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new LotreelError('INVALID_CONFIG', `invalid environment: ${problems.join('; ')}`, { details: { problems } });
  }
  const e = parsed.data;
  const dataDir = resolve(e.LOTREEL_DATA_DIR ?? join(e.XDG_DATA_HOME ?? join(e.HOME || homedir(), '.local', 'share'), 'lotreel'));
  return {
    dataDir,
    databaseUrl: e.DATABASE_URL,
    modelsDir: resolve(e.LOTREEL_MODELS_DIR ?? join(dataDir, 'models')),
    ffmpegPath: e.LOTREEL_FFMPEG,
    ffprobePath: e.LOTREEL_FFPROBE,
    logLevel: e.LOTREEL_LOG_LEVEL,
    device: e.LOTREEL_DEVICE,
    service: {
      port: e.PORT,
      maxUploadBytes: e.LOTREEL_MAX_UPLOAD_BYTES,
      maxMultipartBytes: e.LOTREEL_MAX_MULTIPART_BYTES,
      maxJsonBytes: e.LOTREEL_MAX_JSON_BYTES,
      maxImagePixels: e.LOTREEL_MAX_IMAGE_PIXELS,
      jobRetryLimit: e.LOTREEL_JOB_RETRY_LIMIT,
      jobRetryDelaySeconds: e.LOTREEL_JOB_RETRY_DELAY_S,
      jobLeaseSeconds: e.LOTREEL_JOB_LEASE_S,
      jobMaintenanceSeconds: e.LOTREEL_JOB_MAINTENANCE_S,
      jobPollSeconds: e.LOTREEL_JOB_POLL_S,
      workerConcurrency: e.LOTREEL_WORKER_CONCURRENCY,
      publicUrl: e.LOTREEL_PUBLIC_URL?.replace(/\/+$/, ''),
    },
    editor: DEFAULT_EDITOR_SETTINGS,
  };
}

/** Parses analysis overrides, reporting every invalid value together. */
export function parseAnalysisSettings(input: Partial<Record<keyof AnalysisSettings, unknown>> = {}): AnalysisSettings {
  const parsed = analysisSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new LotreelError('INVALID_ARGUMENT', problems.join('; '), { details: { problems } });
  }
  return parsed.data;
}
