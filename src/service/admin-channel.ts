/**
 * One process holds the embedded database: while `lotreel serve` runs on it, `dealers add`, `dealers
 * list` and `export` go through serve. Serve writes `<dataDir>/serve.json` (owner-only: its loopback
 * URL and a random admin secret, made per start) and answers /api/admin/* only from loopback with that
 * secret; the commands read the file and call. The file goes when serve stops.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LotreelError } from '../core/errors.js';
import { insertDealer, listDealers } from '../store/dealers.repository.js';
import type { ServiceContext } from './context.js';
import { MARKET_MILEAGE_UNIT } from './feed.js';
import { dealerFeed } from './feed-export.js';
import { bearerToken } from './auth.js';
import { feedItem } from './schemas.js';
import { hashApiToken, newApiToken } from './tokens.js';

export interface ServeFile {
  pid: number;
  /** Where serve answers on loopback. */
  url: string;
  secret: string;
}

export const serveFilePath = (dataDir: string): string => join(dataDir, 'serve.json');

export const newAdminSecret = (): string => randomBytes(32).toString('base64url');

/** Writes the file for this serve; returns its remover (which leaves a newer serve's file alone). */
export function writeServeFile(dataDir: string, url: string, secret: string): () => void {
  const content = JSON.stringify({ pid: process.pid, url, secret } satisfies ServeFile) + '\n';
  const path = serveFilePath(dataDir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode: 0o600 });
  renameSync(tmp, path);
  return () => {
    try {
      if (readFileSync(path, 'utf8') === content) rmSync(path);
    } catch {
      // already gone
    }
  };
}

export function readServeFile(dataDir: string): ServeFile | null {
  try {
    const parsed = JSON.parse(readFileSync(serveFilePath(dataDir), 'utf8')) as Partial<ServeFile>;
    return typeof parsed.url === 'string' && typeof parsed.secret === 'string' && typeof parsed.pid === 'number' ? (parsed as ServeFile) : null;
  } catch {
    return null;
  }
}

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/** The admin routes, for the commands of this machine (loopback and the secret, nothing else). */
export function adminRoutes(secret: string, publicBase: () => string): FastifyPluginAsyncZod<{ ctx: ServiceContext }> {
  const expected = Buffer.from(secret);
  return async (app, { ctx }) => {
    app.addHook('onRequest', async (request, reply) => {
      const given = Buffer.from(bearerToken(request.headers.authorization) ?? '');
      const allowed = LOOPBACK.has(request.socket.remoteAddress ?? '') && given.length === expected.length && timingSafeEqual(given, expected);
      if (!allowed) return reply.code(401).send({ error: { code: 'UNAUTHORIZED', message: 'admin calls come from this machine with serve\'s admin secret' } });
    });
    const hide = { hide: true } as const;
    app.post('/api/admin/dealers', { schema: { ...hide, body: z.strictObject({ name: z.string().trim().min(1).max(200) }) } }, async (request) => {
      const token = newApiToken();
      const dealer = await insertDealer(ctx.db, request.body.name, hashApiToken(token));
      return { id: dealer.id, name: dealer.name, createdAt: dealer.createdAt.toISOString(), token };
    });
    app.get('/api/admin/dealers', { schema: hide }, async () => (await listDealers(ctx.db)).map((d) => ({ ...d, createdAt: d.createdAt.toISOString() })));
    app.get(
      '/api/admin/export',
      { schema: { ...hide, querystring: z.object({ dealer: z.string().min(1), video: z.string().optional() }), response: { 200: z.array(feedItem) } } },
      async (request) =>
        dealerFeed(ctx.db, request.query, { base: publicBase(), defaultDays: ctx.config.editor.imageLinkDays, mileageUnit: MARKET_MILEAGE_UNIT[ctx.config.analysis.text.market] }),
    );
  };
}

/** Calls the running serve's admin API; its error answers come back as LotreelErrors with the same message. */
export async function callServe<T>(serve: ServeFile, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(serve.url + path, {
      method,
      headers: { authorization: `Bearer ${serve.secret}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new LotreelError('DATABASE_FAILED', `lotreel serve (pid ${serve.pid}) holds the embedded database but does not answer at ${serve.url}: stop it, or use PostgreSQL (DATABASE_URL)`, { cause: error });
  }
  const answer = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!response.ok) {
    const message = answer?.error?.message ?? `HTTP ${response.status}`;
    if (response.status === 400) throw new LotreelError('INVALID_ARGUMENT', message);
    throw new LotreelError('DATABASE_FAILED', `lotreel serve (pid ${serve.pid}) answered: ${message}`);
  }
  return answer as T;
}
