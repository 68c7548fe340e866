/**
 * Reels rendered again after the seller's edits. A successful change to what a reel shows (the draft's
 * fields or text, its photos' order, cover, edits or frames, its car merged or split) queues each of
 * the draft's finished reels whose source changed, to start `reel.rerenderAfterEditS` later: a burst
 * of edits makes one render. A reel already queued or rendering is left to its job, which looks again
 * when it is done (runReelJob); a failed one waits for the seller's "Render again".
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { getEditorDraft, type EditorDraft } from '../store/editor.repository.js';
import { listDraftReels, queueReel, setReelJob } from '../store/reels.repository.js';
import type { Queryable } from '../store/queryable.js';
import { isUuid } from '../store/service.repository.js';
import type { ServiceContext } from './context.js';

/** The version of what a reel shows: its format, the draft's fields, and its photos (order, cover, edits) and clip. */
export function reelSourceVersion(draft: Pick<EditorDraft, 'fields' | 'photos' | 'clipFile'>, format: string): string {
  const fields = Object.fromEntries(Object.entries(draft.fields).map(([name, field]) => [name, field.value]));
  const photos = draft.photos.map((p) => [p.id, p.file, p.ordinal, p.isCover, p.edits]);
  return createHash('sha256').update(JSON.stringify({ format, fields, photos, clip: draft.clipFile })).digest('hex').slice(0, 16);
}

/** What the `:id` of each route that changes a reel's source names. */
export const REEL_SOURCE_ROUTES: Readonly<Record<string, 'draft' | 'photo' | 'car'>> = {
  '/api/drafts/:id': 'draft',
  '/api/drafts/:id/fields': 'draft',
  '/api/drafts/:id/photo-order': 'draft',
  '/api/drafts/:id/frames': 'draft',
  '/api/drafts/:id/text': 'draft',
  '/api/photos/:id': 'photo',
  '/api/photos/:id/edits': 'photo',
  '/api/photos/:id/edits/undo': 'photo',
  '/api/photos/:id/cover': 'photo',
  '/api/photos/:id/frame': 'photo',
  '/api/cars/:id/merge': 'car',
  '/api/cars/:id/split': 'car',
};

/** The dealer's draft `id` (a draft, photo or car id) belongs to, when that draft has a reel. */
async function draftWithReels(db: Queryable, dealerId: string, kind: 'draft' | 'photo' | 'car', id: string): Promise<string | null> {
  if (!isUuid(id)) return null;
  const match = { draft: 'd.id = $1', car: 'c.id = $1', photo: 'c.id = (select car_id from photos where id = $1)' }[kind];
  const [row] = await db.query<{ id: string }>(
    `select d.id from drafts d join cars c on c.id = d.car_id join videos v on v.id = c.video_id
     where ${match} and v.dealer_id = $2 and exists (select 1 from reels r where r.draft_id = d.id)`,
    [id, dealerId],
  );
  return row?.id ?? null;
}

/** Queues a later render of each of the draft's finished reels that no longer shows what the draft does. */
export async function refreshStaleReels(ctx: ServiceContext, dealerId: string, draftId: string): Promise<string[]> {
  const draft = await getEditorDraft(ctx.db, dealerId, draftId);
  if (!draft) return [];
  const stale = (await listDraftReels(ctx.db, draftId)).filter((reel) => reel.status === 'done' && reel.sourceVersion !== reelSourceVersion(draft, reel.format));
  for (const reel of stale) {
    await queueReel(ctx.db, draftId, reel.format, null);
    await setReelJob(ctx.db, draftId, reel.format, await ctx.queue.enqueueReel(dealerId, draftId, reel.format, { startAfterS: ctx.config.reel.rerenderAfterEditS }));
  }
  return stale.map((reel) => reel.format);
}

/** Installs the hooks: the edited draft is found before the route runs (a deleted photo is gone after). */
export function installReelRefresh(app: FastifyInstance, ctx: ServiceContext): void {
  const edited = new WeakMap<FastifyRequest, { dealerId: string; draftId: string }>();
  app.addHook('preHandler', async (request) => {
    const kind = REEL_SOURCE_ROUTES[request.routeOptions.url ?? ''];
    const id = (request.params as { id?: unknown } | undefined)?.id;
    if (!kind || request.method === 'GET' || request.method === 'HEAD' || !request.dealer || typeof id !== 'string') return;
    const draftId = await draftWithReels(ctx.db, request.dealer.id, kind, id);
    if (draftId) edited.set(request, { dealerId: request.dealer.id, draftId });
  });
  // Before the answer goes out, so that the seller's next read already sees the reel queued.
  app.addHook('onSend', async (request, reply, payload) => {
    const edit = edited.get(request);
    if (!edit || reply.statusCode >= 300) return payload;
    // The edit is saved; a reel not queued now is still marked stale.
    await refreshStaleReels(ctx, edit.dealerId, edit.draftId).catch((error: unknown) =>
      ctx.log.warn('reel not queued again after an edit', { draft: edit.draftId, error: error instanceof Error ? error.message : String(error) }),
    );
    return payload;
  });
}
