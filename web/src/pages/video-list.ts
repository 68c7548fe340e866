/** The dealer's videos (a thumbnail, how many cars, the status with live progress) and the upload form. */
import { isVideoFinished } from '../../../src/store/video-status.js';
import { api, followVideo, upload } from '../api.js';
import type { VideoProgress, VideoSummary } from '../api-types.js';
import { attempt } from '../attempt.js';
import { authImage } from '../components/auth-image.js';
import { h, onLeave, show } from '../dom.js';
import { carCount, progressText, seconds } from '../format.js';

export async function videoListPage(): Promise<void> {
  const list = h('ul', { className: 'videos', id: 'videos' });
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
    h('button', { type: 'submit', className: 'primary' }, 'Upload'),
  );
  // One progress stream per unfinished video; a new list stops the old ones.
  let following: Array<() => void> = [];
  onLeave(() => following.forEach((stop) => stop()));
  const refresh = async () => {
    const videos = await attempt(() => api<VideoSummary[]>('GET', '/api/videos'));
    if (!videos) return;
    following.forEach((stop) => stop());
    following = [];
    list.replaceChildren(
      ...videos.map((video) => {
        const status = h('span', { className: `status ${video.status}`, dataset: { videoStatus: video.id } }, progressText(video));
        const bar = h('progress', { max: 1, value: video.progress, hidden: isVideoFinished(video.status) });
        const cars = h('span', { className: 'car-count' }, carCount(video.carCount, video.status));
        const thumb = video.coverPhotoId ? authImage(`/api/photos/${video.coverPhotoId}/rendered`, video.fileName, 'thumb-image') : h('span', { className: 'thumb-image none' }, '🎞');
        if (!isVideoFinished(video.status)) {
          following.push(
            followVideo(video.id, (s: VideoProgress) => {
              status.textContent = progressText(s);
              status.className = `status ${s.status}`;
              bar.value = s.progress;
              bar.hidden = isVideoFinished(s.status);
              // Cars and a thumbnail exist once it is done: ask the list again.
              if (s.status === 'done') void refresh();
            }),
          );
        }
        return h(
          'li',
          { className: 'card video', dataset: { videoId: video.id } },
          h('a', { href: `#/videos/${video.id}`, className: 'video-thumb', 'aria-label': `${video.fileName}: cars` }, thumb),
          h(
            'div',
            { className: 'video-text' },
            h('a', { href: `#/videos/${video.id}`, className: 'video-name' }, video.fileName),
            h('span', { className: 'muted' }, `${seconds(video.durationMs)} · ${new Date(video.createdAt).toLocaleString()}`),
            h('span', { className: 'video-facts' }, cars, status),
            bar,
          ),
        );
      }),
    );
    if (videos.length === 0) list.append(h('li', { className: 'muted' }, 'No videos yet.'));
  };
  show(h('h1', {}, 'Videos'), form, list);
  await refresh();
}
