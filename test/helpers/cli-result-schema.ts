/**
 * The `--json` result of `lotreel process`, exactly (no undocumented fields): the e2e CLI test holds real
 * runs to it, and the docs test holds docs/cli.md's sample to it.
 */
import { z } from 'zod';
import { EVIDENCE_SOURCES } from '../../src/evidence/evidence.js';
import { DRAFT_STATUSES } from '../../src/listing/draft-status.js';

const ms = z.number().int().nonnegative();
const carFile = (name: string) => z.string().regex(new RegExp(`^car-\\d+/${name}$`));

const photoSchema = z.strictObject({
  file: carFile('\\d{2}\\.jpg'),
  timestampMs: ms,
  // Without CLIP weights (as here) there is no view label.
  view: z.null(),
  viewConfidence: z.null(),
  sharpness: z.number().nonnegative(),
  cover: z.boolean(),
  // A close-up (a VIN card, a label) kept as a detail photo: never the cover.
  closeUp: z.boolean(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  plates: z.array(z.strictObject({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() })),
  original: carFile('originals/\\d{2}\\.jpg').nullable(),
  // The car's box in the source frame (null for a close-up): what a reel frames.
  carBox: z.strictObject({ x1: z.number(), y1: z.number(), x2: z.number(), y2: z.number() }).nullable(),
});

const evidenceSource = z.enum(EVIDENCE_SOURCES);
const carSchema = z.strictObject({
  id: z.uuid(),
  segments: z.array(z.strictObject({ startMs: ms, endMs: ms })).min(1),
  photos: z.array(photoSchema),
  makeModel: z.strictObject({ make: z.string().nullable(), model: z.string().nullable(), year: z.number().int().nullable(), confidence: z.number().min(0).max(1), candidates: z.array(z.unknown()).length(0) }),
  color: z.string().min(1).nullable(),
  bodyType: z.string().min(1).nullable(),
  clip: carFile('clip\\.mp4').nullable(),
  draft: z.strictObject({ id: z.uuid(), title: z.string().min(1), description: z.string().min(1), status: z.enum(DRAFT_STATUSES).exclude(['published']) }),
  platesNotBlurred: z.string().min(1).nullable(),
  attributes: z.record(z.string(), z.strictObject({ value: z.union([z.string(), z.number()]), source: evidenceSource, confidence: z.number().min(0).max(1) })),
  evidence: z.array(z.strictObject({ attribute: z.string(), value: z.union([z.string(), z.number()]), source: evidenceSource, confidence: z.number().min(0).max(1), detail: z.string().optional() })),
  // How sure the split into cars is about this car, and what the seller may want to check.
  confidence: z.number().min(0).max(1),
  warnings: z.array(z.string()),
  // Only with --reel (docs/reels.md).
  reels: z.array(z.strictObject({ format: z.enum(['vertical', 'horizontal', 'square']), file: carFile('reel-\\w+\\.mp4'), durationMs: ms, width: z.number().int(), height: z.number().int() })).optional(),
});

const provider = z.enum(['cpu', 'cuda', 'webgpu']);
/** The README's `--json` result, exactly (no undocumented fields). */
export const resultSchema = z.strictObject({
  videoId: z.uuid(),
  video: z.strictObject({
    file: z.string().min(1),
    durationMs: z.number().int().positive(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    fps: z.number().positive(),
    rotation: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]),
    codec: z.string().min(1),
    bitDepth: z.number().int().positive(),
    sampling: z.enum(['keyframes', 'rate']),
    framesAnalysed: z.number().int().nonnegative(),
  }),
  device: z.strictObject({
    requested: z.enum(['auto', 'cpu', 'cuda', 'webgpu']),
    used: z.enum(['cpu', 'cuda', 'webgpu']),
    preference: z.array(z.enum(['cpu', 'cuda', 'webgpu'])).min(1),
    session: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
    attempts: z
      .array(
        z.strictObject({
          provider: z.enum(['cpu', 'cuda', 'webgpu']),
          ok: z.boolean(),
          options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
          skipped: z.boolean().optional(),
          error: z.string().optional(),
        }),
      )
      .min(1),
    models: z.strictObject({ yolox: provider, clip: provider.optional(), ocr: provider.optional() }),
  }),
  outDir: z.string().min(1),
  cars: z.array(carSchema),
  timingsMs: z.strictObject({ total: ms, probe: ms, open: ms, decode: ms, detect: ms, clip: ms, segment: ms, photos: ms, clips: ms, text: ms, store: ms }),
  // CPU of the process per stage, as the timings (stages side by side both count the CPU used meanwhile).
  cpuMs: z.strictObject({ total: ms, probe: ms, open: ms, decode: ms, detect: ms, clip: ms, segment: ms, photos: ms, clips: ms, text: ms, store: ms }),
  // When every draft and its photos were written (the clips are encoded after it).
  draftsReadyMs: ms,
  // What the decoders delivered: at least the analysis pass, its frames and their bytes.
  decoded: z.strictObject({ runs: z.number().int().min(1), frames: z.number().int().min(1), bytes: z.number().int().min(1) }),
  // Per model used: already open when the video started (one `process` opens each model once: false).
  warm: z.strictObject({ yolox: z.boolean(), clip: z.boolean().optional(), ocr: z.boolean().optional(), vin: z.boolean().optional() }),
});
export type Result = z.infer<typeof resultSchema>;
