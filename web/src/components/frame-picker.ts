/** Another moment of the video: the car's filmstrip, one click shows that frame in the photo (or adds it). */
import { api, imageUrl } from '../api.js';
import type { EditorPhoto, Filmstrip, FrameChoice } from '../api-types.js';
import { attempt } from '../attempt.js';
import { h } from '../dom.js';
import { seconds } from '../format.js';
import type { EditorSession } from './editor-session.js';

/** Shows the filmstrip in `panel`; with `photo` null the chosen frame becomes a new photo. */
export async function pickFrame(session: EditorSession, panel: HTMLElement, photo: EditorPhoto | null): Promise<void> {
  const heading = photo ? 'Pick another frame' : 'Add a frame';
  panel.replaceChildren(h('h2', {}, heading), h('p', { className: 'muted' }, 'Loading the video…'));
  const film = await attempt(() => api<Filmstrip>('GET', `/api/drafts/${session.draft.id}/filmstrip`));
  if (!film) return session.renderPanel();
  const sprite = await imageUrl(film.spriteUrl);
  const choose = async (timestampMs: number) => {
    panel.append(h('p', { className: 'muted' }, `Extracting the frame at ${seconds(timestampMs)}…`));
    const choice: FrameChoice = { timestampMs };
    if (photo) {
      const next = await attempt(() => api<EditorPhoto>('POST', `/api/photos/${photo.id}/frame`, choice));
      if (next) session.replacePhoto(next);
    } else {
      const added = await attempt(() => api<EditorPhoto>('POST', `/api/drafts/${session.draft.id}/frames`, choice));
      if (added) {
        session.selected = added.id;
        session.replacePhotos([...session.draft.photos, added]);
      }
    }
  };
  const frames = film.frames.map((frame, i) =>
    h(
      'button',
      {
        type: 'button',
        className: 'frame',
        title: seconds(frame.timestampMs),
        dataset: { timestampMs: String(frame.timestampMs) },
        style: `width:${film.thumbWidth / 2}px;height:${film.thumbHeight / 2}px;background-image:url(${sprite});background-size:${(film.thumbWidth * film.frames.length) / 2}px ${film.thumbHeight / 2}px;background-position:-${(i * film.thumbWidth) / 2}px 0`,
        onclick: () => void choose(frame.timestampMs),
      },
      h('span', {}, seconds(frame.timestampMs)),
    ),
  );
  panel.replaceChildren(
    h('h2', {}, heading),
    h('div', { className: 'filmstrip', id: 'filmstrip' }, ...frames),
    h('button', { type: 'button', className: 'secondary', onclick: () => session.renderPanel() }, 'Cancel'),
  );
}
