/** Videos: upload (multipart), list, status, progress events, cars, export, delete. */
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LotreelError } from '../../core/errors.js';
import { listVideoReels } from '../../store/reels.repository.js';
import { deleteDealerVideo, getVideo, listCars, listVideos } from '../../store/service.repository.js';
import { carStatesOfVideo } from '../../store/streamed-cars.repository.js';
import { newCarEvents, newClipEvents } from '../car-events.js';
import { dealerOf } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { feedCsv, MARKET_MILEAGE_UNIT, toFeedItems } from '../feed.js';
import { notFound } from '../http-errors.js';
import { displayFileName, ingestVideo } from '../ingest.js';
import { car, errorBody, exportQuery, feedItem, idParams, videoCreated, videoStatus, videoSummary } from '../schemas.js';
import { videoPrefix } from '../../storage/storage.js';
import { incomingPath } from '../uploads-dir.js';
import { dealerLinks } from '../image-links.js';
import { carView, videoStatusView, videoSummaryView } from '../views.js';
import { withReelUrls } from '../reel-links.js';

/** How often an events stream looks at the video's row, and sends a keep-alive comment. */
const EVENTS_POLL_MS = 500;
const EVENTS_KEEPALIVE_MS = 15_000;

export const videoRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  const errors = { 400: errorBody, 401: errorBody, 404: errorBody };

  app.post(
    '/api/videos',
    {
      schema: {
        summary: 'Upload a video (multipart/form-data, field `file`) and queue it for processing',
        consumes: ['multipart/form-data'],
        response: { 202: videoCreated, 413: errorBody, 415: errorBody, 422: errorBody, ...errors },
      },
    },
    async (request, reply) => {
      const dealer = dealerOf(request);
      if (!request.isMultipart()) return reply.code(415).send({ error: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send multipart/form-data with a `file` field' } });
      const part = await request.file({ limits: { fileSize: ctx.config.service.maxMultipartBytes } });
      if (part === undefined || part.fieldname !== 'file') throw new LotreelError('INVALID_ARGUMENT', 'the multipart body needs a `file` field');
      const temp = incomingPath(ctx.config.dataDir);
      try {
        await pipeline(part.file, createWriteStream(temp, { flags: 'wx' }));
        if (part.file.truncated) throw Object.assign(new Error('file too large'), { statusCode: 413 });
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
      // The client still holds the file: after any failure it sends it again, so nothing is kept here.
      const video = await ingestVideo(ctx, dealer.id, temp, displayFileName(part.filename)).finally(() => rm(temp, { force: true }));
      return reply.code(202).send({ id: video.id });
    },
  );

  app.get('/api/videos', { schema: { summary: "The dealer's videos, newest first", response: { 200: z.array(videoSummary), ...errors } } }, async (request) => {
    return (await listVideos(ctx.db, dealerOf(request).id)).map(videoSummaryView);
  });

  app.get('/api/videos/:id', { schema: { summary: "A video's processing status", params: idParams, response: { 200: videoStatus, ...errors } } }, async (request, reply) => {
    const video = await getVideo(ctx.db, dealerOf(request).id, request.params.id);
    return video ? videoStatusView(video) : notFound(reply, 'no such video');
  });

  app.get(
    '/api/videos/:id/events',
    {
      schema: {
        summary:
          'Server-sent events: `car` for each car as soon as it is stored (before the video is done; `replaces` names cars it takes the place of), `clip` when the clip of a car is stored (after its `car`; carId, draftId, clipUrl), `progress` with the status on every change, then `done` or `failed`; `reel` with a reel render state on every change (draftId, format, status, progress); the stream ends when the video is finished and no reel of it is queued or rendering',
        params: idParams,
        produces: ['text/event-stream'],
        response: errors,
      },
    },
    async (request, reply) => {
      const dealerId = dealerOf(request).id;
      const first = await getVideo(ctx.db, dealerId, request.params.id);
      if (!first) return notFound(reply, 'no such video');
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      let closed = false;
      request.raw.on('close', () => (closed = true));
      let last = '';
      let lastSent = Date.now();
      let video: typeof first | null = first;
      let finished = false;
      const reelsSent = new Map<string, string>();
      const announced = new Map<string, readonly { startMs: number; endMs: number }[]>();
      const clipsSent = new Set<string>();
      while (!closed) {
        if (video === null) {
          res.write(`event: failed\ndata: ${JSON.stringify({ id: request.params.id, status: 'failed', progress: 0, stage: null, error: 'the video was deleted' })}\n\n`);
          break;
        }
        // Cars and their clips first: every car and clip is announced before the video's `done`.
        try {
          const states = await carStatesOfVideo(ctx.db, video.id);
          if (states.length !== announced.size || states.some((car) => !announced.has(car.id))) {
            const cars = (await listCars(ctx.db, dealerId, video.id)) ?? [];
            for (const event of newCarEvents(video.id, cars, announced)) res.write(`event: car\ndata: ${JSON.stringify(event)}\n\n`);
          }
          for (const event of newClipEvents(video.id, states, announced, clipsSent)) res.write(`event: clip\ndata: ${JSON.stringify(event)}\n\n`);
        } catch (error) {
          ctx.log.warn('events stream stopped', { error: error instanceof Error ? error.message : String(error) });
          break;
        }
        const data = JSON.stringify(videoStatusView(video));
        if (data !== last) {
          res.write(`event: progress\ndata: ${data}\n\n`);
          last = data;
          lastSent = Date.now();
        } else if (Date.now() - lastSent > EVENTS_KEEPALIVE_MS) {
          res.write(': keep-alive\n\n');
          lastSent = Date.now();
        }
        if ((video.status === 'done' || video.status === 'failed') && !finished) {
          res.write(`event: ${video.status}\ndata: ${data}\n\n`);
          finished = true;
        }
        let rendering = false;
        try {
          for (const reel of await listVideoReels(ctx.db, video.id)) {
            const reelData = JSON.stringify({ draftId: reel.draftId, format: reel.format, status: reel.status, progress: reel.progress, error: reel.error });
            const key = `${reel.draftId}/${reel.format}`;
            if (reelsSent.get(key) !== reelData) res.write(`event: reel\ndata: ${reelData}\n\n`);
            reelsSent.set(key, reelData);
            rendering ||= reel.status === 'queued' || reel.status === 'rendering';
          }
        } catch (error) {
          ctx.log.warn('events stream stopped', { error: error instanceof Error ? error.message : String(error) });
          break;
        }
        if (finished && !rendering) break;
        await new Promise((resolve) => setTimeout(resolve, EVENTS_POLL_MS));
        if (closed) break;
        try {
          video = await getVideo(ctx.db, dealerId, request.params.id);
        } catch (error) {
          ctx.log.warn('events stream stopped', { error: error instanceof Error ? error.message : String(error) });
          break;
        }
      }
      res.end();
    },
  );

  app.get('/api/videos/:id/cars', { schema: { summary: 'The cars found in a video, with photos and drafts', params: idParams, response: { 200: z.array(car), ...errors } } }, async (request, reply) => {
    const cars = await listCars(ctx.db, dealerOf(request).id, request.params.id);
    return cars ? cars.map(carView) : notFound(reply, 'no such video');
  });

  app.get(
    '/api/videos/:id/export',
    {
      schema: {
        summary: "A video's cars as an inventory feed: JSON, or CSV with marketplace catalogue columns",
        params: idParams,
        querystring: exportQuery,
        produces: ['application/json', 'text/csv'],
        response: { 200: z.union([z.array(feedItem), z.string()]), ...errors },
      },
    },
    async (request, reply) => {
      const dealerId = dealerOf(request).id;
      const cars = await listCars(ctx.db, dealerId, request.params.id);
      if (!cars) return notFound(reply, 'no such video');
      const base = ctx.config.service.publicUrl ?? `${request.protocol}://${request.host}`;
      // Image and reel links a marketplace opens without the token: signed, expiring, revocable.
      const links = await dealerLinks(ctx.db, dealerId, base, ctx.config.editor.imageLinkDays);
      const feed = toFeedItems(cars, links.image, MARKET_MILEAGE_UNIT[ctx.config.analysis.text.market]);
      const items = await withReelUrls(ctx.db, request.params.id, cars, feed, links.reel);
      if (request.query.format === 'csv') {
        return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="lotreel-${request.params.id}.csv"`).send(feedCsv(items));
      }
      return items;
    },
  );

  app.delete('/api/videos/:id', { schema: { summary: 'Delete a video with its cars, photos, drafts and files', params: idParams, response: { 204: z.null(), ...errors } } }, async (request, reply) => {
    const dealerId = dealerOf(request).id;
    const deleted = await deleteDealerVideo(ctx.db, dealerId, request.params.id);
    if (!deleted) return notFound(reply, 'no such video');
    if (deleted.jobId) await ctx.queue.cancel(deleted.jobId).catch(() => undefined); // a finished job cannot be cancelled
    await ctx.storage.removeAll(videoPrefix(dealerId, deleted.id));
    return reply.code(204).send(null);
  });
};
