/**
 * The model manifest (`models/manifest.json`): what each model file is, how to check it, where to get
 * it, and how its tensors are laid out. One zod schema; parsing is pure, loading reads one file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LotreelError } from '../core/errors.js';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');

/**
 * An accepted file. `sha256` is the full hash. `sha256Prefix` is for a published file whose full hash
 * is not known here (only its leading hex digits and its size): a file is accepted when both the
 * prefix and the exact size match. That is weaker than a full hash (it catches corruption and
 * truncation, not a deliberate forgery) and should be replaced by the full hash once known.
 */
const checksumSchema = z.union([
  z.strictObject({ sha256: sha256Hex, size: z.number().int().positive().optional(), source: z.string().optional() }),
  z.strictObject({
    sha256Prefix: z.string().regex(/^[0-9a-f]{8,63}$/, 'must be 8 to 63 lower-case hex digits'),
    size: z.number().int().positive(),
    source: z.string().optional(),
  }),
  /**
   * No published hash is known (small text files outside Git LFS, e.g. a tokenizer's vocabulary): any
   * file is accepted and the reason is shown; the file is still hashed and listed.
   */
  z.strictObject({ unverified: z.string().min(1) }),
]);
export type ModelChecksum = z.infer<typeof checksumSchema>;

const inputSchema = z.strictObject({
  name: z.string().min(1),
  dtype: z.literal('float32'),
  layout: z.literal('NCHW'),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  channelOrder: z.enum(['BGR', 'RGB']),
  /** Pixel values as fed: 0..255 without mean/std. */
  range: z.tuple([z.literal(0), z.literal(255)]),
  resize: z.literal('letterbox-top-left'),
  padValue: z.number().min(0).max(255),
  /** Batch dimension as exported (1 = fixed; `rewrite.batch` makes it symbolic at load). */
  batch: z.union([z.number().int().positive(), z.literal('dynamic')]),
});

const outputSchema = z.strictObject({
  name: z.string().min(1),
  format: z.literal('yolox'),
  strides: z.array(z.number().int().positive()).min(1),
  /** Whether objectness and class scores are already probabilities in the exported graph. */
  sigmoidApplied: z.boolean(),
});

const embeddingSchema = z.strictObject({
  /** Index of the head level whose input feature map is pooled (0 = stride 8, 1 = 16, 2 = 32). */
  level: z.number().int().min(0),
  stride: z.number().int().positive(),
  channels: z.number().int().positive(),
  /** Mean pooled vector of reference vehicles, subtracted before L2 normalisation. */
  mean: z.array(z.number()).optional(),
  meanSource: z.string().optional(),
}).superRefine((e, ctx) => {
  if (e.mean && e.mean.length !== e.channels) {
    ctx.addIssue({ code: 'custom', path: ['mean'], message: `has ${e.mean.length} values, expected ${e.channels}` });
  }
});

/** What every downloadable file of the manifest says about itself. */
const fileFields = {
  description: z.string().optional(),
  file: z.string().regex(/^[^/\\]+$/, 'must be a plain file name'),
  checksums: z.array(checksumSchema).min(1),
  urls: z.array(z.url()).min(1),
  licence: z.string().min(1),
  licenceUrl: z.url().optional(),
};

/**
 * How the loader rewrites the graph before it runs it (in memory; the file stays as downloaded and
 * checksummed), declared here so that what runs is what the manifest says. Without it the file runs
 * as it is.
 */
const rewriteSchema = z.strictObject({
  /** The fixed batch dimension (input.batch 1) becomes a symbolic one, so frames run in batches. */
  batch: z.literal('dynamic').optional(),
  /** The embedding level's feature map is exposed as an extra output (Detection.embedding). */
  exposeEmbedding: z.boolean().optional(),
  /** Why, for people reading the manifest. */
  note: z.string().optional(),
});

const modelSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    task: z.literal('detection'),
    ...fileFields,
    input: inputSchema,
    output: outputSchema,
    labels: z.array(z.string().min(1)).min(1),
    embedding: embeddingSchema.optional(),
    rewrite: rewriteSchema.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.rewrite?.exposeEmbedding && !m.embedding) {
      ctx.addIssue({ code: 'custom', path: ['rewrite', 'exposeEmbedding'], message: 'needs an embedding entry' });
    }
    if (m.embedding && m.embedding.level >= m.output.strides.length) {
      ctx.addIssue({ code: 'custom', path: ['embedding', 'level'], message: 'is not one of the output levels' });
    }
  });

/** One file of a CLIP-family model: the two towers and the tokenizer's vocabulary and merges. */
export const CLIP_FILE_TASKS = ['clip-vision', 'clip-text', 'clip-vocab', 'clip-merges'] as const;
export type ClipFileTask = (typeof CLIP_FILE_TASKS)[number];

const clipFileSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  task: z.enum(CLIP_FILE_TASKS),
  /** The files of one model share a family (e.g. clip-vit-base-patch32). */
  family: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  ...fileFields,
  /** Tensor names and sizes of a tower (clip-vision, clip-text). */
  input: z
    .strictObject({
      name: z.string().min(1),
      size: z.number().int().positive().optional(),
      mean: z.tuple([z.number(), z.number(), z.number()]).optional(),
      std: z.tuple([z.number(), z.number(), z.number()]).optional(),
      contextLength: z.number().int().positive().optional(),
    })
    .optional(),
  output: z.strictObject({ name: z.string().min(1), dim: z.number().int().positive() }).optional(),
});

export const modelManifestSchema = z.strictObject({
  schemaVersion: z.literal(1),
  models: z.array(z.discriminatedUnion('task', [modelSchema, clipFileSchema])).min(1),
});

export type ModelManifest = z.infer<typeof modelManifestSchema>;
/** A detection model (the entries with task `detection`). */
export type ModelSpec = z.infer<typeof modelSchema>;
export type ClipFileSpec = z.infer<typeof clipFileSchema>;
export type AnyModelSpec = ModelManifest['models'][number];
/** What the file functions need of any entry. */
export type ModelFileSpec = Pick<AnyModelSpec, 'id' | 'file' | 'checksums' | 'urls' | 'licence'>;

/** Validates a parsed manifest, reporting every problem together. */
export function parseModelManifest(json: unknown, source = 'model manifest'): ModelManifest {
  const parsed = modelManifestSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new LotreelError('INTERNAL', `invalid ${source}: ${problems.join('; ')}`, { details: { problems } });
  }
  const ids = new Set<string>();
  for (const m of parsed.data.models) {
    if (ids.has(m.id)) throw new LotreelError('INTERNAL', `invalid ${source}: model id ${m.id} appears twice`);
    ids.add(m.id);
  }
  return parsed.data;
}

/** The model with this id, or an INTERNAL error (the manifest ships with the code). */
export function getModelSpec(manifest: ModelManifest, id: string): ModelSpec {
  const spec = manifest.models.find((m) => m.id === id);
  if (!spec) throw new LotreelError('INTERNAL', `model ${id} is not in the model manifest`);
  if (spec.task !== 'detection') throw new LotreelError('INTERNAL', `model ${id} is not a detection model`);
  return spec;
}

/** The files of a CLIP family by task, or an INTERNAL error when one is missing from the manifest. */
export function getClipFamily(manifest: ModelManifest, family: string): Record<ClipFileTask, ClipFileSpec> {
  const files = manifest.models.filter((m): m is ClipFileSpec => m.task !== 'detection' && m.family === family);
  const byTask = Object.fromEntries(files.map((f) => [f.task, f])) as Partial<Record<ClipFileTask, ClipFileSpec>>;
  const missing = CLIP_FILE_TASKS.filter((t) => !byTask[t]);
  if (missing.length > 0) throw new LotreelError('INTERNAL', `CLIP family ${family} lacks ${missing.join(', ')} in the model manifest`);
  return byTask as Record<ClipFileTask, ClipFileSpec>;
}

/** Every CLIP family named in the manifest. */
export function clipFamilies(manifest: ModelManifest): string[] {
  return [...new Set(manifest.models.flatMap((m) => (m.task === 'detection' ? [] : [m.family])))];
}

/** The checksum entry a file with this hash and size satisfies, if any. */
export function matchingChecksum(spec: ModelFileSpec, sha256: string, size: number): ModelChecksum | undefined {
  const hash = sha256.toLowerCase();
  return spec.checksums.find((c) =>
    'unverified' in c
      ? true
      : 'sha256' in c
        ? c.sha256 === hash && (c.size === undefined || c.size === size)
        : hash.startsWith(c.sha256Prefix) && c.size === size,
  );
}

/**
 * `models/manifest.json` of this package: two folders above this module in src/vision/ (vitest) and
 * dist/vision/ (built); a compiled copy elsewhere inside the package (bench-out/src/vision/) looks further up.
 */
export function defaultManifestPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  const tried: string[] = [];
  for (let up = 0; up < 5; up++) {
    dir = dirname(dir);
    const candidate = join(dir, 'models', 'manifest.json');
    if (existsSync(candidate)) return candidate;
    tried.push(candidate);
  }
  throw new LotreelError('INTERNAL', `the model manifest is missing (looked for ${tried[0]})`, { details: { tried } });
}

let cached: { path: string; manifest: ModelManifest } | undefined;

/** Reads and validates the manifest (the package's own unless `path` is given); cached per path. */
export function loadModelManifest(path?: string): ModelManifest {
  const file = path ?? defaultManifestPath();
  if (cached && cached.path === file) return cached.manifest;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new LotreelError('INTERNAL', `cannot read the model manifest ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const manifest = parseModelManifest(json, `model manifest ${file}`);
  cached = { path: file, manifest };
  return manifest;
}
