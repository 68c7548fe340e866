/** The video's inventory feed as a file: CSV (marketplace catalogue columns) or JSON. */
import { download } from '../api.js';
import { attempt } from '../attempt.js';
import { h } from '../dom.js';

export function feedDownload(videoId: string): HTMLElement {
  const save = (format: 'csv' | 'json') => attempt(() => download(`/api/videos/${videoId}/export?format=${format}`, `lotreel-${videoId}.${format}`));
  return h(
    'div',
    { className: 'toolbar feed', id: 'feed-download' },
    h('span', { className: 'muted' }, 'Feed:'),
    h('button', { type: 'button', id: 'download-csv', onclick: () => void save('csv') }, '⬇ CSV'),
    h('button', { type: 'button', id: 'download-json', onclick: () => void save('json') }, '⬇ JSON'),
  );
}
