/**
 * A job's work: process the stored original with the pipeline, report progress into the video's row
 * (any API process can read it), store the result into that row. Retrying is safe: the pipeline
 * replaces the video's cars, photos and drafts in one transaction and its photo folders as a whole.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../core/log.js';
import { asLotreelError, LotreelError } from '../core/errors.js';
import { processVideo } from '../pipeline/run.js';
import type { ProgressEvent } from '../core/progress.js';
import { getVideoForJob, markVideoDone, markVideoFailed, markVideoProcessing, processingJobIds, setVideoProgress } from '../store/service.repository.js';
import type { ServiceContext } from './context.js';
import type { VideoJob } from './jobs.js';
import { overallProgress } from './progress-weights.js';
import { videoPrefix, type LocalCopy, type OutputFolder } from '../storage/storage.js';

/** Progress is written at most this often (and on every change of stage). */
const PROGRESS_WRITE_MS = 400;

export async function runVideoJob(ctx: ServiceContext, job: VideoJob): Promise<void> {
  const log = ctx.log.child({ video: job.videoId, job: job.jobId, attempt: job.retryCount + 1 });
  const video = await getVideoForJob(ctx.db, job.videoId);
  if (video === null) {
    log.info('video deleted before it was processed');
    return;
  }
  if (!(await markVideoProcessing(ctx.db, video.id))) return;
  const stopped = new AbortController();
  const signal = AbortSignal.any([job.signal, stopped.signal]);

  // Progress writes run one after another; a deleted video stops the work.
  let written = 0;
  let lastWrite = 0;
  let lastStage = '';
  let writing = Promise.resolve();
  const onProgress = (event: ProgressEvent) => {
    const progress = overallProgress(event, written);
    const now = performance.now();
    if (event.stage === lastStage && now - lastWrite < PROGRESS_WRITE_MS) return;
    written = progress;
    lastWrite = now;
    lastStage = event.stage;
    writing = writing
      .then(() => setVideoProgress(ctx.db, video.id, progress, event.stage))
      .then((exists) => {
        if (!exists) stopped.abort();
      })
      .catch((error: unknown) => log.warn('progress not stored', { error: asLotreelError(error).message }));
  };

  let original: LocalCopy | undefined;
  let out: OutputFolder | undefined;
  try {
    original = await ctx.storage.localCopy(video.originalKey);
    out = await ctx.storage.outputFolder(videoPrefix(video.dealerId, video.id));
    // One process holds the embedded database, so any staging folder there is a dead attempt's; on a
    // server another live worker may still be writing one, until its lease is over.
    const staleAfterMs = ctx.db.kind === 'pglite' ? 0 : ctx.config.service.jobLeaseSeconds * 1000;
    await removeStaleStaging(out.dir, staleAfterMs, log);
    await processVideo({
      file: original.path,
      outDir: out.dir,
      device: ctx.config.device,
      settings: ctx.config.analysis,
      config: ctx.config,
      log,
      onProgress,
      signal,
      database: ctx.db,
      videoId: video.id,
    });
    await writing;
    await out.publish();
    await removeStaleStaging(out.dir, staleAfterMs, log);
    if (!(await markVideoDone(ctx.db, video.id))) throw new LotreelError('ABORTED', 'the video was deleted');
    log.info('video processed');
  } catch (thrown) {
    await writing;
    const error = asLotreelError(thrown);
    if (stopped.signal.aborted || (await getVideoForJob(ctx.db, video.id)) === null) {
      // The pipeline may have made folders again after DELETE removed them.
      await ctx.storage.removeAll(videoPrefix(video.dealerId, video.id)).catch(() => undefined);
      log.info('video deleted while it was processed');
      return;
    }
    // Bad input fails for good at once; anything else is retried until the limit.
    const final = error.isUserError || job.retryCount >= job.retryLimit;
    await markVideoFailed(ctx.db, video.id, `${error.message} [${error.code}]`, final);
    log.warn('processing failed', { error: error.message, code: error.code, final });
    if (!final) throw error;
  } finally {
    await out?.release();
    await original?.release();
  }
}

/**
 * Removes staging folders a crashed worker left in a video's folder (older than any live attempt).
 * Best effort: the dead worker's ffmpeg may still be writing there for a moment (a killed parent does
 * not take its children with it), and a folder left now is removed after the next attempt.
 */
async function removeStaleStaging(dir: string, olderThanMs: number, log: Logger): Promise<void> {
  for (const entry of await readdir(dir).catch(() => [])) {
    if (!entry.startsWith('.lotreel-staging-')) continue;
    const path = join(dir, entry);
    const info = await stat(path).catch(() => null);
    if (info === null || Date.now() - info.mtimeMs <= olderThanMs) continue;
    await rm(path, { recursive: true, force: true, maxRetries: 3 }).catch((error: unknown) =>
      log.warn('stale staging folder not removed yet', { path, error: asLotreelError(error).message }),
    );
  }
}

/**
 * Embedded database only: no other process can hold it, so videos left 'processing' belonged to a
 * worker of an earlier run of this one that died; their jobs are failed now (and retried) instead of
 * waiting out their lease.
 */
export async function recoverAbandonedJobs(ctx: ServiceContext): Promise<number> {
  if (ctx.db.kind !== 'pglite') return 0;
  const jobIds = await processingJobIds(ctx.db);
  await ctx.queue.abandon(jobIds);
  if (jobIds.length > 0) ctx.log.info('requeued jobs of a stopped worker', { jobs: jobIds.length });
  return jobIds.length;
}

export async function startWorker(ctx: ServiceContext): Promise<void> {
  await recoverAbandonedJobs(ctx);
  await ctx.queue.work((job) => runVideoJob(ctx, job));
}
