/**
 * A finished upload (tus or multipart) becomes a queued video: it must be a video (ffprobe) of bounded
 * size, it is copied into storage under ids only, and its row and its job are written in one
 * transaction, so there is never a video without a job or a job without a video. The same file
 * uploaded again by the same dealer answers the video already there, so a retried ingest is harmless.
 * The upload itself is left in place: its caller removes it once it is queued or refused for good
 * (`isPermanentRefusal`), and keeps it to try again after any other failure.
 */
import { randomUUID } from 'node:crypto';
import { asLotreelError, isLotreelError, LotreelError } from '../core/errors.js';
import { fingerprintFile } from '../media/fingerprint.js';
import { probe } from '../media/probe.js';
import { findVideoIdByFingerprint, insertQueuedVideo, setVideoJob } from '../store/service.repository.js';
import { videoFacts } from '../store/results.repository.js';
import type { ServiceContext } from './context.js';
import { originalKey, videoPrefix } from '../storage/storage.js';

/** A client's file name, for display only (never a path): no folders, no control characters, bounded. */
export function displayFileName(name: string | undefined | null): string {
  const last = (name ?? '').split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = last.replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, 200);
  return clean === '' ? 'video' : clean;
}

export interface IngestedVideo {
  id: string;
  /** False when this dealer had already uploaded the same file. */
  created: boolean;
}

/** The upload itself is wrong (not a video, too large, undecodable, gone): trying again cannot help. */
export const isPermanentRefusal = (error: unknown): boolean => isLotreelError(error) && error.isUserError;

export async function ingestVideo(ctx: ServiceContext, dealerId: string, tempPath: string, fileName: string): Promise<IngestedVideo> {
  const info = await probe(tempPath, ctx.binaries);
  if (info.width * info.height > ctx.config.service.maxImagePixels) {
    throw new LotreelError('INPUT_NOT_VIDEO', `the video's pictures (${info.width}x${info.height}) are larger than this service accepts`);
  }
  const fingerprint = await fingerprintFile(tempPath);
  const existing = await findVideoIdByFingerprint(ctx.db, dealerId, fingerprint);
  if (existing) return { id: existing.id, created: false };

  const id = randomUUID();
  const key = originalKey(dealerId, id);
  await ctx.storage.putFile(key, tempPath, { keepSource: true });
  try {
    const inserted = await ctx.db.transaction(async (tx) => {
      const row = await insertQueuedVideo(tx, {
        id,
        dealerId,
        fingerprint,
        fileName,
        originalKey: key,
        ...videoFacts(info),
      });
      if (row === null) return false; // the same file, uploaded at the same moment: that one wins
      await setVideoJob(tx, id, await ctx.queue.enqueue(id, tx));
      return true;
    });
    if (!inserted) {
      await ctx.storage.removeAll(videoPrefix(dealerId, id));
      const winner = await findVideoIdByFingerprint(ctx.db, dealerId, fingerprint);
      if (winner) return { id: winner.id, created: false };
      throw new LotreelError('INTERNAL', 'the video disappeared while it was uploaded again');
    }
  } catch (error) {
    // A commit whose answer was lost did happen: the video is queued. Unknown (the database is down):
    // the copy stays, as an orphan at worst. Not written: no row points at the copy, so it goes.
    const committed = await findVideoIdByFingerprint(ctx.db, dealerId, fingerprint).then((row) => row?.id === id, () => null);
    if (committed === true) return { id, created: true };
    if (committed === false) {
      await ctx.storage.removeAll(videoPrefix(dealerId, id)).catch((removal: unknown) => {
        ctx.log.warn('copy of an upload not removed', { video: id, error: asLotreelError(removal).message });
      });
    }
    throw error;
  }
  ctx.log.info('video queued', { video: id, dealer: dealerId, durationMs: info.durationMs, bytes: info.sizeBytes });
  return { id, created: true };
}
