/**
 * Starts the service's parts in this process: the HTTP API, a worker, or both, on one database (the
 * embedded one, or a server shared by API and worker processes on many machines).
 */
import sharp from 'sharp';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/config.js';
import type { Logger } from '../core/log.js';
import { locateFfmpeg } from '../media/binaries.js';
import { openDatabase } from '../store/database.js';
import { editorClipAndSettingsRoutes } from './editor/clip-settings.routes.js';
import { editorRoutes } from './editor/editor.routes.js';
import { draftTextRoutes } from './editor/text.routes.js';
import { webPage } from './editor/web-page.js';
import { adminRoutes, newAdminSecret, writeServeFile } from './admin-channel.js';
import { buildApp } from './app.js';
import type { ServiceContext } from './context.js';
import { startJobQueue } from './jobs.js';
import { openStorage } from '../storage/index.js';
import { startWorker } from './worker.js';
import { ModelPool } from '../pipeline/model-pool.js';

export interface StartServiceOptions {
  config: Config;
  log: Logger;
  /** Serve the HTTP API on this port (0: any free port); omitted: no API. */
  port?: number;
  host?: string;
  /** Work jobs in this process. */
  worker: boolean;
}

export interface RunningService {
  ctx: ServiceContext;
  app: FastifyInstance | null;
  /** http://host:port of the API, when serving one. */
  url: string | null;
  /** Stops taking requests and jobs (running jobs are aborted and retried later), closes the database. */
  close(): Promise<void>;
}

export async function startService(options: StartServiceOptions): Promise<RunningService> {
  const { config, log } = options;
  const binaries = locateFfmpeg(config);
  sharp.concurrency(config.editor.renderThreads);
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl }, { logger: log });
  let app: FastifyInstance | null = null;
  let removeServeFile = () => {};
  let ctx: ServiceContext | null = null;
  try {
    const queue = await startJobQueue(db, { settings: config.service, log, supervise: options.worker });
    const models = new ModelPool({ modelsDir: config.modelsDir, dataDir: config.dataDir, device: config.device, settings: config.analysis, ocrModelsDir: config.ocrModelsDir, log });
    ctx = { db, storage: openStorage(config), queue, config, log, binaries, models };
    if (options.worker) await startWorker(ctx);
    let url: string | null = null;
    if (options.port !== undefined) {
      // The embedded database is this process's alone: the admin commands of this machine come through here.
      const admin = db.kind === 'pglite' ? newAdminSecret() : null;
      const publicBase = () => config.service.publicUrl ?? url!;
      // The seller's editor: its API and its page at /.
      app = await buildApp(ctx, { extraRoutes: [editorRoutes, editorClipAndSettingsRoutes, draftTextRoutes, webPage, ...(admin ? [adminRoutes(admin, publicBase)] : [])] });
      url = await app.listen({ port: options.port, host: options.host ?? '0.0.0.0' });
      if (admin) removeServeFile = writeServeFile(config.dataDir, loopbackUrl(app, options.host), admin);
      log.info('API listening', { url });
    }
    const running = ctx;
    let closing: Promise<void> | null = null;
    return {
      ctx: running,
      app,
      url,
      close: () =>
        (closing ??= (async () => {
          removeServeFile();
          await app?.close();
          await running.queue.stop();
          await running.models.close();
          await db.close();
        })()),
    };
  } catch (error) {
    removeServeFile();
    await app?.close().catch(() => undefined);
    await ctx?.queue.stop().catch(() => undefined);
    await ctx?.models.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}

/** Where this machine's commands reach the API: loopback unless it listens on one address only. */
function loopbackUrl(app: FastifyInstance, host: string | undefined): string {
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const listensEverywhere = host === undefined || host === '0.0.0.0' || host === '::';
  return `http://${listensEverywhere ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host}:${port}`;
}
