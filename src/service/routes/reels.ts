/**
 * A draft's reels: queue a render (202; progress on the video's events stream), list them (with a
 * stale flag once the seller has changed the photos or text since), and serve one MP4 with byte
 * ranges so a browser's player can seek: to the dealer (token), and to a marketplace through the
 * feed's signed link (no token; image-links.ts).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { getEditorDraft } from '../../store/editor.repository.js';
import { getLinkedReel, getReel, listDraftReels, queueReel, setReelJob, type ReelRow } from '../../store/reels.repository.js';
import { dealerOf } from '../auth.js';
import { parseByteRange } from '../byte-range.js';
import type { ServiceContext } from '../context.js';
import { platesHeld } from '../feed.js';
import { refuseHeld } from '../held-for-plates.js';
import { notFound } from '../http-errors.js';
import { checkReelLink } from '../image-links.js';
import { reelUrl } from '../reel-links.js';
import { reelSourceVersion } from '../reel-refresh.js';
import { errorBody, idParams, reelFormat, reelView, signedLinkQuery } from '../schemas.js';

const reelParams = idParams.extend({ format: reelFormat });

export const toReelView = (reel: ReelRow, currentVersion: (format: string) => string): z.infer<typeof reelView> => ({
  format: reel.format as z.infer<typeof reelFormat>,
  status: reel.status,
  progress: reel.progress,
  error: reel.error,
  durationMs: reel.durationMs,
  stale: reel.sourceVersion !== null && reel.sourceVersion !== currentVersion(reel.format),
  url: reel.file ? reelUrl(reel) : null,
});

export const reelRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  const errors = { 400: errorBody, 401: errorBody, 404: errorBody };

  app.post(
    '/api/drafts/:id/reels',
    {
      schema: {
        summary: "Queue the render of the draft's reel in a format; progress comes as `reel` events on its video's events stream",
        params: idParams,
        body: z.object({ format: reelFormat }),
        response: { 202: z.object({ draftId: z.string(), videoId: z.string(), format: reelFormat, status: z.literal('queued') }), 409: errorBody, ...errors },
      },
    },
    async (request, reply) => {
      const dealerId = dealerOf(request).id;
      const draft = await getEditorDraft(ctx.db, dealerId, request.params.id);
      if (!draft) return notFound(reply, 'no such draft');
      if (draft.platesNotBlurred) return refuseHeld(reply, 'no reel of this draft', draft.platesNotBlurred);
      const { format } = request.body;
      await queueReel(ctx.db, draft.id, format, null);
      await setReelJob(ctx.db, draft.id, format, await ctx.queue.enqueueReel(dealerId, draft.id, format));
      return reply.code(202).send({ draftId: draft.id, videoId: draft.videoId, format, status: 'queued' as const });
    },
  );

  app.get('/api/drafts/:id/reels', { schema: { summary: "The draft's reels", params: idParams, response: { 200: z.array(reelView), ...errors } } }, async (request, reply) => {
    const draft = await getEditorDraft(ctx.db, dealerOf(request).id, request.params.id);
    if (!draft) return notFound(reply, 'no such draft');
    return (await listDraftReels(ctx.db, draft.id)).map((reel) => toReelView(reel, (format) => reelSourceVersion(draft, format)));
  });

  app.get(
    '/api/drafts/:id/reels/:format',
    {
      schema: {
        summary: 'The reel as MP4; honours a byte Range (206) so a player can seek. 409 REEL_NOT_READY while none was rendered',
        params: reelParams,
        produces: ['video/mp4'],
        response: { 409: errorBody, 416: errorBody, ...errors },
      },
    },
    async (request, reply) => {
      const reel = await getReel(ctx.db, dealerOf(request).id, request.params.id, request.params.format);
      if (!reel) return notFound(reply, 'no such reel');
      return sendReel(ctx, reel, request.headers.range, reply, 'private, max-age=60');
    },
  );

  app.get(
    '/public/reels/:id/:format/reel.mp4',
    {
      schema: {
        summary: 'A published reel (MP4, byte ranges) through a signed link from the feed: no token; 403 once expired or revoked',
        security: [],
        params: reelParams,
        querystring: signedLinkQuery,
        produces: ['video/mp4'],
        response: { 403: errorBody, 409: errorBody, 416: errorBody, 404: errorBody, 400: errorBody },
      },
    },
    async (request, reply) => {
      const { id, format } = request.params;
      const linked = await getLinkedReel(ctx.db, id, format);
      const check = linked ? checkReelLink(id, format, linked.linkKey, request.query.expires, request.query.signature) : 'bad_signature';
      // A missing reel and a bad signature answer alike: a link says nothing about what exists.
      if (!linked || check !== 'ok') {
        const message = check === 'expired' ? 'this reel link has expired' : 'this reel link is not valid (revoked or altered)';
        return reply.code(403).send({ error: { code: 'LINK_INVALID', message } });
      }
      if (platesHeld(linked.draftAttributes)) return refuseHeld(reply, 'this reel is not published', linked.draftAttributes.platesNotBlurred);
      const maxAge = Math.max(0, Math.min(3600, request.query.expires - Math.floor(Date.now() / 1000)));
      return sendReel(ctx, linked.reel, request.headers.range, reply, `public, max-age=${maxAge}`);
    },
  );
};

/** The reel's file, whole or the byte range asked for (a player seeking); 409 while none was rendered. */
async function sendReel(ctx: ServiceContext, reel: ReelRow, rangeHeader: string | undefined, reply: FastifyReply, cacheControl: string) {
  if (!reel.file) return reply.code(409).send({ error: { code: 'REEL_NOT_READY', message: `the reel is ${reel.status}` } });
  const copy = await ctx.storage.localCopy(reel.file);
  let size: number;
  try {
    size = (await stat(copy.path)).size;
  } catch (error) {
    await copy.release();
    throw error;
  }
  const range = parseByteRange(rangeHeader, size);
  reply.header('accept-ranges', 'bytes');
  if (range === 'unsatisfiable') {
    await copy.release();
    return reply.code(416).header('content-range', `bytes */${size}`).send({ error: { code: 'RANGE_NOT_SATISFIABLE', message: `the reel has ${size} bytes` } });
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const stream = createReadStream(copy.path, { start, end });
  stream.on('close', () => void copy.release());
  reply.type('video/mp4').header('cache-control', cacheControl);
  if (range) reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
  // A stream is sent as it is (no serializer); the schema lists only the error bodies.
  return reply.header('content-length', end - start + 1).send(stream as never);
}
