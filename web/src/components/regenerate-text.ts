/**
 * "Regenerate text": the title and description written again from the draft's facts (the seller's
 * first). When the seller wrote text by hand it asks before replacing it, and says so when a fact
 * changed after that text (`textStale`).
 */
import { api } from '../api.js';
import type { EditorDraft } from '../api-types.js';
import { attempt } from '../attempt.js';
import { h } from '../dom.js';
import { flash } from './toast.js';

export function regenerateText(draft: EditorDraft, saved: (draft: EditorDraft) => void): HTMLElement {
  const own = draft.handWritten.join(' and ');
  const regenerate = async () => {
    if (own !== '' && !confirm(`Replace the ${own} you wrote with text written from the facts?`)) return;
    const next = await attempt(() => api<EditorDraft>('POST', `/api/drafts/${draft.id}/text`, { replaceHandWritten: own !== '' }));
    if (next) {
      saved(next);
      flash('Text written again from the facts', 'info');
    }
  };
  return h(
    'div',
    { className: 'regenerate' },
    draft.textStale ? h('p', { className: 'muted stale', id: 'text-stale' }, `The facts changed after you wrote the ${own}: it may no longer match them.`) : null,
    h('button', { type: 'button', id: 'regenerate-text', onclick: () => void regenerate() }, 'Regenerate text'),
  );
}
