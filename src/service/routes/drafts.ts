/** Drafts: read one with its photos; change its title, description, attributes or status. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { getDraftWithPhotos, listDraftPhotos, updateDraft } from '../../store/service.repository.js';
import { dealerOf } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../http-errors.js';
import { draft, draftPatch, errorBody, idParams } from '../schemas.js';
import { draftView } from '../views.js';

export const draftRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  const errors = { 400: errorBody, 401: errorBody, 404: errorBody };

  app.get('/api/drafts/:id', { schema: { summary: 'A listing draft with its photos', params: idParams, response: { 200: draft, ...errors } } }, async (request, reply) => {
    const found = await getDraftWithPhotos(ctx.db, dealerOf(request).id, request.params.id);
    return found ? draftView(found.draft, found.photos) : notFound(reply, 'no such draft');
  });

  app.patch(
    '/api/drafts/:id',
    {
      schema: {
        summary: 'Change a draft: title, description, status; attributes are merged into the stored ones',
        params: idParams,
        body: draftPatch,
        response: { 200: draft, 413: errorBody, ...errors },
      },
    },
    async (request, reply) => {
      const updated = await updateDraft(ctx.db, dealerOf(request).id, request.params.id, request.body);
      return updated ? draftView(updated, await listDraftPhotos(ctx.db, updated.id)) : notFound(reply, 'no such draft');
    },
  );
};
