/**
 * The job queue: pg-boss in the same database as everything else (the embedded one too, through the
 * adapter's `jobQueueConnection`). A job names one video; pg-boss gives retries with exponential
 * backoff and a lease (`expireIn`): a job whose worker has not finished within it is failed by the
 * maintenance of any running worker and retried, so a crashed worker's job is picked up again.
 *
 * pg-boss 10 has no heartbeat, and a video takes from seconds to an hour, so a fixed lease is either
 * too short for a long video or too long to wait for after a crash. The worker therefore renews its
 * job's lease every third of it while it works, by moving the job's `started_on` (pg-boss expires an
 * active job when `started_on + expire_in` has passed). That one statement is the only place that
 * touches pg-boss's tables. Workers fetch, complete and fail jobs through pg-boss's API themselves,
 * since its work() would also time a handler out at the lease.
 */
import PgBoss from 'pg-boss';
import type { ServiceSettings } from '../config/config.js';
import type { Logger } from '../core/log.js';
import type { Database, JobQueueConnection, Queryable } from '../store/database.js';

export const PROCESS_VIDEO_QUEUE = 'process-video';
/** Reel renders (issue 16): a queue of their own, so a long video does not hold reels back nor the other way round. */
export const RENDER_REEL_QUEUE = 'render-reel';

export interface VideoJob {
  jobId: string;
  videoId: string;
  /** Attempts before this one. */
  retryCount: number;
  retryLimit: number;
  signal: AbortSignal;
}

export interface ReelJob extends Omit<VideoJob, 'videoId'> {
  dealerId: string;
  draftId: string;
  format: string;
}

type JobData = { videoId: string } | { dealerId: string; draftId: string; format: string };

export interface JobQueue {
  /** Queues the processing of a video; pass `tx` to queue it in the transaction that creates the video. */
  enqueue(videoId: string, tx?: Queryable): Promise<string>;
  /** Queues the render of a draft's reel (`startAfterS`: not before that many seconds from now). */
  enqueueReel(dealerId: string, draftId: string, format: string, options?: { startAfterS?: number }): Promise<string>;
  /** Starts working jobs with `handler` (its failure fails the attempt: retried until the limit). */
  work(handler: (job: VideoJob) => Promise<void>): Promise<void>;
  /** Starts working reel jobs (one slot: a render uses every core it gets). */
  workReels(handler: (job: ReelJob) => Promise<void>): Promise<void>;
  /** Fails attempts that are known to be abandoned (they are retried with backoff). */
  abandon(jobIds: string[]): Promise<void>;
  /** Cancels a job (its video was deleted). */
  cancel(jobId: string): Promise<void>;
  /** Stops fetching; running handlers are aborted. */
  stop(): Promise<void>;
}

export interface JobQueueOptions {
  settings: ServiceSettings;
  log: Logger;
  /** Whether this process expires leases and does pg-boss's housekeeping (workers do). */
  supervise: boolean;
}

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error)).split('\n')[0]!.slice(0, 500);

/**
 * Resolves after `ms`, or at once when `signal` aborts. The abort listener goes when the time is up:
 * a poll loop sleeping on one signal would otherwise pile one up per poll (MaxListenersExceededWarning).
 */
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const wake = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', wake);
      resolve();
    };
    const timer = setTimeout(wake, ms);
    signal.addEventListener('abort', wake, { once: true });
  });

/**
 * Starts pg-boss. Two processes starting together on a fresh database can both try to create its
 * schema and one fails (Postgres's CREATE SCHEMA IF NOT EXISTS is not safe against a concurrent one);
 * by the next try the schema is there.
 */
async function startRetrying(boss: PgBoss, log: Logger, tries = 3): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await boss.start();
      return;
    } catch (error) {
      if (attempt >= tries) throw error;
      log.warn('job queue start failed, trying again', { error: errorText(error) });
      await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
    }
  }
}

/** Renews an active job's lease (see above). */
const RENEW_LEASE = `update pgboss.job set started_on = now() where name = $1 and id = $2 and state = 'active'`;

const inTransaction = (tx: Queryable): JobQueueConnection => ({
  executeSql: async (text, values) => ({ rows: await tx.query(text, values) }),
});

export async function startJobQueue(db: Database, options: JobQueueOptions): Promise<JobQueue> {
  const { settings, log } = options;
  const connection = db.jobQueueConnection();
  const boss = new PgBoss({
    db: connection as PgBoss.Db,
    schedule: false,
    supervise: options.supervise,
    maintenanceIntervalSeconds: settings.jobMaintenanceSeconds,
  });
  boss.on('error', (error: unknown) => log.warn('job queue error', { error: error instanceof Error ? error.message : String(error) }));
  await startRetrying(boss, log);
  for (const name of [PROCESS_VIDEO_QUEUE, RENDER_REEL_QUEUE]) {
    await boss.createQueue(name, { name, retryLimit: settings.jobRetryLimit, retryDelay: settings.jobRetryDelaySeconds, retryBackoff: true });
  }
  const running = new Set<AbortController>();
  const stopping = new AbortController();
  const loops: Promise<void>[] = [];

  /** Runs one job: its lease renewed while the handler works, completed or failed (and so retried) after. */
  async function runJob<T extends JobData>(queue: string, job: PgBoss.JobWithMetadata<T>, handler: (job: T & Omit<VideoJob, 'videoId'>) => Promise<void>): Promise<void> {
    const abort = new AbortController();
    running.add(abort);
    const renew = setInterval(() => {
      connection.executeSql(RENEW_LEASE, [queue, job.id]).catch((error: unknown) => log.warn('job lease not renewed', { job: job.id, error: errorText(error) }));
    }, (settings.jobLeaseSeconds * 1000) / 3);
    try {
      await handler({ ...job.data, jobId: job.id, retryCount: job.retryCount, retryLimit: job.retryLimit, signal: abort.signal });
      await boss.complete(queue, job.id);
    } catch (error) {
      await boss.fail(queue, job.id, { message: errorText(error) });
    } finally {
      clearInterval(renew);
      running.delete(abort);
    }
  }

  /**
   * One worker slot: fetch a job, run it, repeat; wait a poll interval when there is none. (pg-boss's
   * own work() would time the handler out at the lease, which a renewed lease must outlive.)
   */
  async function workLoop<T extends JobData>(queue: string, handler: (job: T & Omit<VideoJob, 'videoId'>) => Promise<void>): Promise<void> {
    while (!stopping.signal.aborted) {
      let job: PgBoss.JobWithMetadata<T> | undefined;
      try {
        [job] = await boss.fetch<T>(queue, { batchSize: 1, includeMetadata: true });
      } catch (error) {
        log.warn('fetching a job failed', { error: errorText(error) });
      }
      if (job) await runJob(queue, job, handler).catch((error: unknown) => log.error('job bookkeeping failed', { job: job!.id, error: errorText(error) }));
      else await sleep(settings.jobPollSeconds * 1000, stopping.signal);
    }
  }

  const sendOptions = { retryLimit: settings.jobRetryLimit, retryDelay: settings.jobRetryDelaySeconds, retryBackoff: true, expireInSeconds: settings.jobLeaseSeconds };

  return {
    async enqueueReel(dealerId, draftId, format, options = {}) {
      const id = await boss.send(RENDER_REEL_QUEUE, { dealerId, draftId, format }, { ...sendOptions, ...(options.startAfterS && { startAfter: options.startAfterS }) });
      if (id === null) throw new Error('the job queue did not accept the job');
      return id;
    },
    async workReels(handler) {
      loops.push(workLoop<{ dealerId: string; draftId: string; format: string }>(RENDER_REEL_QUEUE, handler));
    },
    async enqueue(videoId, tx) {
      const id = await boss.send(
        PROCESS_VIDEO_QUEUE,
        { videoId },
        { ...sendOptions, ...(tx ? { db: inTransaction(tx) as PgBoss.Db } : {}) },
      );
      if (id === null) throw new Error('the job queue did not accept the job');
      return id;
    },
    async work(handler) {
      for (let i = 0; i < settings.workerConcurrency; i++) loops.push(workLoop<{ videoId: string }>(PROCESS_VIDEO_QUEUE, handler));
    },
    async abandon(jobIds) {
      for (const id of jobIds) await boss.fail(PROCESS_VIDEO_QUEUE, id, { message: 'the worker running it stopped' });
    },
    async cancel(jobId) {
      await boss.cancel(PROCESS_VIDEO_QUEUE, jobId);
    },
    async stop() {
      stopping.abort();
      for (const abort of running) abort.abort();
      await Promise.all(loops);
      await boss.stop({ graceful: true, close: false, wait: true, timeout: 10_000 });
    },
  };
}
