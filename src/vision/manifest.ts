/**
 * The model manifest (`models/manifest.json`): what each model file is, how to check it, where to get
 * it, and how its tensors are laid out. One zod schema; parsing is pure, loading reads one file.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { LotreelError } from '../errors.js';

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
  /** Batch dimension as exported (1 = fixed; the loader rewrites it to a symbolic batch). */
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

const modelSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    task: z.literal('detection'),
    description: z.string().optional(),
    file: z.string().regex(/^[^/\\]+$/, 'must be a plain file name'),
    checksums: z.array(checksumSchema).min(1),
    urls: z.array(z.url()).min(1),
    licence: z.string().min(1),
    licenceUrl: z.url().optional(),
    input: inputSchema,
    output: outputSchema,
    labels: z.array(z.string().min(1)).min(1),
    embedding: embeddingSchema.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.embedding && m.embedding.level >= m.output.strides.length) {
      ctx.addIssue({ code: 'custom', path: ['embedding', 'level'], message: 'is not one of the output levels' });
    }
  });

export const modelManifestSchema = z.strictObject({
  schemaVersion: z.literal(1),
  models: z.array(modelSchema).min(1),
});

export type ModelManifest = z.infer<typeof modelManifestSchema>;
export type ModelSpec = ModelManifest['models'][number];

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
  return spec;
}

/** The checksum entry a file with this hash and size satisfies, if any. */
export function matchingChecksum(spec: ModelSpec, sha256: string, size: number): ModelChecksum | undefined {
  const hash = sha256.toLowerCase();
  return spec.checksums.find((c) =>
    'sha256' in c ? c.sha256 === hash && (c.size === undefined || c.size === size) : hash.startsWith(c.sha256Prefix) && c.size === size,
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
