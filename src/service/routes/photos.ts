/** Photos as published: the feed's and the export's image links (see published-photo.ts). */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { editListSchema } from '../../edits/model.js';
import { getPhotoLocation } from '../../store/service.repository.js';
import { dealerOf } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../http-errors.js';
import { platesHeld } from '../feed.js';
import { refuseHeld } from '../held-for-plates.js';
import { publishedPhoto } from '../published-photo.js';
import { idParams } from '../schemas.js';

export const photoRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get(
    '/api/photos/:id/image',
    // No response schema: the body is the file's bytes, streamed.
    { schema: { summary: 'The photo as published (JPEG): the original frame, or the full-size render of its edits', params: idParams, produces: ['image/jpeg'] } },
    async (request, reply) => {
      const dealerId = dealerOf(request).id;
      const location = await getPhotoLocation(ctx.db, dealerId, request.params.id);
      if (!location) return notFound(reply, 'no such photo');
      if (platesHeld(location.draftAttributes)) return refuseHeld(reply, 'this photo is not published', location.draftAttributes.platesNotBlurred);
      const parsed = editListSchema.safeParse(location.edits);
      const object = await publishedPhoto(ctx, dealerId, { ...location, id: request.params.id, edits: parsed.success ? parsed.data : [] });
      if (!object) return notFound(reply, 'the photo file is missing');
      return reply.type('image/jpeg').header('content-length', object.sizeBytes).header('cache-control', 'private, max-age=60').send(object.stream);
    },
  );
};
