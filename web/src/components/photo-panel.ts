/**
 * The selected photo and its tools: crop, blur, turn, tone, straighten, undo, back to the original,
 * cover, order, another frame, delete; the plates found in it and a warning when it is small. Every
 * edit goes to the server, which answers the photo again; the controls show the photo's edit list
 * folded by the same code the server renders with.
 */
import { EDIT_LIMITS } from '../../../src/edits/limits.js';
import { foldEdits } from '../../../src/edits/fold.js';
import { originalRegionToDisplayed } from '../../../src/edits/geometry.js';
import { api } from '../api.js';
import type { Box, Edit, EditorPhoto } from '../api-types.js';
import { attempt } from '../attempt.js';
import { h } from '../dom.js';
import { seconds } from '../format.js';
import { smallPhotoNote } from '../region-geometry.js';
import { setToolShortcuts, type Shortcut } from '../shortcuts.js';
import { authImage } from './auth-image.js';
import type { EditorSession } from './editor-session.js';
import { pickFrame } from './frame-picker.js';
import { plateNotice, plateOutlines, unblurredPlates } from './plate-notice.js';
import { selectRegion } from './region-select.js';
import { slider } from './slider.js';

/** The brightness slider's range: a narrower, finer one than the edit allows. */
const BRIGHTNESS_SLIDER = { min: 0.5, max: 1.5, step: 0.05 };

type Action = { label: string; id: string; run: () => unknown; keys?: string[]; className?: string };

export function photoPanel(session: EditorSession): { element: HTMLElement; render: () => void; shortcuts: () => Shortcut[] } {
  const panel = h('section', { className: 'card panel', id: 'photo-panel' });
  let actions: Action[] = [];

  const addEdit = async (photo: EditorPhoto, edit: Edit) => {
    const next = await attempt(() => api<EditorPhoto>('POST', `/api/photos/${photo.id}/edits`, edit));
    if (next) session.replacePhoto(next);
    return next;
  };
  const blurAll = async (photo: EditorPhoto, boxes: Box[]) => {
    for (const box of boxes) if (!(await addEdit(photo, { op: 'blur', box }))) return;
  };
  const photosAnswer = async (method: string, path: string) => {
    const photos = await attempt(() => api<EditorPhoto[]>(method, path));
    if (photos) session.replacePhotos(photos);
  };
  const photoAnswer = async (method: string, path: string) => {
    const photo = await attempt(() => api<EditorPhoto>(method, path));
    if (photo) session.replacePhoto(photo);
  };
  const button = (a: Action) =>
    h('button', { type: 'button', id: a.id, className: a.className ?? '', title: a.keys ? `${a.label} (${a.keys[0]})` : a.label, 'aria-keyshortcuts': a.keys?.join(' '), onclick: a.run }, a.label);

  const render = () => {
    // A tool left open (another photo selected) no longer answers Enter or Escape.
    setToolShortcuts(null);
    const photo = session.draft.photos.find((p) => p.id === session.selected);
    if (!photo) {
      actions = [{ label: 'Add a frame from the video', id: 'add-frame', run: () => pickFrame(session, panel, null), className: 'primary' }];
      panel.replaceChildren(h('p', { className: 'muted' }, 'No photos.'), button(actions[0]!));
      return;
    }
    const state = foldEdits(photo.edits);
    const blurred = state.blurRegions.map((b) => originalRegionToDisplayed(state, photo.original, b)).filter((b) => b !== null);
    const open = unblurredPlates(photo, blurred);
    const small = smallPhotoNote(photo.displayed, session.settings.smallPhoto);
    const region = (imagePath: string, full: EditorPhoto['displayed'], title: string, op: 'crop' | 'blur' | 'unblur') =>
      selectRegion(panel, imagePath, full, {
        title,
        describe: op === 'crop' ? (box) => cropNote(box, session) : undefined,
        apply: async (box) => {
          if (!(await addEdit(photo, { op, box }))) render();
        },
        back: render,
      });
    const move = (by: number) => session.moveTo(photo.id, session.draft.photos.findIndex((p) => p.id === photo.id) + by);
    const edit: Action[] = [
      { label: 'Crop', id: 'crop', keys: ['c'], run: () => region(photo.uncroppedUrl, photo.straightened, 'Crop', 'crop') },
      { label: 'Blur', id: 'blur', keys: ['b'], run: () => region(photo.previewUrl, photo.displayed, 'Blur', 'blur') },
      { label: 'Unblur', id: 'unblur', run: () => region(photo.previewUrl, photo.displayed, 'Unblur', 'unblur') },
      { label: '⟲ Left', id: 'rotate-left', keys: ['Shift+R'], run: () => addEdit(photo, { op: 'rotate', quarterTurns: -1 }) },
      { label: '⟳ Right', id: 'rotate-right', keys: ['r'], run: () => addEdit(photo, { op: 'rotate', quarterTurns: 1 }) },
      { label: state.enhance ? 'Enhance: on' : 'Auto-enhance', id: 'enhance', keys: ['e'], run: () => addEdit(photo, { op: 'enhance', on: !state.enhance }) },
    ];
    const history: Action[] = [
      { label: '↶ Undo', id: 'undo', keys: ['Ctrl+z', 'u'], run: () => photoAnswer('POST', `/api/photos/${photo.id}/edits/undo`) },
      { label: 'Back to original', id: 'reset', run: () => photoAnswer('DELETE', `/api/photos/${photo.id}/edits`) },
    ];
    const listing: Action[] = [
      ...(photo.cover ? [] : [{ label: '★ Set as cover', id: 'set-cover', keys: ['k'], run: () => photosAnswer('POST', `/api/photos/${photo.id}/cover`), className: 'primary' }]),
      { label: '◀ Move', id: 'move-left', keys: ['['], run: () => move(-1) },
      { label: 'Move ▶', id: 'move-right', keys: [']'], run: () => move(1) },
      { label: 'Pick another frame', id: 'pick-frame', keys: ['f'], run: () => pickFrame(session, panel, photo) },
      { label: 'Add a frame', id: 'add-frame', run: () => pickFrame(session, panel, null) },
      {
        label: 'Delete photo',
        id: 'delete-photo',
        keys: ['Delete'],
        className: 'danger',
        run: async () => {
          if (confirm('Delete this photo from the listing?')) await photosAnswer('DELETE', `/api/photos/${photo.id}`);
        },
      },
    ];
    const blurPlates: Action[] = open.length > 0 ? [{ label: 'Blur plates', id: 'blur-plates-key', keys: ['Shift+B'], run: () => blurAll(photo, open) }] : [];
    actions = [...edit, ...history, ...listing, ...blurPlates];
    const preview = h('div', { className: 'preview' }, h('div', { className: 'preview-frame' }, authImage(photo.previewUrl, `photo ${photo.ordinal}, edited`, 'edited-photo'), ...plateOutlines(photo, open)));
    panel.replaceChildren(
      preview,
      h('p', { className: 'muted', id: 'photo-info' }, `${photo.displayed.width}×${photo.displayed.height} · at ${seconds(photo.timestampMs)} of the video${photo.cover ? ' · cover' : ''}`),
      plateNotice(photo, open, (boxes) => void blurAll(photo, boxes)) ?? '',
      small ? h('p', { className: 'notice warn', id: 'small-photo' }, `⚠ ${small}`) : '',
      h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Edit the photo' }, ...edit.map(button)),
      slider({ id: 'straighten', label: 'Straighten', min: -EDIT_LIMITS.maxStraightenDegrees, max: EDIT_LIMITS.maxStraightenDegrees, step: 0.5, value: state.straightenDegrees, format: (v) => `${v.toFixed(1)}°` }, (degrees) =>
        addEdit(photo, { op: 'straighten', degrees }),
      ),
      slider({ id: 'brightness', label: 'Brightness', ...BRIGHTNESS_SLIDER, value: state.brightness, format: (v) => `${Math.round(v * 100)} %` }, (factor) => addEdit(photo, { op: 'brightness', factor })),
      h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'Undo' }, ...history.map(button)),
      h('div', { className: 'toolbar', role: 'toolbar', 'aria-label': 'The photo in the listing' }, ...listing.map(button)),
    );
  };
  const shortcuts = (): Shortcut[] => actions.filter((a) => a.keys).map((a) => ({ keys: a.keys!, label: a.label, run: a.run }));
  return { element: panel, render, shortcuts };
}

/** The crop's size as it is drawn, and a warning when the photo it leaves is small. */
function cropNote(box: Box, session: EditorSession): { text: string; warn: boolean } {
  const size = { width: Math.round(box.x2 - box.x1), height: Math.round(box.y2 - box.y1) };
  const small = smallPhotoNote(size, session.settings.smallPhoto);
  return { text: small ?? `${size.width}×${size.height} px`, warn: small !== null };
}
