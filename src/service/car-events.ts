/**
 * The `car` and `clip` events of a video's events stream (pure): one per car as soon as its rows are
 * stored, which is before the video is done (see pipeline/streaming-cars.ts). A car the final pass
 * stored in place of cars already announced (a revisit merged into it, a split drawn differently)
 * names them in `replaces`; `merged` says it took in more than one of them, or cars with separate
 * stretches of the video. A `clip` event follows each car's `car` event once its clip is stored
 * (before the video is done: clips are encoded after their drafts).
 */
import type { ServiceCar } from '../store/service.repository.js';
import { carView } from './views.js';

export interface CarEvent {
  videoId: string;
  car: ReturnType<typeof carView>;
  /** Ids of cars announced earlier on this stream that this one takes the place of. */
  replaces: string[];
  merged: boolean;
}

type Segment = { startMs: number; endMs: number };
const overlaps = (a: readonly Segment[], b: readonly Segment[]) => a.some((s) => b.some((t) => s.startMs < t.endMs && t.startMs < s.endMs));

/** Events for the cars not announced yet; `announced` (id -> segments) is updated to the cars now stored. */
export function newCarEvents(videoId: string, cars: readonly ServiceCar[], announced: Map<string, readonly Segment[]>): CarEvent[] {
  const present = new Set(cars.map((c) => c.id));
  const gone = [...announced].filter(([id]) => !present.has(id));
  const events = cars
    .filter((car) => !announced.has(car.id))
    .map((car) => {
      const replaced = gone.filter(([, segments]) => overlaps(segments, car.segments));
      return { videoId, car: carView(car), replaces: replaced.map(([id]) => id), merged: replaced.length > 1 || (replaced.length === 1 && car.segments.length > replaced[0][1].length) };
    });
  announced.clear();
  for (const car of cars) announced.set(car.id, car.segments);
  return events;
}

export interface ClipEvent {
  videoId: string;
  carId: string;
  draftId: string | null;
  /** Where the editor plays it (as in the editor's draft). */
  clipUrl: string | null;
}

/** Events for the clips stored since the last call, of cars already announced; `sent` is updated. */
export function newClipEvents(videoId: string, cars: readonly { id: string; draftId: string | null; hasClip: boolean }[], announced: ReadonlyMap<string, unknown>, sent: Set<string>): ClipEvent[] {
  const events = cars
    .filter((car) => car.hasClip && announced.has(car.id) && !sent.has(car.id))
    .map((car) => ({ videoId, carId: car.id, draftId: car.draftId, clipUrl: car.draftId ? `/api/drafts/${car.draftId}/clip` : null }));
  for (const e of events) sent.add(e.carId);
  return events;
}
