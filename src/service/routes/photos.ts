/** Photos: the rendered JPEG of a dealer's photo. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { getPhotoLocation } from '../../store/service.repository.js';
import { dealerOf } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../http-errors.js';
import { idParams } from '../schemas.js';
import { checkKey, videoPrefix } from '../storage.js';

export const photoRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get(
    '/api/photos/:id/image',
    // No response schema: the body is the file's bytes, streamed.
    { schema: { summary: 'The photo as JPEG', params: idParams, produces: ['image/jpeg'] } },
    async (request, reply) => {
      const dealerId = dealerOf(request).id;
      const location = await getPhotoLocation(ctx.db, dealerId, request.params.id);
      if (!location) return notFound(reply, 'no such photo');
      const object = await ctx.storage.read(checkKey(`${videoPrefix(dealerId, location.videoId)}/${location.file}`));
      if (!object) return notFound(reply, 'the photo file is missing');
      return reply.type('image/jpeg').header('content-length', object.sizeBytes).header('cache-control', 'private, max-age=60').send(object.stream);
    },
  );
};
