/**
 * The car's clip in the editor: fetched with the token on demand, played in place, closed again. A
 * clip still being made is shown as soon as it is stored (see followClip).
 */
import { api, followVideo, imageUrl } from '../api.js';
import type { EditorDraft } from '../api-types.js';
import { attempt } from '../attempt.js';
import { h } from '../dom.js';
import { isVideoFinished } from '../../../src/store/video-status.js';

export interface ClipPlayer {
  element: HTMLElement;
  toggle: () => Promise<void>;
  /** The clip has been stored (`clipUrl`), or the video is done without one (null). */
  arrived: (clipUrl: string | null) => void;
}

/** `pending`: no clip yet, it is being encoded. */
export function clipPlayer(initialUrl: string | null, pending = false): ClipPlayer {
  let clipUrl = initialUrl;
  const holder = h('div', { className: 'clip', id: 'clip' });
  const idle = clipUrl ? '▶ Play clip' : pending ? 'Clip being made…' : 'No clip';
  const button = h('button', { type: 'button', id: 'play-clip', title: pending ? 'The clip is still being made: it plays here once stored' : "Play the car's clip (p)", 'aria-keyshortcuts': 'p', disabled: clipUrl === null }, idle);
  let video: HTMLVideoElement | null = null;
  const toggle = async () => {
    const playing = clipUrl;
    if (!playing) return;
    if (video) {
      video.pause();
      video.remove();
      video = null;
      button.textContent = '▶ Play clip';
      return;
    }
    button.textContent = 'Loading…';
    // An object URL, like the photos: a <video> cannot send the token.
    const url = await attempt(() => imageUrl(playing));
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
  const arrived = (url: string | null) => {
    if (clipUrl) return;
    clipUrl = url;
    button.disabled = url === null;
    button.title = url ? "Play the car's clip (p)" : 'This car has no clip';
    button.textContent = url ? '▶ Play clip' : 'No clip';
  };
  return { element: holder, toggle, arrived };
}

/**
 * Until the clip of `draft`, still being made, arrives: its `clip` event on the video's stream, or,
 * when the video is done or failed without one (or the page can only poll), the draft's clip as the
 * API then has it. Returns a function that stops following.
 */
export function followClip(draft: Pick<EditorDraft, 'id' | 'videoId'>, player: Pick<ClipPlayer, 'arrived'>): () => void {
  let stopped = false;
  const stopStream = followVideo(
    draft.videoId,
    (status) => {
      if (stopped || !isVideoFinished(status.status)) return;
      stop();
      api<EditorDraft>('GET', `/api/drafts/${draft.id}/editor`).then(
        (latest) => player.arrived(latest.clipUrl),
        () => undefined, // the draft stays as shown; opening it again tells
      );
    },
    (event, data) => {
      const clip = data as { draftId?: string; clipUrl?: string };
      if (stopped || event !== 'clip' || clip.draftId !== draft.id || !clip.clipUrl) return;
      stop();
      player.arrived(clip.clipUrl);
    },
  );
  function stop(): void {
    stopped = true;
    stopStream();
  }
  return stop;
}
