/**
 * Bearer-token authentication as a Fastify hook: every /api request (the OpenAPI document aside) must
 * carry `Authorization: Bearer <token>` of a known dealer; the dealer is then `request.dealer`.
 * Token hashes are remembered for a short while, so a burst of reads costs one lookup.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { findDealerByTokenHash, type Dealer } from '../store/dealers.repository.js';
import type { Database } from '../store/database.js';
import { hashApiToken, looksLikeApiToken } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated dealer (set by the auth hook on every /api route that needs one). */
    dealer: Dealer | null;
  }
}

/** Paths served without a token. */
const PUBLIC_PATHS = new Set(['/api/openapi.json']);
const CACHE_MS = 30_000;
const CACHE_MAX = 10_000;

/** The request's dealer; routes behind the auth hook always have one. */
export function dealerOf(request: FastifyRequest): Dealer {
  if (request.dealer === null) throw new Error('route reached without authentication');
  return request.dealer;
}

export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer ([^\s]+)$/i.exec(header ?? '');
  return match ? match[1]! : null;
}

/** Installs the hook on the root instance, so it runs before every route, registered before or after. */
export function installAuth(app: FastifyInstance, db: Database): void {
  const cache = new Map<string, { dealer: Dealer; until: number }>();
  app.decorateRequest('dealer', null);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    // The admin routes check serve's own secret (admin-channel.ts).
    if (!path.startsWith('/api/') || PUBLIC_PATHS.has(path) || path.startsWith('/api/admin/')) return;
    const token = bearerToken(request.headers.authorization);
    const unauthorized = () =>
      reply.code(401).header('www-authenticate', 'Bearer').send({ error: { code: 'UNAUTHORIZED', message: 'a valid API token is needed (Authorization: Bearer <token>)' } });
    if (token === null || !looksLikeApiToken(token)) return unauthorized();
    const hash = hashApiToken(token);
    const now = Date.now();
    const cached = cache.get(hash);
    let dealer = cached !== undefined && cached.until > now ? cached.dealer : null;
    if (dealer === null) {
      dealer = await findDealerByTokenHash(db, hash);
      if (dealer === null) return unauthorized();
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(hash, { dealer, until: now + CACHE_MS });
    }
    request.dealer = dealer;
  });
}
