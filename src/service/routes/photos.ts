/**
 * Photos as published (the feed's and the export's image URLs): the original frame when the seller
 * left it alone, else the full-size render of its edits (crop, turn, tone, blurred plates). A render
 * is made once per edit version and kept in storage beside the video's files.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { editListSchema, editsVersion, foldEdits, isOriginal, type Edit } from '../../edits/model.js';
import { renderPhoto } from '../../edits/render.js';
import { LotreelError } from '../../errors.js';
import { getPhotoLocation } from '../../store/service.repository.js';
import { dealerOf } from '../auth.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../http-errors.js';
import { idParams } from '../schemas.js';
import { checkKey, videoPrefix, type LocalCopy, type StoredObject } from '../storage.js';

export const photoRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  app.get(
    '/api/photos/:id/image',
    // No response schema: the body is the file's bytes, streamed.
    { schema: { summary: 'The photo as published (JPEG): the original frame, or the full-size render of its edits', params: idParams, produces: ['image/jpeg'] } },
    async (request, reply) => {
      const dealerId = dealerOf(request).id;
      const photoId = request.params.id;
      const location = await getPhotoLocation(ctx.db, dealerId, photoId);
      if (!location) return notFound(reply, 'no such photo');
      const prefix = videoPrefix(dealerId, location.videoId);
      const originalKey = checkKey(`${prefix}/${location.file}`);
      const parsed = editListSchema.safeParse(location.edits);
      const edits = parsed.success ? parsed.data : [];
      let object: StoredObject | null;
      if (isOriginal(foldEdits(edits))) {
        object = await ctx.storage.read(originalKey);
      } else {
        const renderedKey = checkKey(`${prefix}/rendered/${photoId}/${editsVersion(location.file, edits)}.jpg`);
        object = (await ctx.storage.read(renderedKey)) ?? (await publishRender(ctx, originalKey, renderedKey, location, edits));
      }
      if (!object) return notFound(reply, 'the photo file is missing');
      return reply.type('image/jpeg').header('content-length', object.sizeBytes).header('cache-control', 'private, max-age=60').send(object.stream);
    },
  );
};

/**
 * Renders the edited photo at full size into storage under `renderedKey`, replacing the renders of
 * its earlier edit versions; null when the original is missing.
 */
async function publishRender(ctx: ServiceContext, originalKey: string, renderedKey: string, photo: { width: number; height: number }, edits: readonly Edit[]): Promise<StoredObject | null> {
  let original: LocalCopy;
  try {
    original = await ctx.storage.localCopy(originalKey);
  } catch (error) {
    if (error instanceof LotreelError && error.code === 'INPUT_MISSING') return null;
    throw error;
  }
  let jpeg: Buffer;
  try {
    ({ jpeg } = await renderPhoto(original.path, { width: photo.width, height: photo.height }, foldEdits(edits), ctx.config.editor));
  } finally {
    await original.release();
  }
  const scratch = await mkdtemp(join(tmpdir(), 'lotreel-render-'));
  try {
    const file = join(scratch, 'photo.jpg');
    await writeFile(file, jpeg);
    await ctx.storage.removeAll(renderedKey.slice(0, renderedKey.lastIndexOf('/')));
    await ctx.storage.putFile(renderedKey, file);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return ctx.storage.read(renderedKey);
}
