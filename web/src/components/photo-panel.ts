/**
 * The selected photo and its tools: crop, turn, straighten, tone, blur, undo, back to the original,
 * cover, order, another frame, delete. Every edit goes to the server, which answers the photo again;
 * the controls show the photo's edit list folded by the same code the server renders with.
 */
import { EDIT_LIMITS } from '../../../src/edits/limits.js';
import { foldEdits } from '../../../src/edits/fold.js';
import { api } from '../api.js';
import type { Edit, EditorPhoto } from '../api-types.js';
import { attempt } from '../attempt.js';
import { h } from '../dom.js';
import { seconds } from '../format.js';
import { authImage } from './auth-image.js';
import type { EditorSession } from './editor-session.js';
import { pickFrame } from './frame-picker.js';
import { selectRegion } from './region-select.js';

/** The brightness slider's range: a narrower, finer one than the edit allows. */
const BRIGHTNESS_SLIDER = { min: 0.5, max: 1.5, step: 0.05 };

export function photoPanel(session: EditorSession): { element: HTMLElement; render: () => void } {
  const panel = h('section', { className: 'card panel', id: 'photo-panel' });

  const addEdit = async (photo: EditorPhoto, edit: Edit) => {
    const next = await attempt(() => api<EditorPhoto>('POST', `/api/photos/${photo.id}/edits`, edit));
    if (next) session.replacePhoto(next);
  };
  const photosAnswer = async (method: string, path: string) => {
    const photos = await attempt(() => api<EditorPhoto[]>(method, path));
    if (photos) session.replacePhotos(photos);
  };
  const photoAnswer = async (method: string, path: string) => {
    const photo = await attempt(() => api<EditorPhoto>(method, path));
    if (photo) session.replacePhoto(photo);
  };

  const render = () => {
    const photo = session.draft.photos.find((p) => p.id === session.selected);
    if (!photo) {
      panel.replaceChildren(h('p', { className: 'muted' }, 'No photos.'), h('button', { type: 'button', onclick: () => void pickFrame(session, panel, null) }, 'Add a frame from the video'));
      return;
    }
    const state = foldEdits(photo.edits);
    const region = (imagePath: string, full: EditorPhoto['displayed'], title: string, op: 'crop' | 'blur' | 'unblur') =>
      selectRegion(panel, imagePath, full, title, (box) => addEdit(photo, { op, box }), render);
    const straighten = h('input', { type: 'range', min: -EDIT_LIMITS.maxStraightenDegrees, max: EDIT_LIMITS.maxStraightenDegrees, step: 0.5, id: 'straighten' });
    straighten.value = String(state.straightenDegrees);
    straighten.onchange = () => void addEdit(photo, { op: 'straighten', degrees: Number(straighten.value) });
    const brightness = h('input', { type: 'range', ...BRIGHTNESS_SLIDER, id: 'brightness' });
    brightness.value = String(state.brightness);
    brightness.onchange = () => void addEdit(photo, { op: 'brightness', factor: Number(brightness.value) });
    const button = (label: string, id: string, onclick: () => unknown, className = '') => h('button', { type: 'button', id, className, onclick }, label);
    const move = (by: number) => session.moveTo(photo.id, session.draft.photos.findIndex((p) => p.id === photo.id) + by);
    panel.replaceChildren(
      h('div', { className: 'preview' }, authImage(photo.previewUrl, `photo ${photo.ordinal}, edited`, 'edited-photo')),
      h('p', { className: 'muted' }, `${photo.displayed.width}×${photo.displayed.height} · at ${seconds(photo.timestampMs)} of the video${photo.cover ? ' · cover' : ''}`),
      h(
        'div',
        { className: 'actions' },
        button('Crop', 'crop', () => region(photo.uncroppedUrl, photo.straightened, 'Crop', 'crop')),
        button('⟲ Rotate left', 'rotate-left', () => addEdit(photo, { op: 'rotate', quarterTurns: -1 })),
        button('⟳ Rotate right', 'rotate-right', () => addEdit(photo, { op: 'rotate', quarterTurns: 1 })),
        button(state.enhance ? 'Enhance: on' : 'Auto-enhance', 'enhance', () => addEdit(photo, { op: 'enhance', on: !state.enhance })),
        button('Blur a region', 'blur', () => region(photo.previewUrl, photo.displayed, 'Blur', 'blur')),
        button('Unblur', 'unblur', () => region(photo.previewUrl, photo.displayed, 'Unblur', 'unblur')),
      ),
      h('label', { className: 'slider' }, 'Straighten ', straighten),
      h('label', { className: 'slider' }, 'Brightness ', brightness),
      h(
        'div',
        { className: 'actions' },
        button('Undo', 'undo', () => photoAnswer('POST', `/api/photos/${photo.id}/edits/undo`)),
        button('Back to original', 'reset', () => photoAnswer('DELETE', `/api/photos/${photo.id}/edits`)),
      ),
      h(
        'div',
        { className: 'actions' },
        photo.cover ? null : button('Set as cover', 'set-cover', () => photosAnswer('POST', `/api/photos/${photo.id}/cover`)),
        button('◀ Move', 'move-left', () => move(-1), 'secondary'),
        button('Move ▶', 'move-right', () => move(1), 'secondary'),
        button('Pick another frame', 'pick-frame', () => pickFrame(session, panel, photo)),
        button('Add a frame', 'add-frame', () => pickFrame(session, panel, null), 'secondary'),
        button(
          'Delete photo',
          'delete-photo',
          async () => {
            if (!confirm('Delete this photo from the listing?')) return;
            await photosAnswer('DELETE', `/api/photos/${photo.id}`);
          },
          'danger',
        ),
      ),
    );
  };
  return { element: panel, render };
}
