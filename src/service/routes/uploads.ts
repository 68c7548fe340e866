/**
 * Resumable uploads (the tus protocol, @tus/server) at /api/uploads: streamed to disk under
 * `<dataDir>/uploads/tus`, bounded by the configured size. An upload's id starts with its dealer's id,
 * so another dealer's upload answers 404. When the last byte arrives the file is checked (ffprobe) and
 * becomes a queued video: the final PATCH answers 204 with the video's id in `Lotreel-Video-Id`, 422
 * when the file is not a video (nothing is queued, the upload is removed), or 503 when storage or the
 * database failed: the upload is kept and queued later (upload-ingest.ts).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { FileStore } from '@tus/file-store';
import { Server as TusServer } from '@tus/server';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { asLotreelError } from '../../core/errors.js';
import { dealerOf } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { statusForError } from '../http-errors.js';
import { displayFileName, isPermanentRefusal } from '../ingest.js';
import { UploadIngester } from '../upload-ingest.js';
import { tusUploadsDir } from '../uploads-dir.js';

const DEALER_HEADER = 'x-lotreel-dealer';
/** Unfinished uploads are removed this long after they were started. */
const UPLOAD_EXPIRY_MS = 24 * 3600 * 1000;

const dealerKey = (dealerId: string) => dealerId.replace(/-/g, '');

const tusError = (status: number, code: string, message: string) => ({ status_code: status, body: JSON.stringify({ error: { code, message } }) });

/** Bytes of an unread request body the server reads and discards after an early answer; beyond, it hangs up. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * tus answers some requests before reading their body (another dealer's PATCH: 404; a stale offset:
 * 409) and then closes the connection, which the client, still sending, sees as `write EPIPE` instead
 * of the answer. While the body is untouched, the answer keeps the connection open and the rest of
 * the body is read and discarded (bounded), so every client reads its answer.
 */
function keepConnectionToDrain(request: IncomingMessage, response: ServerResponse): void {
  const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
  response.writeHead = ((...args: unknown[]) => {
    if (!request.readableDidRead && !request.readableEnded && !request.destroyed) {
      const headers = args.at(-1);
      if (Array.isArray(headers)) {
        for (let i = headers.length - 2; i >= 0; i -= 2) if (String(headers[i]).toLowerCase() === 'connection') headers.splice(i, 2);
      }
      response.removeHeader('connection');
      let drained = 0;
      request.on('data', (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > DRAIN_LIMIT_BYTES) request.socket.destroy();
      });
    }
    return writeHead(...args);
  }) as ServerResponse['writeHead'];
}

export const uploadRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  const directory = tusUploadsDir(ctx.config.dataDir);
  const datastore = new FileStore({ directory, expirationPeriodInMilliseconds: UPLOAD_EXPIRY_MS });
  const ingester = new UploadIngester(ctx, directory);
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
        const video = await ingester.ingest({ id: upload.id, dealerId, fileName });
        return { status_code: 204, headers: { 'Lotreel-Video-Id': video.id } };
      } catch (error) {
        if (!isPermanentRefusal(error)) {
          // Kept and tried again: the client may send this final (empty) PATCH again for the video's id.
          ctx.log.error('upload could not be queued yet', { error: asLotreelError(error).message });
          throw tusError(503, 'UPLOAD_KEPT', 'the upload is complete and kept; it will be queued shortly (or send the final PATCH again)');
        }
        const answer = statusForError(error);
        throw tusError(answer.status, answer.code, answer.message);
      }
    },
  });
  // Uploads finished before the last stop but never queued.
  app.addHook('onReady', async () => void ingester.resumeFinished().catch((error: unknown) => ctx.log.error('kept uploads not resumed', { error: asLotreelError(error).message })));
  app.addHook('onClose', async () => ingester.close());
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
    keepConnectionToDrain(raw, reply.raw);
    await tus.handle(request.raw, reply.raw);
  };
  const schema = { summary: 'Resumable upload (tus 1.0.0: creation, creation-with-upload, termination, expiration)', hide: false };
  app.route({ method: ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'], url: '/api/uploads', schema, handler });
  app.route({ method: ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS', 'GET'], url: '/api/uploads/:id', schema, handler, exposeHeadRoute: false });
};
