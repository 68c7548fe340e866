/** The draft's photos in order: click to select, drag one onto another's place to reorder. */
import { h } from '../dom.js';
import { authImage } from './auth-image.js';
import type { EditorSession } from './editor-session.js';

export function photoStrip(session: EditorSession): { element: HTMLOListElement; render: () => void } {
  const strip = h('ol', { className: 'photos', id: 'photos' });
  let dragged: string | null = null;
  const render = () => {
    strip.replaceChildren(
      ...session.draft.photos.map((photo, index) =>
        h(
          'li',
          {
            className: `thumb${photo.id === session.selected ? ' selected' : ''}${photo.cover ? ' is-cover' : ''}`,
            draggable: 'true',
            dataset: { photoId: photo.id },
            onclick: () => session.select(photo.id),
            ondragstart: (event: DragEvent) => {
              dragged = photo.id;
              event.dataTransfer?.setData('text/plain', photo.id);
            },
            ondragover: (event: DragEvent) => event.preventDefault(),
            ondrop: (event: DragEvent) => {
              event.preventDefault();
              if (dragged && dragged !== photo.id) void session.moveTo(dragged, index);
              dragged = null;
            },
          },
          authImage(photo.previewUrl, `photo ${photo.ordinal}`),
          photo.cover ? h('span', { className: 'badge' }, 'cover') : null,
          photo.edited ? h('span', { className: 'badge edited' }, 'edited') : null,
        ),
      ),
    );
  };
  return { element: strip, render };
}
