/** The car's clip in the editor: fetched with the token on demand, played in place, closed again. */
import { imageUrl } from '../api.js';
import { attempt } from '../attempt.js';
import { h } from '../dom.js';

/** `pending`: no clip yet, it is being encoded (open the draft again later). */
export function clipPlayer(clipUrl: string | null, pending = false): { element: HTMLElement; toggle: () => Promise<void> } {
  const holder = h('div', { className: 'clip', id: 'clip' });
  const idle = clipUrl ? '▶ Play clip' : pending ? 'Clip being made…' : 'No clip';
  const button = h('button', { type: 'button', id: 'play-clip', title: pending ? 'The clip is still being made: open the draft again in a minute' : "Play the car's clip (p)", 'aria-keyshortcuts': 'p', disabled: clipUrl === null }, idle);
  let video: HTMLVideoElement | null = null;
  const toggle = async () => {
    if (!clipUrl) return;
    if (video) {
      video.pause();
      video.remove();
      video = null;
      button.textContent = '▶ Play clip';
      return;
    }
    button.textContent = 'Loading…';
    // An object URL, like the photos: a <video> cannot send the token.
    const url = await attempt(() => imageUrl(clipUrl));
    if (!url) {
      button.textContent = '▶ Play clip';
      return;
    }
    video = h('video', { src: url, controls: true, autoplay: true, muted: true, playsInline: true, id: 'clip-video', className: 'clip-video' });
    holder.append(video);
    button.textContent = '■ Close clip';
  };
  button.onclick = () => void toggle();
  holder.append(button);
  return { element: holder, toggle };
}
