/**
 * A job's work: analyse the stored original with the shared model pool, report progress into the
 * video's row (any API process can read it), then, in this order: publish the photos under a fresh run
 * folder, commit the rows pointing at them in one transaction, mark the video done, remove run folders
 * no row points at any more. A crash at any point leaves the earlier complete result or the new one
 * (rows never point at missing files); a retry redoes the video and collects what the dead run left.
 * Every car is stored as soon as its draft is written, one by one in the same order (publish, then
 * commit), each whole, and its clip after it once encoded: cars finished early while the video is
 * analysed, then the final pass's cars (the last car, a revisit merged: stored in place of the early
 * cars it replaces). The final commit keeps them all, renumbered, with the split's final confidence.
 */
import { cp, mkdir, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { checkpoint } from '../core/checkpoint.js';
import type { Logger } from '../core/log.js';
import { asLotreelError, LotreelError } from '../core/errors.js';
import { analyseVideo } from '../pipeline/analyse-video.js';
import type { ProgressEvent } from '../core/progress.js';
import { analysisRows, carRows, newRunName, runFoldersInUse, runFoldersToRemove, saveCarDraft, saveFinalCars, setCarClip } from '../store/index.js';
import { carFolder, clipFile } from '../pipeline/photo-stage.js';
import type { FinishedCar } from '../pipeline/result.js';
import { getVideoForJob, markVideoDone, markVideoFailed, markVideoProcessing, processingJobIds, setVideoProgress } from '../store/service.repository.js';
import type { ServiceContext } from './context.js';
import type { VideoJob } from './jobs.js';
import { overallProgress } from './progress-weights.js';
import { runReelJob } from './reel-job.js';
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

  const prefix = videoPrefix(video.dealerId, video.id);
  // One process holds the embedded database, so any run folder not in use is a dead attempt's; on a
  // server another live worker may still be writing one, until its lease is over.
  const staleAfterMs = ctx.db.kind === 'pglite' ? 0 : ctx.config.service.jobLeaseSeconds * 1000;
  const run = newRunName();
  let original: LocalCopy | undefined;
  let out: OutputFolder | undefined;
  try {
    original = await ctx.storage.localCopy(video.originalKey);
    out = await ctx.storage.outputFolder(`${prefix}/${run}`);
    const staging = out.dir;
    // Car number (as handed on before the result) -> its stored row (see storeCarDraft).
    const storedCars = new Map<number, string>();
    const stopIfDeleted = (storing: Promise<void>) =>
      storing.catch((error: unknown) => {
        if (error instanceof LotreelError && error.code === 'ABORTED') stopped.abort();
        throw error;
      });
    const analysis = await analyseVideo({
      file: original.path,
      name: video.fileName,
      stagingDir: staging,
      models: ctx.models,
      settings: ctx.config.analysis,
      config: ctx.config,
      log,
      onProgress,
      signal,
      onCarFinished: {
        draft: (car) => stopIfDeleted(storeCarDraft(ctx, { videoId: video.id, prefix, staging }, car, storedCars, log)),
        clipped: (car) => stopIfDeleted(storeCarClip(ctx, { videoId: video.id, prefix, staging }, car, storedCars, log)),
      },
    });
    await writing;
    signal.throwIfAborted();
    checkpoint('analysed');
    // Cars stored early and kept by the final pass keep their rows and files; their copies here are not published again.
    const keptId = (car: FinishedCar) => (car.earlyOrdinal === undefined ? undefined : storedCars.get(car.earlyOrdinal));
    for (const car of analysis.cars) if (keptId(car)) await rm(join(staging, carFolder(car.ordinal)), { recursive: true, force: true });
    // Usually every car is stored already: then this run folder would hold nothing and is not published.
    if (analysis.cars.some((car) => !keptId(car))) await out.publish();
    checkpoint('published');
    const started = performance.now();
    const rows = analysisRows({ ...analysis, cars: [] }, { filePrefix: run, videoId: video.id, timingsMs: analysis.timingsMs });
    const cars = analysis.cars.map((car) => {
      const id = keptId(car);
      const row = carRows(car, run);
      return id ? { keep: { id, ordinal: car.ordinal, splitConfidence: row.splitConfidence ?? 1, splitWarnings: row.splitWarnings ?? [] } } : { insert: row };
    });
    await saveFinalCars(ctx.db, { ...rows.video, id: video.id }, cars);
    log.info('result committed', { run, cars: analysis.cars.length, keptFromEarly: cars.filter((c) => 'keep' in c).length, storeMs: Math.round(performance.now() - started), warm: analysis.warm });
    checkpoint('committed');
    onProgress({ stage: 'store', done: 1, total: 1 });
    await writing;
    if (!(await markVideoDone(ctx.db, video.id))) throw new LotreelError('ABORTED', 'the video was deleted');
    checkpoint('marked-done');
    await removeUnusedRuns(ctx, video.id, prefix, { keep: run, olderThanMs: staleAfterMs }, log);
    checkpoint('collected');
    log.info('video processed');
  } catch (thrown) {
    await writing;
    const error = asLotreelError(thrown);
    if (stopped.signal.aborted || (await getVideoForJob(ctx.db, video.id)) === null) {
      // The work may have published files again after DELETE removed them.
      await ctx.storage.removeAll(prefix).catch(() => undefined);
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
 * One car, stored whole as soon as its draft is written, in the same order as a whole result: its
 * files copied out of the video's staging folder into a run folder of its own and published, then its
 * rows committed (in place of the car an earlier attempt stored under its number, and of the cars
 * stored early whose sightings it took). A crash leaves either no row (an unused run folder, collected
 * later) or the complete car.
 */
async function storeCarDraft(
  ctx: ServiceContext,
  where: { videoId: string; prefix: string; staging: string },
  car: FinishedCar,
  stored: Map<number, string>,
  log: Logger,
): Promise<void> {
  const run = newRunName();
  const out = await ctx.storage.outputFolder(`${where.prefix}/${run}`);
  try {
    // Its clip, being encoded in the same folder, is stored on its own when done (storeCarClip).
    const clipName = basename(clipFile(car.ordinal));
    await cp(join(where.staging, carFolder(car.ordinal)), join(out.dir, carFolder(car.ordinal)), { recursive: true, filter: (path) => !basename(path).startsWith(clipName) });
    checkpoint('car-analysed');
    await out.publish();
    checkpoint('car-published');
    const replacing = (car.replaces ?? []).flatMap((n) => stored.get(n) ?? []);
    const saved = await saveCarDraft(ctx.db, where.videoId, carRows(car, run), replacing);
    if (saved === null) throw new LotreelError('ABORTED', 'the video was deleted');
    stored.set(car.ordinal, saved.id);
    for (const n of car.replaces ?? []) stored.delete(n);
    checkpoint('car-committed');
    log.info('car stored', { car: car.ordinal, run });
  } finally {
    await out.release();
  }
}

/**
 * The clip of a car stored before the video was done, once encoded: published in a run folder of its
 * own, then pointed at from the car's row; or, held back because its plates could not be looked for,
 * the car's draft held for review. Nothing to do for a car not stored (the final commit stores it
 * whole) or no longer there (a car of the final pass took its place: its clip's folder is collected).
 */
async function storeCarClip(ctx: ServiceContext, where: { videoId: string; prefix: string; staging: string }, car: FinishedCar, stored: ReadonlyMap<number, string>, log: Logger): Promise<void> {
  const id = stored.get(car.ordinal);
  if (id === undefined) return;
  const carGone = async () => {
    if ((await getVideoForJob(ctx.db, where.videoId)) === null) throw new LotreelError('ABORTED', 'the video was deleted');
    log.info('clip of a replaced car not stored', { car: car.ordinal });
  };
  if (car.clip === null) {
    const reason = car.draft.attributes.platesNotBlurred;
    if (typeof reason === 'string' && !(await setCarClip(ctx.db, id, { heldBecause: reason }))) await carGone();
    return;
  }
  const run = newRunName();
  const out = await ctx.storage.outputFolder(`${where.prefix}/${run}`);
  try {
    await mkdir(join(out.dir, carFolder(car.ordinal)), { recursive: true });
    await cp(join(where.staging, car.clip), join(out.dir, car.clip));
    await out.publish();
    checkpoint('clip-published');
    if (await setCarClip(ctx.db, id, { file: `${run}/${car.clip}` })) log.info('clip stored', { car: car.ordinal, run });
    else await carGone();
  } finally {
    await out.release();
  }
}

/**
 * Removes the run folders (and staging folders) of a video that no row points at: the previous
 * result once the new one is committed, and what dead attempts left. Best effort: a folder left now is
 * removed after the next run.
 */
async function removeUnusedRuns(ctx: ServiceContext, videoId: string, prefix: string, options: { keep: string; olderThanMs: number }, log: Logger): Promise<void> {
  try {
    const unused = runFoldersToRemove(await ctx.storage.listNames(prefix), await runFoldersInUse(ctx.db, { videoId }), options);
    for (const name of unused) await ctx.storage.removeAll(`${prefix}/${name}`);
    if (unused.length > 0) log.debug('removed unused run folders', { folders: unused });
  } catch (error) {
    log.warn('unused run folders not removed yet', { error: asLotreelError(error).message });
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
  await ctx.queue.workReels((job) => runReelJob(ctx, job));
}
