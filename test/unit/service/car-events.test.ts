import { describe, expect, it } from 'vitest';
import { newCarEvents, newClipEvents } from '../../../src/service/car-events.js';
import type { ServiceCar } from '../../../src/store/service.repository.js';

const car = (id: string, ordinal: number, segments: [number, number][]): ServiceCar =>
  ({
    id,
    videoId: 'v',
    ordinal,
    color: null,
    bodyType: null,
    make: null,
    model: null,
    year: null,
    confidence: 1,
    warnings: [],
    segments: segments.map(([startMs, endMs]) => ({ startMs, endMs })),
    photos: [],
    draft: null,
  }) as unknown as ServiceCar;

describe('newCarEvents', () => {
  it('announces each stored car once, as it comes', () => {
    const announced = new Map();
    expect(newCarEvents('v', [car('a', 1, [[0, 10_000]])], announced).map((e) => e.car.id)).toEqual(['a']);
    expect(newCarEvents('v', [car('a', 1, [[0, 10_000]])], announced)).toEqual([]);
    const next = newCarEvents('v', [car('a', 1, [[0, 10_000]]), car('b', 2, [[12_000, 20_000]])], announced);
    expect(next).toEqual([expect.objectContaining({ videoId: 'v', replaces: [], merged: false, car: expect.objectContaining({ id: 'b', ordinal: 2 }) })]);
  });

  it('names the cars a final-pass car takes the place of, and says when a revisit was merged into it', () => {
    const announced = new Map();
    newCarEvents('v', [car('a', 1, [[0, 10_000]]), car('b', 2, [[12_000, 20_000]]), car('a2', 3, [[22_000, 30_000]])], announced);
    // The final pass: car a and its revisit a2 are one car; b is kept.
    const events = newCarEvents('v', [car('m', 1, [[0, 10_000], [22_000, 30_000]]), car('b', 2, [[12_000, 20_000]])], announced);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ car: { id: 'm' }, replaces: ['a', 'a2'], merged: true });
    // A car redrawn over one earlier car's stretch replaces it without a merge.
    const redrawn = newCarEvents('v', [car('m', 1, [[0, 10_000], [22_000, 30_000]]), car('c', 2, [[12_500, 20_000]])], announced);
    expect(redrawn[0]).toMatchObject({ car: { id: 'c' }, replaces: ['b'], merged: false });
  });
});

describe('clip events', () => {
  it('announces each clip once, only for a car already announced', () => {
    const announced = new Map<string, unknown>([['a', []]]);
    const sent = new Set<string>();
    const states = [
      { id: 'a', draftId: 'da', hasClip: false },
      { id: 'b', draftId: 'db', hasClip: true },
    ];
    // b's clip is there but b itself is not announced yet; a has no clip yet.
    expect(newClipEvents('v', states, announced, sent)).toEqual([]);
    announced.set('b', []);
    expect(newClipEvents('v', states, announced, sent)).toEqual([{ videoId: 'v', carId: 'b', draftId: 'db', clipUrl: '/api/drafts/db/clip' }]);
    states[0].hasClip = true;
    expect(newClipEvents('v', states, announced, sent).map((e) => e.carId)).toEqual(['a']);
    expect(newClipEvents('v', states, announced, sent)).toEqual([]);
  });
});
