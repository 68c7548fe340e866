/**
 * The draft editor: the selected photo with its tools, the photo strip, and the fields with their
 * sources. The parts share one session (the draft as the API last answered it, the selected photo).
 */
import { api } from '../api.js';
import type { EditorDraft, EditorPhoto, PhotoOrder } from '../api-types.js';
import { attempt } from '../attempt.js';
import { draftFields } from '../components/draft-fields.js';
import type { EditorSession } from '../components/editor-session.js';
import { photoPanel } from '../components/photo-panel.js';
import { photoStrip } from '../components/photo-strip.js';
import { h, show } from '../dom.js';

export async function draftEditorPage(draftId: string): Promise<void> {
  const draft = await attempt(() => api<EditorDraft>('GET', `/api/drafts/${draftId}/editor`));
  if (!draft) return;
  const session: EditorSession = {
    draft,
    selected: draft.photos.find((p) => p.cover)?.id ?? draft.photos[0]?.id ?? null,
    replacePhotos(photos) {
      session.draft = { ...session.draft, photos };
      if (!photos.some((p) => p.id === session.selected)) session.selected = photos[0]?.id ?? null;
      strip.render();
      panel.render();
    },
    replacePhoto(photo) {
      session.replacePhotos(session.draft.photos.map((p) => (p.id === photo.id ? photo : p)));
    },
    select(photoId) {
      session.selected = photoId;
      strip.render();
      panel.render();
    },
    async moveTo(photoId, index) {
      const ids = session.draft.photos.map((p) => p.id).filter((id) => id !== photoId);
      ids.splice(Math.max(0, Math.min(index, ids.length)), 0, photoId);
      const order: PhotoOrder = { photoIds: ids };
      const photos = await attempt(() => api<EditorPhoto[]>('PUT', `/api/drafts/${session.draft.id}/photo-order`, order));
      if (photos) session.replacePhotos(photos);
    },
    renderPanel: () => panel.render(),
  };
  const fields = draftFields(
    () => session.draft,
    (next) => (session.draft = next),
  );
  const strip = photoStrip(session);
  const panel = photoPanel(session);

  show(
    h('p', {}, h('a', { href: `#/videos/${draft.videoId}` }, '← Cars')),
    h('div', { className: 'editor' }, h('div', { className: 'media' }, panel.element, strip.element), fields.element),
  );
  fields.render();
  strip.render();
  panel.render();
}
