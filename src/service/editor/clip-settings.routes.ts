/**
 * The editor's smaller reads beside its draft routes: the car's clip (MP4, so the seller can watch the
 * car) and the settings the page words things by (the market's mileage unit, when a photo is small).
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { dealerOf } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { MARKET_MILEAGE_UNIT } from '../feed.js';
import { notFound } from '../http-errors.js';
import { editorSettings, errorBody, idParams } from '../schemas.js';
import { checkKey, videoPrefix } from '../../storage/storage.js';
import { getEditorDraft } from '../../store/editor.repository.js';

export const editorClipAndSettingsRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get('/api/editor/settings', { schema: { summary: "What the editor words by the service's settings: market, mileage unit, small-photo warning", response: { 200: editorSettings, 401: errorBody } } }, async (request) => {
    dealerOf(request);
    const market = ctx.config.analysis.text.market;
    return { market, mileageUnit: MARKET_MILEAGE_UNIT[market], smallPhoto: { longSide: ctx.config.editor.smallPhotoLongSide, shortSide: ctx.config.editor.smallPhotoShortSide } };
  });

  app.get('/api/drafts/:id/clip', { schema: { summary: "The car's clip (MP4)", params: idParams, produces: ['video/mp4'] } }, async (request, reply) => {
    const dealerId = dealerOf(request).id;
    const draft = await getEditorDraft(ctx.db, dealerId, request.params.id);
    if (!draft) return notFound(reply, 'no such draft');
    if (!draft.clipFile) return notFound(reply, 'this car has no clip');
    const object = await ctx.storage.read(checkKey(`${videoPrefix(dealerId, draft.videoId)}/${draft.clipFile}`));
    if (!object) return notFound(reply, 'the clip file is missing');
    return reply.type('video/mp4').header('content-length', object.sizeBytes).header('cache-control', 'private, max-age=3600').send(object.stream);
  });
};
