/**
 * The job queue: pg-boss in the same database as everything else (the embedded one too, through the
 * adapter's `jobQueueConnection`). A job names one video; pg-boss gives retries with exponential
 * backoff and a lease (`expireIn`): a job whose worker has not finished within it is failed by the
 * maintenance of any running worker and retried, so a crashed worker's job is picked up again. The
 * lease grows with the video's length, so a live worker on a long video keeps its job.
 */
import PgBoss from 'pg-boss';
import type { ServiceSettings } from '../config/config.js';
import type { Logger } from '../log.js';
import type { Database, JobQueueConnection, Queryable } from '../store/database.js';

export const PROCESS_VIDEO_QUEUE = 'process-video';

export interface VideoJob {
  jobId: string;
  videoId: string;
  /** Attempts before this one. */
  retryCount: number;
  retryLimit: number;
  signal: AbortSignal;
}

export interface JobQueue {
  /** Queues the processing of a video; pass `tx` to queue it in the transaction that creates the video. */
  enqueue(videoId: string, durationMs: number, tx?: Queryable): Promise<string>;
  /** Starts working jobs with `handler` (its failure fails the attempt: retried until the limit). */
  work(handler: (job: VideoJob) => Promise<void>): Promise<void>;
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

/** Seconds a worker may spend on a video before its job is presumed abandoned. */
export function leaseSeconds(durationMs: number, settings: Pick<ServiceSettings, 'jobLeaseMinSeconds' | 'jobLeasePerVideoSecond'>): number {
  const byLength = Math.ceil((durationMs / 1000) * settings.jobLeasePerVideoSecond);
  // pg-boss refuses leases of a day or more.
  return Math.min(23 * 3600, Math.max(settings.jobLeaseMinSeconds, byLength));
}

const inTransaction = (tx: Queryable): JobQueueConnection => ({
  executeSql: async (text, values) => ({ rows: await tx.query(text, values) }),
});

export async function startJobQueue(db: Database, options: JobQueueOptions): Promise<JobQueue> {
  const { settings, log } = options;
  const boss = new PgBoss({
    db: db.jobQueueConnection() as PgBoss.Db,
    schedule: false,
    supervise: options.supervise,
    maintenanceIntervalSeconds: settings.jobMaintenanceSeconds,
  });
  boss.on('error', (error: unknown) => log.warn('job queue error', { error: error instanceof Error ? error.message : String(error) }));
  await boss.start();
  await boss.createQueue(PROCESS_VIDEO_QUEUE, {
    name: PROCESS_VIDEO_QUEUE,
    retryLimit: settings.jobRetryLimit,
    retryDelay: settings.jobRetryDelaySeconds,
    retryBackoff: true,
  });
  const running = new Set<AbortController>();
  return {
    async enqueue(videoId, durationMs, tx) {
      const id = await boss.send(
        PROCESS_VIDEO_QUEUE,
        { videoId },
        {
          retryLimit: settings.jobRetryLimit,
          retryDelay: settings.jobRetryDelaySeconds,
          retryBackoff: true,
          expireInSeconds: leaseSeconds(durationMs, settings),
          ...(tx ? { db: inTransaction(tx) as PgBoss.Db } : {}),
        },
      );
      if (id === null) throw new Error('the job queue did not accept the job');
      return id;
    },
    async work(handler) {
      for (let i = 0; i < settings.workerConcurrency; i++) {
        await boss.work<{ videoId: string }>(
          PROCESS_VIDEO_QUEUE,
          { pollingIntervalSeconds: settings.jobPollSeconds, batchSize: 1, includeMetadata: true },
          async ([job]) => {
            const abort = new AbortController();
            running.add(abort);
            try {
              await handler({ jobId: job!.id, videoId: job!.data.videoId, retryCount: job!.retryCount, retryLimit: job!.retryLimit, signal: abort.signal });
            } finally {
              running.delete(abort);
            }
          },
        );
      }
    },
    async abandon(jobIds) {
      for (const id of jobIds) await boss.fail(PROCESS_VIDEO_QUEUE, id, { message: 'the worker running it stopped' });
    },
    async cancel(jobId) {
      await boss.cancel(PROCESS_VIDEO_QUEUE, jobId);
    },
    async stop() {
      for (const abort of running) abort.abort();
      await boss.stop({ graceful: true, close: false, wait: true, timeout: 10_000 });
    },
  };
}
