/**
 * Serves the built editor page (dist/web, made by `npm run build` with Vite) at `/`. Only the files
 * there at start are routed, so every other path, /api/... included, stays the API's.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import type { ServiceContext } from '../context.js';

/** dist/web from src/service/editor/ (tsx) and from dist/service/editor/ (the build) alike: both are three levels down. */
export const WEB_ROOT = fileURLToPath(new URL('../../../dist/web/', import.meta.url));

export const webPage: FastifyPluginAsync<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  if (!existsSync(`${WEB_ROOT}index.html`)) {
    ctx.log.warn('the editor page is not built (npm run build): / answers 503', { root: WEB_ROOT });
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.code(503).type('text/plain').send('The editor page is not built: run `npm run build`.\n'));
    return;
  }
  await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/', wildcard: false, index: 'index.html', cacheControl: true, maxAge: 0, schemaHide: true });
};
