/**
 * `lotreel reel PHOTO... --title TEXT [--facts FILE]` (a reel for an ad that has only photos),
 * `lotreel reel --draft ID` (a stored draft's, from the database and storage the service uses) and
 * `lotreel process --reel FORMATS` (a reel per car, written beside its photos as car-N/reel-<format>.mp4).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { Config } from '../config/config.js';
import { isLotreelError, LotreelError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { listingFacts, type ListingFacts } from '../listing/listing-facts.js';
import { createLlmClient } from '../llm/client.js';
import { locateFfmpeg } from '../media/binaries.js';
import type { ProcessResult, ReelFile } from '../pipeline/result.js';
import { photosWithCarBoxes } from '../pipeline/car-boxes.js';
import { renderReel, type RenderedReel } from '../reel/render-reel.js';
import type { ReelFormat, ReelPhoto } from '../reel/reel-plan.js';
import { coverFirst, draftReelSources, draftReelText, refuseHeldDraft, type DraftReelSources } from '../service/reel-job.js';
import { openStorage } from '../storage/index.js';
import { openDatabase, type Database } from '../store/database.js';
import { draftDealerId, getEditorDraft, getProcessDraft, type EditorDraft } from '../store/editor.repository.js';
import { YoloxDetector } from '../vision/yolox.js';

export interface ReelRequest {
  format: ReelFormat;
  outPath: string;
  musicFile?: string;
  config: Config;
  log: Logger;
  signal?: AbortSignal;
}

const reelFile = (reel: RenderedReel, file = reel.file): ReelFile => ({ format: reel.format, file, durationMs: reel.durationMs, width: reel.width, height: reel.height });

function render(request: ReelRequest, photos: ReelPhoto[], text: { title: string; facts: ListingFacts }, clipFile: string | null) {
  const { config } = request;
  return renderReel({
    format: request.format,
    photos,
    clipFile,
    text,
    musicFile: request.musicFile ?? null,
    llm: createLlmClient(config.llm, config.analysis.listingText.llmMaxConsecutiveFailures, request.log),
    log: request.log,
    outPath: request.outPath,
    settings: config.reel,
    binaries: locateFfmpeg({ ffmpegPath: config.ffmpegPath, ffprobePath: config.ffprobePath }),
    signal: request.signal,
  });
}

/** A reel for each car of a processed video, beside its photos; the result lists them in `cars[].reels`. */
export async function addReels(result: ProcessResult, formats: readonly ReelFormat[], request: Omit<ReelRequest, 'format' | 'outPath'>): Promise<ProcessResult> {
  const cars = [];
  for (const [k, car] of result.cars.entries()) {
    // Boxes are in the source frame; photos may be stored at another size.
    const photos = car.photos
      .filter((p) => !p.closeUp)
      .map((p) => {
        const s = p.width / result.video.width;
        const box = p.carBox ? { x1: p.carBox.x1 * s, y1: p.carBox.y1 * s, x2: p.carBox.x2 * s, y2: p.carBox.y2 * s } : null;
        return { file: join(result.outDir, p.file), width: p.width, height: p.height, carBox: box };
      });
    const a = car.attributes;
    const facts = listingFacts({ attributes: a, colour: car.color, bodyType: car.bodyType, photoCount: car.photos.length, videoSeconds: 0 });
    const reels: ReelFile[] = [];
    for (const format of formats) {
      const file = `car-${k + 1}/reel-${format}.mp4`;
      const outPath = join(result.outDir, file);
      const reel = await render({ ...request, format, outPath }, photos, { title: car.draft.title, facts }, car.clip ? join(result.outDir, car.clip) : null);
      request.log.info('reel rendered', { car: k + 1, format, durationMs: reel.durationMs, renderMs: reel.renderMs });
      reels.push(reelFile(reel, file));
    }
    cars.push({ ...car, reels });
  }
  return { ...result, cars };
}

const factsFileSchema = z.strictObject({
  make: z.string().min(1).optional(),
  model: z.string().min(1).optional(),
  year: z.number().int().min(1900).max(2100).optional(),
  trim: z.string().min(1).optional(),
  bodyType: z.string().min(1).optional(),
  colour: z.string().min(1).optional(),
  mileage: z.union([z.string().min(1), z.number().nonnegative()]).optional(),
  engine: z.string().min(1).optional(),
  fuel: z.string().min(1).optional(),
  drive: z.string().min(1).optional(),
  features: z.array(z.string().min(1)).max(20).optional(),
});

/** The facts file of a photos-only reel: the seller's word for each (JSON, keys as in ListingFacts). */
export async function readFactsFile(file: string | undefined, photoCount: number): Promise<ListingFacts> {
  let value: z.infer<typeof factsFileSchema> = {};
  if (file !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new LotreelError('INVALID_ARGUMENT', `--facts ${file}: not a readable JSON file (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`, { cause: error });
    }
    const parsed = factsFileSchema.safeParse(raw);
    if (!parsed.success) throw new LotreelError('INVALID_ARGUMENT', `--facts ${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'file'}: ${i.message}`).join('; ')}`);
    value = parsed.data;
  }
  const { features, ...rest } = value;
  const attributes = Object.fromEntries(Object.entries(rest).map(([key, v]) => [key, { value: v, source: 'seller' as const, confidence: 1 }]));
  return listingFacts({ attributes, colour: value.colour ?? null, bodyType: value.bodyType ?? null, photoCount, videoSeconds: 0, features });
}

/** Each photo's size and its largest vehicle (YOLOX), or no box when the detector's model is missing. */
async function photosWithBoxes(files: readonly string[], config: Config, log: Logger): Promise<ReelPhoto[]> {
  const detector = await YoloxDetector.create({ modelsDir: config.modelsDir, device: 'cpu', classIds: [2, 5, 7], embeddings: false }).catch((error: unknown) => {
    log.warn('no car detector: photos are framed on their centre', { reason: error instanceof Error ? error.message : String(error) });
    return null;
  });
  try {
    return await photosWithCarBoxes(files, detector);
  } finally {
    await detector?.dispose();
  }
}

/** `lotreel reel PHOTO... --title TEXT [--facts FILE]`: the photos in the order given, the first the cover. */
export async function photosReel(files: readonly string[], title: string, factsFile: string | undefined, request: ReelRequest): Promise<ReelFile> {
  const absolute = files.map((f) => resolve(f));
  const facts = await readFactsFile(factsFile, absolute.length);
  const photos = await photosWithBoxes(absolute, request.config, request.log);
  const reel = await render(request, photos, { title, facts }, null);
  return reelFile(reel);
}

/**
 * `lotreel reel --draft ID`: a stored draft's reel, as the service's job renders it (its published
 * photos, the cover first then the seller's order; its clip; its text as the seller left it), written
 * to a file; nothing is recorded in the database. Each photo is framed on its car (YOLOX) when the
 * model is there.
 */
export async function draftReel(draftId: string, request: ReelRequest, from?: string): Promise<ReelFile> {
  const { config, log } = request;
  const work = await mkdtemp(join(tmpdir(), 'lotreel-reel-'));
  let sources: DraftReelSources | undefined;
  try {
    // The database is held only while the draft is read and its files copied out, not for the render.
    const db = await openDraftDatabase(config, log, draftId);
    try {
      const dealerId = await draftDealerId(db, draftId);
      if (dealerId === undefined) throw new LotreelError('INVALID_ARGUMENT', `no draft ${draftId} in the database (${config.databaseUrl ? 'DATABASE_URL' : config.dataDir})`);
      if (dealerId === null) {
        // A draft of lotreel process: its files are in that run's --out folder, which the database does not record.
        if (!from) throw new LotreelError('INVALID_ARGUMENT', `draft ${draftId} was made by lotreel process: give --from DIR, the folder its --out wrote`);
        sources = await processDraftSources((await getProcessDraft(db, draftId))!, from);
      } else {
        const draft = await getEditorDraft(db, dealerId, draftId);
        if (draft === null) throw new LotreelError('INVALID_ARGUMENT', `no draft ${draftId} in the database (${config.databaseUrl ? 'DATABASE_URL' : config.dataDir})`);
        sources = await draftReelSources({ storage: openStorage(config), config }, dealerId, draft, work);
      }
    } finally {
      await db.close();
    }
    const photos = await photosWithBoxes(sources.photos.map((p) => p.file), config, log);
    return reelFile(await render(request, photos, sources.text, sources.clip?.path ?? null));
  } finally {
    await sources?.clip?.release();
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * A process-made draft's photos (the cover first, then their order) and clip, in `from`, the folder
 * `lotreel process --out` wrote; its text as stored. No copies: the files are the user's own.
 */
async function processDraftSources(draft: EditorDraft, from: string): Promise<DraftReelSources> {
  refuseHeldDraft(draft);
  const at = (file: string) => resolve(from, file);
  const ordered = coverFirst(draft.photos);
  for (const photo of ordered) {
    if (!existsSync(at(photo.file))) throw new LotreelError('INPUT_MISSING', `no photo at ${at(photo.file)}: is --from the folder lotreel process wrote this draft's run to?`);
  }
  const clip = draft.clipFile && existsSync(at(draft.clipFile)) ? { path: at(draft.clipFile), release: async () => undefined } : undefined;
  const photos = ordered.map((p) => ({ file: at(p.file), width: p.width, height: p.height, carBox: null }));
  return { photos, clip, text: draftReelText(draft) };
}

async function openDraftDatabase(config: Config, log: Logger, draftId: string): Promise<Database> {
  try {
    return await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl }, { logger: log });
  } catch (error) {
    if (!isLotreelError(error, 'DATABASE_FAILED') || error.details?.holder === undefined) throw error;
    throw new LotreelError(
      'DATABASE_FAILED',
      `the embedded database at ${config.dataDir} is in use by another lotreel process (${String(error.details.holder)}): stop it and run this again, or queue the reel through the service (POST /api/drafts/${draftId}/reels)`,
      { cause: error, details: error.details },
    );
  }
}
