/** The real Fastify app over a test's open database (PGlite or a server), its job queue and model pool, for injected HTTP. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../../src/config/config.js';
import { silentLogger } from '../../src/core/log.js';
import { locateFfmpeg } from '../../src/media/binaries.js';
import { ModelPool } from '../../src/pipeline/model-pool.js';
import { buildApp } from '../../src/service/app.js';
import type { ServiceContext } from '../../src/service/context.js';
import { startJobQueue } from '../../src/service/jobs.js';
import { openStorage } from '../../src/storage/index.js';
import type { Database } from '../../src/store/index.js';

export interface TestApp {
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startTestApp(db: Database, config: Config): Promise<TestApp> {
  const queue = await startJobQueue(db, { settings: config.service, log: silentLogger, supervise: false });
  const models = new ModelPool({ modelsDir: config.modelsDir, dataDir: config.dataDir, device: 'cpu', settings: config.analysis, log: silentLogger });
  const ctx: ServiceContext = { db, storage: openStorage(config), queue, config, log: silentLogger, binaries: locateFfmpeg(config), models };
  const app = await buildApp(ctx);
  return {
    app,
    async close() {
      await app.close();
      await queue.stop();
    },
  };
}
