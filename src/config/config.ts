/** The only module that reads process.env: one zod schema, parsed once, every invalid value reported together. */
import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { LotreelError } from '../core/errors.js';

export const DEVICES = ['auto', 'cpu', 'cuda', 'webgpu'] as const;
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
  /**
   * CPU priority (nice, 0..19) of `lotreel worker`, its model threads and its ffmpeg. Lowest by default:
   * alone on its machine a worker loses nothing by it; beside an API it takes the CPU the API leaves, so
   * reads stay quick while videos are analysed.
   */
  LOTREEL_WORKER_NICE: z.coerce.number().int().min(0).max(19).default(19),
  /** Address the API is reached at from outside (absolute image URLs in exports). */
  LOTREEL_PUBLIC_URL: z.url().optional(),
  /** Where originals and photos live: `<dataDir>/media` (local) or an S3-compatible bucket (s3). */
  LOTREEL_STORAGE: z.enum(['local', 's3']).default('local'),
  /** Any S3-compatible server (MinIO, R2, ...); absent: AWS S3 in the region. */
  LOTREEL_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  LOTREEL_S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name').optional(),
  LOTREEL_S3_REGION: z.string().regex(/^[a-z0-9-]+$/, 'must be a region name like us-east-1').default('us-east-1'),
  LOTREEL_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  LOTREEL_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  /** `https://endpoint/bucket/key` (most self-hosted servers) instead of `https://bucket.endpoint/key`; default: on with an endpoint. */
  LOTREEL_S3_PATH_STYLE: z.enum(['0', '1', 'false', 'true', 'off', 'on']).optional(),
  /** A request to the store that sends or receives nothing for this long fails. */
  LOTREEL_S3_TIMEOUT_S: envInt(1, 60),
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
  // Listing text by an LLM: OpenAI, or any server that speaks its chat completions API.
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/ }).optional(),
  LOTREEL_LLM: z.enum(['auto', 'off']).default('auto'),
  LOTREEL_LLM_MODEL: z.string().min(1).default('gpt-4o-mini'),
  LOTREEL_LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  LOTREEL_LLM_HTTP_RETRIES: z.coerce.number().int().min(0).max(5).default(1),
  LOTREEL_LLM_RESPONSE_FORMAT: z.enum(['json_schema', 'json_object', 'none']).default('json_schema'),
  LOTREEL_LLM_VISION: z.enum(['0', '1', 'false', 'true', 'off', 'on']).default('off'),
  ...serviceEnvSchema.shape,
});

export type LlmResponseFormat = 'json_schema' | 'json_object' | 'none';

/** How to reach the LLM; absent when none is configured (the templates write every draft). */
export interface LlmConfig {
  /** A placeholder when only OPENAI_BASE_URL is set: local servers usually take any key. */
  apiKey: string;
  baseUrl: string | undefined;
  model: string;
  timeoutMs: number;
  /** Retries of a failed HTTP request (429, 5xx, connection) inside the client, before falling back. */
  httpRetries: number;
  /** json_schema (structured output); json_object or none for servers that only do plain JSON. */
  responseFormat: LlmResponseFormat;
  /** Also show the LLM the top photos to confirm or question make and model. */
  vision: boolean;
}

/** Limits on listing text (checked in code on every text) and on what the LLM is asked. */
export const listingTextSchema = z.object({
  titleMaxChars: z.number().int().min(10).default(80),
  descriptionMinChars: z.number().int().min(0).default(40),
  descriptionMaxChars: z.number().int().min(40).default(1000),
  maxHighlights: z.number().int().min(0).default(5),
  highlightMaxChars: z.number().int().min(5).default(60),
  /** After this many failed LLM requests in a row the rest of the run uses the templates straight away. */
  llmMaxConsecutiveFailures: z.number().int().min(1).default(2),
  /** Photos shown to the LLM when it is asked about make and model, and their long side in pixels. */
  llmPhotos: z.number().int().min(1).max(8).default(3),
  llmPhotoLongSide: z.number().int().min(128).max(2048).default(768),
  /**
   * The most confidence an LLM's make/model opinion may carry. Below resolveAttributes' threshold
   * (0.5) by default: alone it stays a candidate for the seller to confirm, never a fact.
   */
  llmEvidenceMaxConfidence: z.number().min(0).max(1).default(0.45),
});
export type ListingTextSettings = z.infer<typeof listingTextSchema>;

export function parseListingTextSettings(input: Partial<Record<keyof ListingTextSettings, unknown>> = {}): ListingTextSettings {
  const parsed = listingTextSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new LotreelError('INVALID_ARGUMENT', problems.join('; '), { details: { problems } });
  }
  return parsed.data;
}

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
  /** Frames the decoder hands over at a time, and per inference batch unless a model sets its own. */
  batchSize: z.number().int().min(1).max(64).default(8),
  /** Frames per YOLOX run (default: batchSize). Larger batches pay off on a GPU (see `npm run bench`). */
  yoloxBatchSize: z.number().int().min(1).max(64).optional(),
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
  /** Read text (VINs, badges, stickers, plates) with OCR when its models are installed. */
  readText: z.boolean().default(true),
  /** OCR (PP-OCRv4): long side the text detector sees at most. */
  ocrDetLimitSide: z.number().int().min(320).max(4096).default(960),
  /** Text detector: a map pixel above this is text; a region below `ocrBoxThreshold` mean is dropped. */
  ocrDetThreshold: z.number().min(0).max(1).default(0.3),
  ocrBoxThreshold: z.number().min(0).max(1).default(0.6),
  /** DB unclip ratio: how far a detected region is grown back. */
  ocrUnclipRatio: z.number().positive().default(1.5),
  /** Text regions with a shorter side (detector pixels) are noise. */
  ocrMinBoxSize: z.number().positive().default(3),
  ocrMaxBoxes: z.number().int().positive().default(100),
  /** Text is looked for only on the car: its box grown by this share of its size on each side. */
  ocrCarMargin: z.number().min(0).max(1).default(0.08),
  /** Widest text line the recogniser sees (pixels at 48 px height). */
  ocrRecMaxWidth: z.number().int().min(320).max(4096).default(1600),
  /** Lines read with a lower mean character probability are dropped. */
  ocrMinTextScore: z.number().min(0).max(1).default(0.5),
  /**
   * CPU threads per OCR inference. All cores by default: text is read after the video is decoded and
   * the photos are out, when nothing else needs the CPU.
   */
  ocrThreads: z.number().int().min(1).max(256).default(availableParallelism()),
  /** Extra frames per car, besides its photos, looked at for text (sharp close-ups first). */
  ocrExtraFrames: z.number().int().min(0).max(60).default(4),
  /** Blur licence plates in exported photos (the unblurred original is kept beside them). */
  blurPlates: z.boolean().default(true),
  /** Blur strength (Gaussian sigma) as a share of the plate's height. */
  plateBlurSigma: z.number().positive().default(0.35),
  /** CLIP (when its weights are in the models folder): the manifest family, images and texts per run. */
  clipFamily: z.string().min(1).default('clip-vit-base-patch32'),
  clipImageBatchSize: z.number().int().min(1).max(256).default(16),
  /**
   * CPU threads per CLIP inference. All cores by default: with keyframe sampling the decoder is light
   * and CLIP, the heaviest model, would otherwise leave a core idle.
   */
  clipThreads: z.number().int().min(1).max(256).default(availableParallelism()),
  clipTextBatchSize: z.number().int().min(1).max(1024).default(64),
  /** A CLIP view label below this confidence does not count as that view (photo coverage, detail shots). */
  viewMinConfidence: z.number().min(0).max(1).default(0.3),
  /** Interior and other detail shots attach to a car filmed at most this far before (or after) them. */
  detailAttachMs: z.number().int().positive().default(60000),
  /** Make/model: frames compared per car, softmax temperature, confidence needed to set make and model. */
  makeModelFrames: z.number().int().min(1).max(64).default(8),
  makeModelTemperature: z.number().positive().default(1),
  makeModelMinConfidence: z.number().min(0).max(1).default(0.5),
  /** How many of CLIP's Stanford Cars prompt templates each catalogue entry gets (first-run cost grows with it). */
  makeModelTemplates: z.number().int().min(1).max(8).default(2),
  /** The vPIC catalogue filter: the market's makes (empty: all), vehicle types, newest-model-year floor. */
  catalogueMakes: z.array(z.string().min(1)).default([
    'Acura', 'Alfa Romeo', 'Audi', 'BMW', 'Buick', 'Cadillac', 'Chevrolet', 'Chrysler', 'Dodge', 'Fiat', 'Ford', 'Genesis', 'GMC',
    'Honda', 'Hyundai', 'Infiniti', 'Jaguar', 'Jeep', 'Kia', 'Land Rover', 'Lexus', 'Lincoln', 'Mazda', 'Mercedes-Benz', 'MINI',
    'Mitsubishi', 'Nissan', 'Polestar', 'Porsche', 'Ram', 'Rivian', 'Subaru', 'Tesla', 'Toyota', 'Volkswagen', 'Volvo',
  ]),
  catalogueVehicleTypes: z.array(z.string().min(1)).default(['Passenger Car', 'Multipurpose Passenger Vehicle (MPV)', 'Truck']),
  catalogueMinYear: z.number().int().min(1950).max(2100).default(2005),
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
  /**
   * libvips threads per render (sharp.concurrency, set by `lotreel serve`): sharp's own default on glibc
   * is 1, which leaves the other cores idle while a seller waits for a 12-megapixel render.
   */
  renderThreads: z.number().int().min(1).max(64).default(availableParallelism()),
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
  workerNice: number;
  publicUrl: string | undefined;
}

/** The object store of originals and photos. */
export type StorageConfig =
  | { kind: 'local' }
  | { kind: 's3'; endpoint: string; bucket: string; region: string; accessKeyId: string; secretAccessKey: string; pathStyle: boolean; timeoutMs: number };

export interface Config {
  dataDir: string;
  /** Absent: the local folder `<dataDir>/media`. */
  storage?: StorageConfig;
  databaseUrl: string | undefined;
  modelsDir: string;
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  device: Device;
  /** Null or absent: no LLM, templates only. */
  llm?: LlmConfig | null;
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
  const storage = storageConfig(e);
  const dataDir = resolve(e.LOTREEL_DATA_DIR ?? join(e.XDG_DATA_HOME ?? join(e.HOME || homedir(), '.local', 'share'), 'lotreel'));
  return {
    dataDir,
    storage,
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
      workerNice: e.LOTREEL_WORKER_NICE,
      publicUrl: e.LOTREEL_PUBLIC_URL?.replace(/\/+$/, ''),
    },
    editor: DEFAULT_EDITOR_SETTINGS,
    llm: llmConfig(e),
  };
}

/** S3 settings are checked together: every missing one is named in one line. */
function storageConfig(e: z.infer<typeof envSchema>): StorageConfig {
  if (e.LOTREEL_STORAGE === 'local') return { kind: 'local' };
  const required = { LOTREEL_S3_BUCKET: e.LOTREEL_S3_BUCKET, LOTREEL_S3_ACCESS_KEY_ID: e.LOTREEL_S3_ACCESS_KEY_ID, LOTREEL_S3_SECRET_ACCESS_KEY: e.LOTREEL_S3_SECRET_ACCESS_KEY };
  const missing = Object.entries(required).filter(([, value]) => value === undefined).map(([name]) => name);
  if (missing.length > 0) {
    const problems = missing.map((name) => `${name}: required when LOTREEL_STORAGE=s3`);
    throw new LotreelError('INVALID_CONFIG', `invalid environment: ${problems.join('; ')}`, { details: { problems } });
  }
  const pathStyle = e.LOTREEL_S3_PATH_STYLE === undefined ? e.LOTREEL_S3_ENDPOINT !== undefined : ['1', 'true', 'on'].includes(e.LOTREEL_S3_PATH_STYLE);
  return {
    kind: 's3',
    endpoint: (e.LOTREEL_S3_ENDPOINT ?? `https://s3.${e.LOTREEL_S3_REGION}.amazonaws.com`).replace(/\/+$/, ''),
    bucket: e.LOTREEL_S3_BUCKET!,
    region: e.LOTREEL_S3_REGION,
    accessKeyId: e.LOTREEL_S3_ACCESS_KEY_ID!,
    secretAccessKey: e.LOTREEL_S3_SECRET_ACCESS_KEY!,
    pathStyle,
    timeoutMs: e.LOTREEL_S3_TIMEOUT_S * 1000,
  };
}

function llmConfig(e: z.infer<typeof envSchema>): LlmConfig | null {
  if (e.LOTREEL_LLM === 'off' || (!e.OPENAI_API_KEY && !e.OPENAI_BASE_URL)) return null;
  return {
    apiKey: e.OPENAI_API_KEY ?? 'none',
    baseUrl: e.OPENAI_BASE_URL,
    model: e.LOTREEL_LLM_MODEL,
    timeoutMs: e.LOTREEL_LLM_TIMEOUT_MS,
    httpRetries: e.LOTREEL_LLM_HTTP_RETRIES,
    responseFormat: e.LOTREEL_LLM_RESPONSE_FORMAT,
    vision: ['1', 'true', 'on'].includes(e.LOTREEL_LLM_VISION),
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
