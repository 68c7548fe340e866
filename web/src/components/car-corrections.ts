/**
 * The seller's corrections of the split into cars, under a car's card: merge it with the next car, or
 * split it in two at one of its photos (that photo starts the new car) or mid-footage. Each asks for
 * confirmation first; the page shows the video's cars again afterwards.
 */
import { api } from '../api.js';
import type { Car } from '../api-types.js';
import { attempt } from '../attempt.js';
import { h } from '../dom.js';
import { seconds } from '../format.js';
import { flash } from './toast.js';

type SplitPoint = { atMs: number } | { photoId: string };

/** Where a car can be split: before each photo after its first moment, and the middle of its footage. */
function splitPoints(car: Car): Array<{ label: string; point: SplitPoint }> {
  const start = Math.min(...car.segments.map((s) => s.startMs));
  const end = Math.max(...car.segments.map((s) => s.endMs));
  if (!(end > start + 1)) return [];
  const atPhotos = car.photos
    .filter((p) => p.timestampMs > start && p.timestampMs < end)
    .map((p) => ({ label: `at photo ${p.ordinal} (${seconds(p.timestampMs)})`, point: { photoId: p.id } as SplitPoint }));
  const middle = Math.round((start + end) / 2);
  return [...atPhotos, { label: `mid-footage (${seconds(middle)})`, point: { atMs: middle } }];
}

export function carCorrections(car: Car, next: Car | undefined, onChanged: () => Promise<void>): HTMLElement {
  const box = h('div', { className: 'car-actions', dataset: { carId: car.id } });
  const run = async (question: string, path: string, body: unknown, done: string) => {
    if (!window.confirm(question)) return;
    if ((await attempt(() => api<Car[]>('POST', path, body))) === undefined) return;
    flash(done, 'info');
    await onChanged();
  };
  if (next) {
    box.append(
      h('button', {
        type: 'button',
        className: 'merge-next',
        onClick: () =>
          run(
            `Merge car ${car.ordinal} and car ${next.ordinal} into one car? Car ${car.ordinal} keeps both cars' photos; its draft will need review again.`,
            `/api/cars/${car.id}/merge`,
            { carId: next.id },
            `Cars ${car.ordinal} and ${next.ordinal} merged`,
          ),
      }, 'Merge with next car'),
    );
  }
  const points = splitPoints(car);
  if (points.length > 0) {
    const choice = h('select', { className: 'split-point', 'aria-label': `where to split car ${car.ordinal}` }, ...points.map((p, i) => h('option', { value: String(i) }, p.label)));
    const split = () => {
      const picked = points[Number(choice.value)]!;
      return run(
        `Split car ${car.ordinal} in two ${picked.label}? Both cars' drafts will need review.`,
        `/api/cars/${car.id}/split`,
        picked.point,
        `Car ${car.ordinal} split in two`,
      );
    };
    box.append(choice, h('button', { type: 'button', className: 'split-here', onClick: split }, 'Split here'));
  }
  return box;
}
