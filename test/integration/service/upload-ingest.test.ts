/**
 * Finished tus uploads whose ingest fails: the real API (Fastify, @tus/server, pg-boss) over loopback,
 * storing into a real S3-compatible server (s3rver) whose proxy injects failures. A transient failure
 * (storage, database, queue) keeps the upload and queues it on a later try, one of this process, of
 * the client (the final PATCH again) or of the next start; a file that is not a video is removed;
 * nothing is queued twice and no object is left without its row. On PGlite always, and on a PostgreSQL
 * server when DATABASE_URL is set (a database of this file's own; a run without it skips that backend
 * and the global setup says so, or fails the run in CI).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import * as tus from 'tus-js-client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../../src/config/config.js';
import { LotreelError } from '../../../src/core/errors.js';
import { createLogger } from '../../../src/core/log.js';
import { locateFfmpeg } from '../../../src/media/binaries.js';
import { ModelPool } from '../../../src/pipeline/model-pool.js';
import { buildApp } from '../../../src/service/app.js';
import type { ServiceContext } from '../../../src/service/context.js';
import { startJobQueue } from '../../../src/service/jobs.js';
import { hashApiToken, newApiToken } from '../../../src/service/tokens.js';
import { S3Storage } from '../../../src/storage/s3-storage.js';
import { insertDealer } from '../../../src/store/dealers.repository.js';
import { openDatabase } from '../../../src/store/index.js';
import { startS3Server, type S3TestServer } from '../../helpers/s3-server.js';
import { backends, type TestStore } from '../store/backends.js';
import { binaries } from '../../../fixtures/run.js';

const FAST_RETRY = { attempts: 2, baseDelayMs: 10, maxDelayMs: 20 };

// Set by each backend's beforeAll; the backends run one after the other.
let s3: S3TestServer;
let store: TestStore;
let dataDir: string;
let config: Config;
let token: string;
let dealerId: string;
const logLines: string[] = [];

interface Api {
  ctx: ServiceContext;
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/** The API as `lotreel serve` builds it (no worker: queued jobs just wait), on this backend's database and data folder. */
async function startApi(): Promise<Api> {
  const log = createLogger('info', (line) => logLines.push(line));
  const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const queue = await startJobQueue(db, { settings: config.service, log, supervise: false });
  // No video is processed here: the pool never opens a model.
  const models = new ModelPool({ modelsDir: config.modelsDir, dataDir: config.dataDir, device: 'cpu', settings: config.analysis, log });
  const ctx: ServiceContext = { db, storage: new S3Storage(s3.settings, { retry: FAST_RETRY }), queue, config, log, binaries: locateFfmpeg(config), models };
  const app = await buildApp(ctx);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    ctx,
    app,
    url,
    async close() {
      await app.close();
      await queue.stop();
      await db.close();
    },
  };
}

let api: Api;
const tusDir = () => join(dataDir, 'uploads', 'tus');

let clips = 0;
/** A real, short MP4 (ffmpeg's test pattern), different each time so no two share a fingerprint. */
async function clip(): Promise<Buffer> {
  const path = join(dataDir, `clip-${++clips}.mp4`);
  execFileSync(binaries().ffmpeg, ['-v', 'error', '-f', 'lavfi', '-i', `testsrc=size=160x120:rate=10:duration=${1 + clips * 0.3}`, '-pix_fmt', 'yuv420p', '-y', path]);
  return readFile(path);
}

/** One tus upload in two chunks: the final PATCH's status and video id, or its error. */
function upload(url: string, bytes: Buffer) {
  return new Promise<{ url: string; status: number; videoId: string | null; code: string | null }>((resolve) => {
    const up: tus.Upload = new tus.Upload(bytes, {
      endpoint: `${url}/api/uploads`,
      headers: { authorization: `Bearer ${token}` },
      metadata: { filename: 'lot.mp4' },
      chunkSize: Math.ceil(bytes.length / 2),
      retryDelays: null,
      storeFingerprintForResuming: false,
      onSuccess: ({ lastResponse }) => resolve({ url: up.url!, status: lastResponse.getStatus(), videoId: lastResponse.getHeader('Lotreel-Video-Id') ?? null, code: null }),
      onError: (error) => {
        const response = (error as tus.DetailedError).originalResponse;
        const body = response?.getBody() ?? '';
        resolve({ url: up.url ?? '', status: response?.getStatus() ?? 0, videoId: null, code: body ? JSON.parse(body).error.code : null });
      },
    });
    up.start();
  });
}

async function videos(url: string): Promise<string[]> {
  const res = await fetch(`${url}/api/videos`, { headers: { authorization: `Bearer ${token}` } });
  return ((await res.json()) as { id: string }[]).map((v) => v.id);
}

async function eventually<T>(probe: () => Promise<T | null>, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const originals = async () => (await s3.keys()).filter((k) => k.startsWith(`${dealerId}/`) && k.endsWith('/original'));
const isOriginalPut = (r: { method: string; url: string }) => r.method === 'PUT' && r.url.endsWith('/original');

describe.each(backends)('upload ingest on $kind', (backend) => {
  beforeAll(async () => {
    s3 = await startS3Server();
    store = await backend.create();
    dataDir = store.config.dataDir;
    await mkdir(dataDir, { recursive: true });
    config = loadConfig({ HOME: dataDir, LOTREEL_DATA_DIR: dataDir, ...(store.config.databaseUrl ? { DATABASE_URL: store.config.databaseUrl } : {}) });
    const db = await openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
    token = newApiToken();
    dealerId = (await insertDealer(db, 'Dealer A', hashApiToken(token))).id;
    await db.close();
    api = await startApi();
  });

  afterAll(async () => {
    await api?.close();
    await s3?.close();
    await store?.cleanup();
  });

  beforeEach(() => {
    s3.clearFaults();
    logLines.length = 0;
  });

  describe('finished tus uploads whose ingest fails', () => {
    it('keeps the upload when storage fails and queues it on a later try of its own', async () => {
      const before = await videos(api.url);
      s3.inject({ match: isOriginalPut, fault: { status: 503, code: 'SlowDown' }, times: FAST_RETRY.attempts });
      const first = await upload(api.url, await clip());
      expect(first).toMatchObject({ status: 503, code: 'UPLOAD_KEPT' });
      const id = first.url.split('/').at(-1)!;
      // Bytes and metadata are still there, marked finished (the store's expiry would take unfinished ones).
      expect(existsSync(join(tusDir(), id))).toBe(true);
      const info = JSON.parse(await readFile(join(tusDir(), `${id}.json`), 'utf8'));
      expect(info.offset).toBe(info.size);
      expect(await videos(api.url)).toEqual(before);

      const added = await eventually(async () => ((await videos(api.url)).length > before.length ? await videos(api.url) : null));
      expect(added.length).toBe(before.length + 1);
      await eventually(async () => (readdirSync(tusDir()).length === 0 ? true : null)); // removed once queued
      expect(await originals()).toHaveLength(added.length);
      expect(logLines.some((l) => l.includes('kept and tried again'))).toBe(true);
    });

    it('keeps the upload when the database or the queue fails; the final PATCH sent again queues it once', async () => {
      for (const failing of ['database', 'queue'] as const) {
        const before = await videos(api.url);
        const restore = failOnce(api.ctx, failing);
        const first = await upload(api.url, await clip());
        restore();
        expect(first, failing).toMatchObject({ status: 503, code: 'UPLOAD_KEPT' });
        // The copy stored before the failed transaction went with it: every original has its row.
        expect(await originals()).toHaveLength(before.length);

        const size = Number(JSON.parse(await readFile(join(tusDir(), `${first.url.split('/').at(-1)}.json`), 'utf8')).size);
        const again = await fetch(new URL(first.url, api.url), {
          method: 'PATCH',
          headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-offset': String(size), 'content-type': 'application/offset+octet-stream' },
        });
        expect(again.status).toBe(204);
        const videoId = again.headers.get('lotreel-video-id');
        expect(await videos(api.url)).toEqual([videoId, ...before]);
        expect(readdirSync(tusDir())).toEqual([]);
        expect(await originals()).toHaveLength(before.length + 1);
      }
      // The retries scheduled after the failures find nothing left to do.
      await new Promise((r) => setTimeout(r, 2500));
      const jobs = await api.ctx.db.query<{ n: number }>(`select count(*)::int as n from pgboss.job`);
      expect(jobs[0]!.n).toBe((await videos(api.url)).length);
    });

    it('removes an upload refused for good (not a video)', async () => {
      const refused = await upload(api.url, Buffer.from('not a video\n'.repeat(1000)));
      expect(refused).toMatchObject({ status: 422, code: 'INPUT_NOT_VIDEO' });
      expect(readdirSync(tusDir())).toEqual([]);
    });

    it('queues, when the service starts again, an upload it could not queue before it stopped', async () => {
      const before = await videos(api.url);
      s3.inject({ match: isOriginalPut, fault: { status: 500, code: 'InternalError' }, times: 1000 });
      const first = await upload(api.url, await clip());
      expect(first.status).toBe(503);
      await api.close();
      expect(readdirSync(tusDir()).sort()).toEqual([first.url.split('/').at(-1), `${first.url.split('/').at(-1)}.json`].sort());
      s3.clearFaults();

      api = await startApi();
      const after = await eventually(async () => ((await videos(api.url)).length > before.length ? await videos(api.url) : null));
      expect(after.length).toBe(before.length + 1);
      await eventually(async () => (readdirSync(tusDir()).length === 0 ? true : null));
      expect(logLines.some((l) => l.includes('finished uploads to queue again'))).toBe(true);
    });
  });

  describe('early answers to tus requests with a body', () => {
    it("answers another dealer's PATCH with 404 that the client reads, its body drained (no EPIPE)", async () => {
      const stranger = `${'0'.repeat(32)}${'f'.repeat(32)}`; // not this dealer's prefix
      // Bodies from under a socket buffer to well over one, each answered before it is read.
      for (const size of [1024, 300 * 1024, 4 * 1024 * 1024, 32 * 1024 * 1024, 1024, 300 * 1024]) {
        const body = new Uint8Array(size);
        const res = await fetch(`${api.url}/api/uploads/${stranger}`, {
          method: 'PATCH',
          headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', 'upload-offset': '0', 'content-type': 'application/offset+octet-stream' },
          body,
        });
        expect(res.status).toBe(404);
        expect((await res.json()).error.code).toBe('NOT_FOUND');
        // tus would close the connection under the client's still-sending body (EPIPE on a slower
        // machine); the server keeps it and reads the rest instead, so the next request can use it.
        expect(res.headers.get('connection'), `${size} bytes`).not.toBe('close');
      }
      expect(await videos(api.url)).toBeInstanceOf(Array);
    });
  });
});

/** Makes the next ingest transaction (database) or enqueue (queue) fail once, as a dropped connection would. */
function failOnce(ctx: ServiceContext, what: 'database' | 'queue'): () => void {
  if (what === 'database') {
    const original = ctx.db.transaction.bind(ctx.db);
    ctx.db.transaction = (async () => {
      ctx.db.transaction = original;
      throw new LotreelError('DATABASE_FAILED', 'connection terminated unexpectedly');
    }) as typeof original;
    return () => (ctx.db.transaction = original);
  }
  const original = ctx.queue.enqueue.bind(ctx.queue);
  ctx.queue.enqueue = async () => {
    ctx.queue.enqueue = original;
    throw new LotreelError('DATABASE_FAILED', 'job queue unavailable');
  };
  return () => (ctx.queue.enqueue = original);
}
