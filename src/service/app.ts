/**
 * The HTTP API as a Fastify app: zod schemas validate every request and response and make the OpenAPI
 * document (/api/openapi.json); a bearer token names the dealer on every other /api call; each group
 * of routes is its own plugin taking the shared ServiceContext, so more can be registered.
 */
import multipart from '@fastify/multipart';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type FastifyPluginAsyncZod, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { installReelRefresh } from './reel-refresh.js';
import { installAuth } from './auth.js';
import type { ServiceContext } from './context.js';
import { errorHandler } from './http-errors.js';
import { carRoutes } from './routes/cars.js';
import { draftRoutes } from './routes/drafts.js';
import { photoRoutes } from './routes/photos.js';
import { publishingRoutes } from './routes/publishing.js';
import { reelRoutes } from './routes/reels.js';
import { uploadRoutes } from './routes/uploads.js';
import { videoRoutes } from './routes/videos.js';

export type RoutePlugin = FastifyPluginAsyncZod<{ ctx: ServiceContext }>;

/** The API's route groups, in registration order. */
export const ROUTES: readonly RoutePlugin[] = [videoRoutes, draftRoutes, carRoutes, photoRoutes, uploadRoutes, publishingRoutes, reelRoutes];

export interface BuildAppOptions {
  /** Route groups registered after the standard ones (e.g. the editor's). */
  extraRoutes?: readonly RoutePlugin[];
}

export async function buildApp(ctx: ServiceContext, options: BuildAppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: false,
    bodyLimit: ctx.config.service.maxJsonBytes,
    // Ids are uuids; anything longer is not worth routing.
    routerOptions: { maxParamLength: 200 },
    requestTimeout: 0, // uploads of gigabytes take as long as they take; tus resumes a dropped one
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler(ctx.log));
  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'not found' } }));

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'lotreel dealer API', version: '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(multipart, {
    limits: { fileSize: ctx.config.service.maxMultipartBytes, files: 1, fields: 10, fieldSize: 1024, parts: 11, headerPairs: 100 },
  });
  installAuth(app, ctx.db);
  installReelRefresh(app, ctx);

  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  for (const routes of [...ROUTES, ...(options.extraRoutes ?? [])]) await app.register(routes, { ctx });
  return app;
}
