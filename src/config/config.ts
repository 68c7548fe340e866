/** The only module that reads process.env: one zod schema, parsed once, every invalid value reported together. */
import { availableParallelism, homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { LotreelError } from '../errors.js';

export const DEVICES = ['auto', 'cpu', 'cuda'] as const;
export type Device = (typeof DEVICES)[number];

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

export interface Config {
  dataDir: string;
  databaseUrl: string | undefined;
  modelsDir: string;
  ffmpegPath: string | undefined;
  ffprobePath: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  device: Device;
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
