/** What the service's routes and workers share: one database, one storage, one job queue, one config, one model pool. */
import type { Config } from '../config/config.js';
import type { Logger } from '../core/log.js';
import type { FfmpegBinaries } from '../media/binaries.js';
import type { ModelPool } from '../pipeline/model-pool.js';
import type { Database } from '../store/database.js';
import type { JobQueue } from './jobs.js';
import type { Storage } from '../storage/storage.js';

export interface ServiceContext {
  db: Database;
  storage: Storage;
  queue: JobQueue;
  config: Config;
  log: Logger;
  binaries: FfmpegBinaries;
  /** The models every job of this process shares (opened on the first video). */
  models: ModelPool;
}
