/**
 * The draft editor: the photo strip, the selected photo with its tools, the car's clip, and the fields
 * with their sources. On a phone the strip comes first, above the tools. The parts share one session
 * (the draft as the API last answered it, the selected photo); the keyboard reaches the common edits.
 */
import { api } from '../api.js';
import type { EditorDraft, EditorPhoto, EditorSettings, PhotoOrder } from '../api-types.js';
import { attempt } from '../attempt.js';
import { clipPlayer, followClip } from '../components/clip-player.js';
import { draftFields } from '../components/draft-fields.js';
import type { EditorSession } from '../components/editor-session.js';
import { photoPanel } from '../components/photo-panel.js';
import { photoStrip } from '../components/photo-strip.js';
import { platesNotLookedFor } from '../components/plate-notice.js';
import { reelPlayer } from '../components/reel-player.js';
import { shortcutHelp } from '../components/shortcut-help.js';
import { h, onLeave, show } from '../dom.js';
import { setPageShortcuts, setToolShortcuts } from '../shortcuts.js';

let settings: Promise<EditorSettings | undefined> | null = null;
/** The service's settings, asked once per page load. */
const editorSettings = () => (settings ??= attempt(() => api<EditorSettings>('GET', '/api/editor/settings')).then((s) => s ?? ((settings = null), undefined)));

export async function draftEditorPage(draftId: string): Promise<void> {
  const [draft, known] = await Promise.all([attempt(() => api<EditorDraft>('GET', `/api/drafts/${draftId}/editor`)), editorSettings()]);
  if (!draft || !known) return;
  const session: EditorSession = {
    draft,
    settings: known,
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
    known.mileageUnit,
  );
  const strip = photoStrip(session);
  const panel = photoPanel(session);
  const clip = clipPlayer(draft.clipUrl, draft.clipPending);
  const stopFollowingClip = draft.clipPending ? followClip(draft, clip) : () => undefined;
  const reel = reelPlayer(draft.id);
  const step = (by: number) => {
    const photos = session.draft.photos;
    const at = photos.findIndex((p) => p.id === session.selected);
    const next = photos[Math.max(0, Math.min(photos.length - 1, at + by))];
    if (next) session.select(next.id);
  };
  const help = shortcutHelp();

  show(
    h('div', { className: 'page-head' }, h('a', { href: `#/videos/${draft.videoId}` }, '← Cars'), help.button),
    platesNotLookedFor(draft.platesNotBlurred) ?? document.createComment('plates looked for'),
    help.element,
    h('div', { className: 'editor' }, h('div', { className: 'media' }, strip.element, clip.element, panel.element, reel.element), fields.element),
  );
  // After show(): it stops what the previous page left, this page's keys included.
  setPageShortcuts(() => [
    ...panel.shortcuts(),
    { keys: ['ArrowLeft'], label: 'previous photo', run: () => step(-1) },
    { keys: ['ArrowRight'], label: 'next photo', run: () => step(1) },
    { keys: ['p'], label: 'play or close the clip', run: () => clip.toggle() },
    { keys: ['Ctrl+s'], label: 'save the fields', run: () => fields.element.requestSubmit() },
    { keys: ['?'], label: 'show the shortcuts', run: help.toggle },
  ]);
  onLeave(() => {
    stopFollowingClip();
    reel.stop();
    setPageShortcuts(() => []);
    setToolShortcuts(null);
  });
  fields.render();
  strip.render();
  panel.render();
}
