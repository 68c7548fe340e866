/**
 * The draft's reel in the editor: the latest render in a <video> (fetched with the token, like the
 * clip: a <video> cannot send it), its state, a note when the photos or text changed since, and
 * "Render again", which queues a render and follows it until it is done.
 */
import { api, imageUrl } from '../api.js';
import type { ReelFormat, ReelView } from '../api-types.js';
import { attempt } from '../attempt.js';
import { h } from '../dom.js';

const POLL_MS = 1000;
const FORMATS: readonly ReelFormat[] = ['vertical', 'horizontal', 'square'];

/** What the editor says of the shown reel. */
function reelState(reel: ReelView | null, busy: boolean): string {
  if (!reel) return 'No reel yet.';
  // A stale reel queued is the automatic render after an edit (reel.rerenderAfterEditS later).
  if (busy && reel.stale && reel.status === 'queued') return 'The photos or text changed since this reel: it is rendered again shortly.';
  if (busy) return `Rendering… ${Math.round(reel.progress * 100)} %`;
  if (reel.status === 'failed') return `The render failed: ${reel.error ?? 'unknown error'}`;
  if (reel.stale) return 'The photos or text changed since this reel: render it again.';
  return `${Math.round((reel.durationMs ?? 0) / 1000)} s ${reel.format} reel`;
}

export function reelPlayer(draftId: string): { element: HTMLElement; stop: () => void } {
  const screen = h('div', { className: 'reel-screen', id: 'reel-screen' });
  const state = h('p', { className: 'reel-state', id: 'reel-state', role: 'status' });
  const format = h('select', { id: 'reel-format', title: 'Reel format' }, ...FORMATS.map((f) => h('option', { value: f }, f)));
  const again = h('button', { type: 'button', id: 'render-reel' }, 'Render again');
  let stopped = false;
  let shownUrl: string | null = null;

  const render = async (reels: ReelView[]) => {
    const reel = reels.find((r) => r.format === format.value) ?? reels.find((r) => r.url !== null) ?? null;
    if (reel && reel.format !== format.value) format.value = reel.format;
    const busy = reel !== null && (reel.status === 'queued' || reel.status === 'rendering');
    again.disabled = busy;
    again.textContent = reel ? 'Render again' : 'Render reel';
    state.textContent = reelState(reel, busy);
    if (reel?.url && reel.url !== shownUrl) {
      const src = await attempt(() => imageUrl(reel.url!));
      if (!src) return;
      shownUrl = reel.url;
      screen.replaceChildren(h('video', { src, controls: true, muted: true, playsInline: true, preload: 'auto', id: 'reel-video', className: 'reel-video' }));
    }
    return busy;
  };

  const follow = async () => {
    while (!stopped) {
      const reels = await attempt(() => api<ReelView[]>('GET', `/api/drafts/${draftId}/reels`));
      if (!reels || !(await render(reels))) return;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  };

  again.onclick = async () => {
    again.disabled = true;
    const queued = await attempt(() => api('POST', `/api/drafts/${draftId}/reels`, { format: format.value }));
    if (queued) await follow();
    else again.disabled = false;
  };
  format.onchange = () => void follow();
  void follow();
  const element = h('section', { className: 'reel', id: 'reel' }, h('h3', {}, 'Reel'), screen, h('div', { className: 'reel-actions' }, format, again), state);
  return { element, stop: () => (stopped = true) };
}
