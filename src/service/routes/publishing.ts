/**
 * Published image links (see image-links.ts): the photo a link names, served to anyone holding a valid
 * link (a marketplace fetching the feed has no token); the dealer's link lifetime; revocation.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { editListSchema } from '../../edits/model.js';
import { getImageLinkKey, revokeImageLinks, setImageLinkDays } from '../../store/dealers.repository.js';
import { getLinkedPhoto } from '../../store/service.repository.js';
import { dealerOf } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { platesHeld } from '../feed.js';
import { refuseHeld } from '../held-for-plates.js';
import { notFound } from '../http-errors.js';
import { checkImageLink } from '../image-links.js';
import { publishedPhoto } from '../published-photo.js';
import { errorBody, idParams, signedLinkQuery } from '../schemas.js';

const linkSettings = z.object({
  /** Days a link made now stays valid. */
  days: z.number().int(),
  /** True when the dealer set it; false: the service's default (editor.imageLinkDays). */
  own: z.boolean(),
});
const linkDays = z.strictObject({ days: z.number().int().min(1).max(366).nullable() });

export const publishingRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  const defaultDays = ctx.config.editor.imageLinkDays;
  const errors = { 400: errorBody, 401: errorBody };

  app.get(
    '/public/photos/:id/image.jpg',
    {
      schema: {
        summary: 'A published photo (JPEG) through a signed link from the feed: no token; 403 once expired or revoked',
        security: [],
        params: idParams,
        querystring: signedLinkQuery,
        produces: ['image/jpeg'],
      },
    },
    async (request, reply) => {
      const photo = await getLinkedPhoto(ctx.db, request.params.id);
      const check = photo ? checkImageLink(request.params.id, photo.linkKey, request.query.expires, request.query.signature) : 'bad_signature';
      // A missing photo and a bad signature answer alike: a link says nothing about what exists.
      if (!photo || check !== 'ok') {
        const message = check === 'expired' ? 'this image link has expired' : 'this image link is not valid (revoked or altered)';
        return reply.code(403).send({ error: { code: 'LINK_INVALID', message } });
      }
      // A link made before its car was held (or forged with a leaked key) still serves nothing.
      if (platesHeld(photo.draftAttributes)) return refuseHeld(reply, 'this photo is not published', photo.draftAttributes.platesNotBlurred);
      const parsed = editListSchema.safeParse(photo.edits);
      const object = await publishedPhoto(ctx, photo.dealerId, { ...photo, id: request.params.id, edits: parsed.success ? parsed.data : [] });
      if (!object) return notFound(reply, 'the photo file is missing');
      const maxAge = Math.max(0, Math.min(3600, request.query.expires - Math.floor(Date.now() / 1000)));
      return reply.type('image/jpeg').header('content-length', object.sizeBytes).header('cache-control', `public, max-age=${maxAge}`).send(object.stream);
    },
  );

  const settingsOf = async (dealerId: string) => {
    const link = await getImageLinkKey(ctx.db, dealerId);
    return { days: link?.days ?? defaultDays, own: link?.days !== null && link?.days !== undefined };
  };

  app.get('/api/image-links', { schema: { summary: "How long the dealer's published image links stay valid", response: { 200: linkSettings, ...errors } } }, async (request) =>
    settingsOf(dealerOf(request).id),
  );

  app.put(
    '/api/image-links',
    { schema: { summary: "Days the dealer's image links made from now on stay valid (null: the service's default)", body: linkDays, response: { 200: linkSettings, ...errors } } },
    async (request) => {
      const dealerId = dealerOf(request).id;
      await setImageLinkDays(ctx.db, dealerId, request.body.days);
      return settingsOf(dealerId);
    },
  );

  app.post(
    '/api/image-links/revoke',
    { schema: { summary: "Revoke every image link the dealer's feeds have published so far (the next feed has new ones)", response: { 204: z.null(), ...errors } } },
    async (request, reply) => {
      await revokeImageLinks(ctx.db, dealerOf(request).id);
      return reply.code(204).send(null);
    },
  );
};
