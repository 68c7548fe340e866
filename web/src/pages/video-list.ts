/** The dealer's videos with live progress, and the upload form. */
import { isVideoFinished } from '../../../src/store/video-status.js';
import { api, followVideo, upload } from '../api.js';
import type { VideoSummary } from '../api-types.js';
import { attempt } from '../attempt.js';
import { h, onLeave, show } from '../dom.js';
import { progressText, seconds } from '../format.js';

export async function videoListPage(): Promise<void> {
  const list = h('ul', { className: 'videos' });
  const fileInput = h('input', { type: 'file', accept: 'video/*', name: 'video', id: 'video-file' });
  const form = h(
    'form',
    {
      className: 'card upload',
      onsubmit: async (event: Event) => {
        event.preventDefault();
        const file = fileInput.files?.[0];
        if (!file) return;
        const created = await attempt(() => upload(file));
        if (created) {
          fileInput.value = '';
          await refresh();
        }
      },
    },
    h('label', { for: 'video-file' }, 'Upload a walkaround video'),
    fileInput,
    h('button', { type: 'submit' }, 'Upload'),
  );
  const refresh = async () => {
    const videos = await attempt(() => api<VideoSummary[]>('GET', '/api/videos'));
    if (!videos) return;
    list.replaceChildren(
      ...videos.map((video) => {
        const status = h('span', { className: `status ${video.status}`, dataset: { videoStatus: video.id } }, progressText(video));
        const bar = h('progress', { max: 1, value: video.progress });
        if (!isVideoFinished(video.status)) {
          onLeave(
            followVideo(video.id, (s) => {
              status.textContent = progressText(s);
              status.className = `status ${s.status}`;
              bar.value = s.progress;
            }),
          );
        }
        return h(
          'li',
          { className: 'card video' },
          h('a', { href: `#/videos/${video.id}` }, video.fileName),
          h('span', { className: 'muted' }, `${seconds(video.durationMs)} · ${new Date(video.createdAt).toLocaleString()}`),
          bar,
          status,
        );
      }),
    );
    if (videos.length === 0) list.append(h('li', { className: 'muted' }, 'No videos yet.'));
  };
  show(h('h1', {}, 'Videos'), form, list);
  await refresh();
}
