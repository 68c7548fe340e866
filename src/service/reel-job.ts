/**
 * A reel job's work: the draft's photos as published (plates blurred, the seller's edits rendered) and
 * the car's blurred clip, copied out of storage, rendered into one MP4 (src/reel), stored beside the
 * video's files under a name of its version, then the row marked done; the previous file of that
 * format is removed after. Progress goes into the reel's row, which the video's events stream reads.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import sharp from 'sharp';
import { asLotreelError, LotreelError } from '../core/errors.js';
import { listingFacts } from '../listing/listing-facts.js';
import { createLlmClient } from '../llm/client.js';
import { photosWithCarBoxes } from '../pipeline/car-boxes.js';
import { renderReel } from '../reel/render-reel.js';
import type { ReelFormat, ReelPhoto } from '../reel/reel-plan.js';
import { getEditorDraft, type EditorDraft } from '../store/editor.repository.js';
import { getReel, markReelDone, markReelFailed, setReelProgress } from '../store/reels.repository.js';
import { checkKey, videoPrefix, type LocalCopy } from '../storage/storage.js';
import type { ServiceContext } from './context.js';
import type { ReelJob } from './jobs.js';
import { publishedPhoto } from './published-photo.js';
import { reelSourceVersion, refreshStaleReels } from './reel-refresh.js';

/** Progress is written at most this often. */
const PROGRESS_WRITE_MS = 500;

/** Where a draft's reels are kept, beside its video's files. */
export const reelsPrefix = (dealerId: string, draft: Pick<EditorDraft, 'id' | 'videoId'>): string => checkKey(`${videoPrefix(dealerId, draft.videoId)}/reels/${draft.id}`);

/** The facts the captions may use: the draft's fields as the seller left them. */
function draftFacts(draft: EditorDraft) {
  const attributes = Object.fromEntries(
    (['make', 'model', 'year', 'mileage'] as const)
      .filter((name) => draft.fields[name].value !== null && draft.fields[name].value !== '')
      .map((name) => [name, { value: draft.fields[name].value, source: 'seller' as const, confidence: 1 }]),
  );
  const colour = draft.fields.colour.value;
  return listingFacts({ attributes, colour: typeof colour === 'string' ? colour : null, bodyType: null, photoCount: draft.photos.length, videoSeconds: 0 });
}

/** A draft's photos as a reel shows them: the cover first, then the seller's order. */
export const coverFirst = <P extends { isCover: boolean; ordinal: number }>(photos: readonly P[]): P[] =>
  [...photos].sort((a, b) => Number(b.isCover) - Number(a.isCover) || a.ordinal - b.ordinal);

/** A draft's reel text: its title and facts as the seller left them. */
export const draftReelText = (draft: EditorDraft): DraftReelSources['text'] => ({ title: String(draft.fields.title.value ?? ''), facts: draftFacts(draft) });

/** Copies each published photo into `dir`, the cover first, then the listing order. */
async function photoFiles(ctx: Pick<ServiceContext, 'storage' | 'config'>, dealerId: string, draft: EditorDraft, dir: string): Promise<ReelPhoto[]> {
  const ordered = coverFirst(draft.photos);
  const photos: ReelPhoto[] = [];
  for (const [k, photo] of ordered.entries()) {
    const object = await publishedPhoto(ctx, dealerId, { ...photo, videoId: draft.videoId });
    if (object === null) continue;
    const file = join(dir, `photo-${k}.jpg`);
    await pipeline(object.stream, createWriteStream(file));
    const { width, height } = await sharp(file).metadata();
    photos.push({ file, width: width ?? photo.width, height: height ?? photo.height, carBox: null });
  }
  if (photos.length === 0) throw new LotreelError('INPUT_MISSING', 'the draft has no photos to make a reel of');
  return photos;
}

/** What a stored draft's reel is made of: its published photos copied into `dir`, its clip, its text. */
export interface DraftReelSources {
  photos: ReelPhoto[];
  /** The car's blurred clip, copied out of storage: release it when done. */
  clip: LocalCopy | undefined;
  text: { title: string; facts: ReturnType<typeof draftFacts> };
}

/** Its photos are not published while its plates are not blurred; neither is a reel of them. */
export function refuseHeldDraft(draft: Pick<EditorDraft, 'id' | 'platesNotBlurred'>): void {
  if (draft.platesNotBlurred) throw new LotreelError('INVALID_ARGUMENT', `draft ${draft.id} is held for review, its plates are not blurred (${draft.platesNotBlurred}): no reel`);
}

export async function draftReelSources(ctx: Pick<ServiceContext, 'storage' | 'config'>, dealerId: string, draft: EditorDraft, dir: string): Promise<DraftReelSources> {
  refuseHeldDraft(draft);
  const photos = await photoFiles(ctx, dealerId, draft, dir);
  const clip = draft.clipFile ? await ctx.storage.localCopy(checkKey(`${videoPrefix(dealerId, draft.videoId)}/${draft.clipFile}`)) : undefined;
  return { photos, clip, text: draftReelText(draft) };
}

export async function runReelJob(ctx: ServiceContext, job: ReelJob): Promise<void> {
  const { dealerId, draftId, format } = job;
  const log = ctx.log.child({ draft: draftId, format, job: job.jobId, attempt: job.retryCount + 1 });
  const draft = await getEditorDraft(ctx.db, dealerId, draftId);
  if (draft === null || (await getReel(ctx.db, dealerId, draftId, format)) === null) {
    log.info('draft deleted before its reel was rendered');
    return;
  }
  const version = reelSourceVersion(draft, format);
  const work = await mkdtemp(join(tmpdir(), 'lotreel-reel-'));
  let clip: LocalCopy | undefined;
  let lastWrite = 0;
  let writing = Promise.resolve();
  try {
    const sources = await draftReelSources(ctx, dealerId, draft, work);
    clip = sources.clip;
    const outPath = join(work, 'reel.mp4');
    const reel = await renderReel({
      format: format as ReelFormat,
      // Framed on each photo's car, as lotreel reel frames them (the box is not stored with the photo).
      photos: await photosWithCarBoxes(sources.photos.map((p) => p.file), await ctx.models.detector().catch(() => null)),
      clipFile: clip?.path ?? null,
      text: sources.text,
      llm: createLlmClient(ctx.config.llm, ctx.config.analysis.listingText.llmMaxConsecutiveFailures, log),
      log,
      outPath,
      settings: ctx.config.reel,
      binaries: ctx.binaries,
      signal: job.signal,
      onProgress: (done, total) => {
        const now = performance.now();
        if (now - lastWrite < PROGRESS_WRITE_MS || done >= total) return;
        lastWrite = now;
        const progress = Math.round((done / total) * 100) / 100;
        writing = writing.then(() => setReelProgress(ctx.db, draftId, format, progress)).then(() => undefined, (error: unknown) => log.warn('reel progress not stored', { error: asLotreelError(error).message }));
      },
    });
    await writing;
    const key = `${reelsPrefix(dealerId, draft)}/${format}-${version}.mp4`;
    const previous = await getReel(ctx.db, dealerId, draftId, format);
    await ctx.storage.putFile(key, outPath);
    if (!(await markReelDone(ctx.db, draftId, format, { file: key, sourceVersion: version, durationMs: reel.durationMs }))) {
      await ctx.storage.removeAll(key);
      return;
    }
    if (previous?.file && previous.file !== key) await ctx.storage.removeAll(previous.file).catch(() => undefined);
    log.info('reel rendered', { durationMs: reel.durationMs, renderMs: reel.renderMs });
    // The seller may have edited while it rendered: those edits get their render too.
    const again = await refreshStaleReels(ctx, dealerId, draftId).catch(() => []);
    if (again.length > 0) log.info('edited while rendering: queued again', { formats: again });
  } catch (thrown) {
    await writing;
    const error = asLotreelError(thrown);
    const final = error.isUserError || job.retryCount >= job.retryLimit;
    if (final) await markReelFailed(ctx.db, draftId, format, `${error.message} [${error.code}]`);
    log.warn('reel failed', { error: error.message, code: error.code, final });
    if (!final) throw error;
  } finally {
    await clip?.release();
    await rm(work, { recursive: true, force: true });
  }
}
