/** One video: its progress until it is done, then one card per car, each opening its draft; the feed to download. */
import { isVideoFinished } from '../../../src/store/video-status.js';
import { api, followVideo } from '../api.js';
import type { Car, VideoProgress } from '../api-types.js';
import { attempt } from '../attempt.js';
import { authImage } from '../components/auth-image.js';
import { carCorrections } from '../components/car-corrections.js';
import { feedDownload } from '../components/feed-download.js';
import { h, onLeave, show } from '../dom.js';
import { progressText, statusLabel } from '../format.js';

export async function videoCarsPage(videoId: string): Promise<void> {
  const grid = h('div', { className: 'cars' });
  const status = h('p', { className: 'muted', id: 'video-status' });
  show(h('div', { className: 'page-head' }, h('a', { href: '#/videos' }, '← Videos'), feedDownload(videoId)), h('h1', {}, 'Cars'), status, grid);
  const load = async () => {
    const cars = await attempt(() => api<Car[]>('GET', `/api/videos/${videoId}/cars`));
    if (!cars) return;
    grid.replaceChildren(
      ...cars.map((car, i) => {
        const cover = car.photos.find((p) => p.cover) ?? car.photos[0];
        const card = h(
          'a',
          { className: 'card car', href: car.draft ? `#/drafts/${car.draft.id}` : undefined, dataset: { carOrdinal: String(car.ordinal) } },
          cover ? authImage(`/api/photos/${cover.id}/rendered`, `car ${car.ordinal}`, 'cover') : h('div', { className: 'cover none' }, 'no photo'),
          h('strong', { className: 'title' }, car.draft?.title ?? `Car ${car.ordinal}`),
          h('span', { className: `status ${car.draft?.status ?? ''}` }, car.draft ? statusLabel(car.draft.status) : ''),
          // How sure the split is: a seller checks a car the analysis was unsure about (two cars in one, or one in two).
          ...(car.warnings.length > 0 ? [h('span', { className: 'warnings', title: `split confidence ${Math.round(car.confidence * 100)}%` }, car.warnings.join('; '))] : []),
        );
        return h('div', { className: 'car-item' }, card, carCorrections(car, cars[i + 1], load));
      }),
    );
    if (cars.length === 0) grid.append(h('p', { className: 'muted' }, 'No cars yet.'));
  };
  const first = await attempt(() => api<VideoProgress>('GET', `/api/videos/${videoId}`));
  if (first) status.textContent = progressText(first);
  if (first && !isVideoFinished(first.status)) {
    onLeave(
      followVideo(videoId, (s) => {
        status.textContent = progressText(s);
        if (s.status === 'done') void load();
      }),
    );
  }
  await load();
}
