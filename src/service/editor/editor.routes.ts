/**
 * The seller's editor API (a Fastify plugin beside the service's routes): a draft's fields with their
 * sources, its photos with their non-destructive edits, cover, order, deletion, another frame of the
 * video, and the rendered photos. Boxes in requests are in the DISPLAYED picture's full-resolution
 * pixels (a crop on the straightened picture, a blur on the cropped one) and are stored in original
 * pixels. Another dealer's draft or photo is 404, like a missing one.
 */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { displayedCropToOriginal, displayedRegionToOriginal, originalRegionToDisplayed, planRender, straightenedRect } from '../../edits/geometry.js';
import { foldEdits, isOriginal } from '../../edits/fold.js';
import { editSchema, type Edit } from '../../edits/model.js';
import { editsVersion } from '../../edits/version.js';
import { renderPhoto } from '../../edits/render.js';
import { LotreelError } from '../../core/errors.js';
import { dealerOf } from '../auth.js';
import { MARKET_MILEAGE_UNIT } from '../feed.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../http-errors.js';
import { editorDraft, editorPhoto, errorBody, fieldsPatch, filmstrip, frameChoice, idParams, photoOrder, renderQuery } from '../schemas.js';
import { publishedPhoto, renderedPrefix } from '../published-photo.js';
import { checkKey, videoPrefix, type LocalCopy } from '../../storage/storage.js';
import {
  addFrame,
  changeDraftFields,
  deletePhoto,
  getEditorDraft,
  getPhotoOwner,
  reorderPhotos,
  setCover,
  setPhotoEdits,
  swapFrame,
  type EditorDraft,
  type EditorPhoto,
} from '../../store/editor.repository.js';
import { buildFilmstrip, extractFrame, type Filmstrip } from './frames.js';

function photoView(photo: EditorPhoto) {
  const original = { width: photo.width, height: photo.height };
  const state = foldEdits(photo.edits);
  const plan = planRender(state, original);
  const frame = straightenedRect(state, original);
  const v = editsVersion(photo.file, photo.edits);
  const base = `/api/photos/${photo.id}/rendered`;
  return {
    id: photo.id,
    ordinal: photo.ordinal,
    cover: photo.isCover,
    timestampMs: photo.timestampMs,
    original,
    displayed: plan.output,
    straightened: { width: Math.round(frame.width), height: Math.round(frame.height) },
    edits: photo.edits,
    edited: !isOriginal(state),
    plates: photo.plateRegions.map((box) => originalRegionToDisplayed(state, original, box)).filter((box) => box !== null),
    previewUrl: `${base}?v=${v}`,
    uncroppedUrl: `${base}?frame=straightened&v=${v}`,
    fullUrl: `${base}?size=full&v=${v}`,
  };
}

export function editorDraftView(draft: EditorDraft) {
  const { clipFile, ...rest } = draft;
  return { ...rest, photos: draft.photos.map(photoView), clipUrl: clipFile ? `/api/drafts/${draft.id}/clip` : null, updatedAt: draft.updatedAt.toISOString() };
}

/** The edit as stored: boxes drawn on the displayed picture mapped to original pixels. */
function toStoredEdit(edit: Edit, photo: EditorPhoto): Edit {
  const original = { width: photo.width, height: photo.height };
  const state = foldEdits(photo.edits);
  switch (edit.op) {
    case 'crop':
      return { op: 'crop', box: displayedCropToOriginal(state, original, edit.box, 'straightened') };
    case 'blur':
    case 'unblur':
      return { op: edit.op, box: displayedRegionToOriginal(state, original, edit.box, 'cropped') };
    default:
      return edit;
  }
}

/** Filmstrips by car and its photo-independent segments; small and rebuilt when the process restarts. */
const filmstrips = new Map<string, Filmstrip>();

export const editorRoutes: FastifyPluginAsyncZod<{ ctx: ServiceContext }> = async (app, { ctx }) => {
  const errors = { 400: errorBody, 401: errorBody, 404: errorBody };
  const photoAnswer = { 200: editorPhoto, ...errors };
  const photosAnswer = { 200: z.array(editorPhoto), ...errors };
  const dealer = (request: Parameters<typeof dealerOf>[0]) => dealerOf(request).id;

  app.get('/api/drafts/:id/editor', { schema: { summary: "A draft as the editor shows it: fields with their sources, photos with their edits", params: idParams, response: { 200: editorDraft, ...errors } } }, async (request, reply) => {
    const draft = await getEditorDraft(ctx.db, dealer(request), request.params.id);
    return draft ? editorDraftView(draft) : notFound(reply, 'no such draft');
  });

  app.patch(
    '/api/drafts/:id/fields',
    { schema: { summary: "The seller's values of draft fields (they win over the machine's, each change is recorded) and the draft's status", params: idParams, body: fieldsPatch, response: { 200: editorDraft, ...errors } } },
    async (request, reply) => {
      const draft = await changeDraftFields(ctx.db, dealer(request), request.params.id, request.body, MARKET_MILEAGE_UNIT[ctx.config.analysis.text.market]);
      return draft ? editorDraftView(draft) : notFound(reply, 'no such draft');
    },
  );

  app.put(
    '/api/drafts/:id/photo-order',
    { schema: { summary: "The draft's photos in a new order (every photo id once)", params: idParams, body: photoOrder, response: photosAnswer } },
    async (request, reply) => {
      const photos = await reorderPhotos(ctx.db, dealer(request), request.params.id, request.body.photoIds);
      return photos ? photos.map(photoView) : notFound(reply, 'no such draft');
    },
  );

  app.get('/api/drafts/:id/filmstrip', {
    schema: {
      summary: "Small frames across the car's segments; the sprite holds them side by side",
      params: idParams,
      response: { 200: filmstrip, ...errors },
    },
  }, async (request, reply) => {
    const strip = await filmstripOf(dealer(request), request.params.id);
    if (!strip) return notFound(reply, 'no such draft');
    return { frames: strip.frames, thumbWidth: strip.thumbWidth, thumbHeight: strip.thumbHeight, spriteUrl: `/api/drafts/${request.params.id}/filmstrip/sprite` };
  });

  app.get('/api/drafts/:id/filmstrip/sprite', { schema: { summary: 'The filmstrip frames as one JPEG', params: idParams, produces: ['image/jpeg'] } }, async (request, reply) => {
    const strip = await filmstripOf(dealer(request), request.params.id);
    if (!strip) return notFound(reply, 'no such draft');
    return reply.type('image/jpeg').header('cache-control', 'private, max-age=3600').send(strip.sprite);
  });

  async function filmstripOf(dealerId: string, draftId: string): Promise<Filmstrip | null> {
    const draft = await getEditorDraft(ctx.db, dealerId, draftId);
    if (!draft) return null;
    const key = `${draft.carId}:${JSON.stringify(draft.segments)}`;
    let strip = filmstrips.get(key);
    if (!strip) {
      strip = await buildFilmstrip(ctx, dealerId, draft.videoId, draft.segments);
      if (filmstrips.size >= 64) filmstrips.clear();
      filmstrips.set(key, strip);
    }
    return strip;
  }

  app.post(
    '/api/drafts/:id/frames',
    { schema: { summary: 'Add the frame shown at a moment of the video as a new photo (full resolution)', params: idParams, body: frameChoice, response: { 201: editorPhoto, ...errors } } },
    async (request, reply) => {
      const dealerId = dealer(request);
      const draft = await getEditorDraft(ctx.db, dealerId, request.params.id);
      if (!draft) return notFound(reply, 'no such draft');
      const frame = await extractFrame(ctx, dealerId, draft.videoId, draft.carOrdinal, request.body.timestampMs);
      const photo = await addFrame(ctx.db, dealerId, draft.id, frame);
      return photo ? reply.code(201).send(photoView(photo)) : notFound(reply, 'no such draft');
    },
  );

  app.get('/api/photos/:id/edits', { schema: { summary: "A photo with its edit list and sizes", params: idParams, response: photoAnswer } }, async (request, reply) => {
    const owner = await getPhotoOwner(ctx.db, dealer(request), request.params.id);
    return owner ? photoView(owner.photo) : notFound(reply, 'no such photo');
  });

  app.post(
    '/api/photos/:id/edits',
    {
      schema: {
        summary: 'Add one edit; boxes are in displayed full-resolution pixels (crop: on the straightened picture; blur, unblur: on the edited one)',
        params: idParams,
        body: editSchema,
        response: photoAnswer,
      },
    },
    async (request, reply) => {
      const dealerId = dealer(request);
      const owner = await getPhotoOwner(ctx.db, dealerId, request.params.id);
      if (!owner) return notFound(reply, 'no such photo');
      const photo = await setPhotoEdits(ctx.db, dealerId, owner.photo.id, [...owner.photo.edits, toStoredEdit(request.body, owner.photo)]);
      return photo ? photoView(photo) : notFound(reply, 'no such photo');
    },
  );

  app.post('/api/photos/:id/edits/undo', { schema: { summary: 'Undo the last edit', params: idParams, response: photoAnswer } }, async (request, reply) => {
    const dealerId = dealer(request);
    const owner = await getPhotoOwner(ctx.db, dealerId, request.params.id);
    if (!owner) return notFound(reply, 'no such photo');
    const photo = await setPhotoEdits(ctx.db, dealerId, owner.photo.id, owner.photo.edits.slice(0, -1));
    return photo ? photoView(photo) : notFound(reply, 'no such photo');
  });

  app.delete('/api/photos/:id/edits', { schema: { summary: 'Back to the original frame: every edit dropped', params: idParams, response: photoAnswer } }, async (request, reply) => {
    const photo = await setPhotoEdits(ctx.db, dealer(request), request.params.id, []);
    return photo ? photoView(photo) : notFound(reply, 'no such photo');
  });

  app.get(
    '/api/photos/:id/rendered',
    { schema: { summary: 'The photo with its edits as JPEG: a preview (default) or full size; frame=straightened leaves the crop out', params: idParams, querystring: renderQuery, produces: ['image/jpeg'] } },
    async (request, reply) => {
      const dealerId = dealer(request);
      const owner = await getPhotoOwner(ctx.db, dealerId, request.params.id);
      if (!owner) return notFound(reply, 'no such photo');
      const { photo, videoId } = owner;
      const cacheControl = request.query.v === editsVersion(photo.file, photo.edits) ? 'private, max-age=86400' : 'no-store';
      if (request.query.size === 'full' && request.query.frame === 'cropped') {
        // The photo as published: rendered once per version and kept.
        const object = await publishedPhoto(ctx, dealerId, { ...photo, videoId });
        if (!object) return notFound(reply, 'the photo file is missing');
        return reply.type('image/jpeg').header('content-length', object.sizeBytes).header('cache-control', cacheControl).send(object.stream);
      }
      const state = foldEdits(photo.edits);
      const shown = request.query.frame === 'straightened' ? { ...state, crop: null } : state;
      let file: LocalCopy | undefined;
      try {
        file = await ctx.storage.localCopy(checkKey(`${videoPrefix(dealerId, videoId)}/${photo.file}`));
        const rendered = await renderPhoto(file.path, { width: photo.width, height: photo.height }, shown, ctx.config.editor,
          request.query.size === 'preview' ? { previewLongSide: ctx.config.editor.previewLongSide } : {});
        return reply.type('image/jpeg').header('cache-control', cacheControl).send(rendered.jpeg);
      } catch (error) {
        if (error instanceof LotreelError && error.code === 'INPUT_MISSING') return notFound(reply, 'the photo file is missing');
        throw error;
      } finally {
        await file?.release();
      }
    },
  );

  app.post('/api/photos/:id/cover', { schema: { summary: "Make the photo its car's cover", params: idParams, response: photosAnswer } }, async (request, reply) => {
    const photos = await setCover(ctx.db, dealer(request), request.params.id);
    return photos ? photos.map(photoView) : notFound(reply, 'no such photo');
  });

  app.delete('/api/photos/:id', { schema: { summary: 'Delete the photo (the next one becomes the cover if it was)', params: idParams, response: photosAnswer } }, async (request, reply) => {
    const dealerId = dealer(request);
    const owner = await getPhotoOwner(ctx.db, dealerId, request.params.id);
    const photos = owner && (await deletePhoto(ctx.db, dealerId, request.params.id));
    if (!owner || !photos) return notFound(reply, 'no such photo');
    // Its published render goes with it (the frame itself stays: the feedback event names it).
    await ctx.storage.removeAll(renderedPrefix(dealerId, { id: request.params.id, videoId: owner.videoId }));
    return photos.map(photoView);
  });

  app.post(
    '/api/photos/:id/frame',
    { schema: { summary: 'Show another moment of the video in this photo (full resolution; its edits start again)', params: idParams, body: frameChoice, response: photoAnswer } },
    async (request, reply) => {
      const dealerId = dealer(request);
      const owner = await getPhotoOwner(ctx.db, dealerId, request.params.id);
      if (!owner) return notFound(reply, 'no such photo');
      const frame = await extractFrame(ctx, dealerId, owner.videoId, owner.carOrdinal, request.body.timestampMs);
      const photo = await swapFrame(ctx.db, dealerId, owner.photo.id, frame);
      return photo ? photoView(photo) : notFound(reply, 'no such photo');
    },
  );
};
