/**
 * Resumable uploads (the tus protocol, @tus/server) at /api/uploads: streamed to disk under
 * `<dataDir>/uploads/tus`, bounded by the configured size. An upload's id starts with its dealer's id,
 * so another dealer's upload answers 404. When the last byte arrives the file is checked (ffprobe) and
 * becomes a queued video: the final PATCH answers 204 with the video's id in `Lotreel-Video-Id`, or
 * 422 when the file is not a video (nothing is queued).
 */
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { asLotreelError } from '../../core/errors.js';
import { dealerOf } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { statusForError } from '../http-errors.js';
import { displayFileName, ingestVideo } from '../ingest.js';
import { tusUploadsDir } from '../uploads-dir.js';

const DEALER_HEADER = 'x-lotreel-dealer';
/** Unfinished uploads are removed this long after they were started. */
const UPLOAD_EXPIRY_MS = 24 * 3600 * 1000;

const dealerKey = (dealerId: string) => dealerId.replace(/-/g, '');

const tusError = (status: number, code: string, message: string) => ({ status_code: status, body: JSON.stringify({ error: { code, message } }) });

export const uploadRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  const directory = tusUploadsDir(ctx.config.dataDir);
  const datastore = new FileStore({ directory, expirationPeriodInMilliseconds: UPLOAD_EXPIRY_MS });
  const dealerIn = (req: Request) => dealerKey(req.headers.get(DEALER_HEADER) ?? '');
  const tus = new TusServer({
    path: '/api/uploads',
    datastore,
    relativeLocation: true,
    maxSize: ctx.config.service.maxUploadBytes,
    exposedHeaders: ['Lotreel-Video-Id'],
    // The id names the owner; the rest is random. No part of it comes from the client.
    namingFunction: (req) => `${dealerIn(req)}${randomBytes(16).toString('hex')}`,
    onIncomingRequest: async (req, uploadId) => {
      const owner = dealerIn(req);
      if (owner === '' || !uploadId.startsWith(owner)) throw tusError(404, 'NOT_FOUND', 'no such upload');
    },
    onUploadFinish: async (req, upload) => {
      const dealerId = req.headers.get(DEALER_HEADER)!;
      const fileName = displayFileName(upload.metadata?.filename ?? upload.metadata?.name);
      try {
        const video = await ingestVideo(ctx, dealerId, join(directory, upload.id), fileName);
        return { status_code: 204, headers: { 'Lotreel-Video-Id': video.id } };
      } catch (error) {
        const answer = statusForError(error);
        if (answer.status >= 500) ctx.log.error('upload could not be queued', { error: asLotreelError(error).message });
        throw tusError(answer.status, answer.code, answer.message);
      } finally {
        await rm(join(directory, `${upload.id}.json`), { force: true });
      }
    },
  });
  const cleanup = setInterval(() => {
    tus.cleanUpExpiredUploads().catch((error: unknown) => ctx.log.warn('expired uploads not removed', { error: asLotreelError(error).message }));
  }, 3600 * 1000);
  cleanup.unref();
  app.addHook('onClose', async () => clearInterval(cleanup));

  // tus streams request bodies itself: Fastify must leave them unread (and unbounded by its body limit).
  app.addContentTypeParser('application/offset+octet-stream', (_request, _payload, done) => done(null));
  const handler = async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    // Set here from the authenticated dealer, replacing whatever the client sent under this name
    // (tus builds its request from the raw header list).
    const raw = request.raw;
    const kept: string[] = [];
    for (let i = 0; i + 1 < raw.rawHeaders.length; i += 2) {
      if (raw.rawHeaders[i]!.toLowerCase() !== DEALER_HEADER) kept.push(raw.rawHeaders[i]!, raw.rawHeaders[i + 1]!);
    }
    raw.rawHeaders.splice(0, raw.rawHeaders.length, ...kept, DEALER_HEADER, dealerOf(request).id);
    raw.headers[DEALER_HEADER] = dealerOf(request).id;
    reply.hijack();
    await tus.handle(request.raw, reply.raw);
  };
  const schema = { summary: 'Resumable upload (tus 1.0.0: creation, creation-with-upload, termination, expiration)', hide: false };
  app.route({ method: ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'], url: '/api/uploads', schema, handler });
  app.route({ method: ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS', 'GET'], url: '/api/uploads/:id', schema, handler, exposeHeadRoute: false });
};
