import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../src/cli/args.js';
import { feedbackStats, formatFeedbackStats, type FeedbackEvent } from '../../../src/feedback/stats.js';

let clock = 0;
const event = (carId: string, kind: FeedbackEvent['kind'], extra: Partial<FeedbackEvent> = {}): FeedbackEvent => ({
  videoId: 'v1',
  carId,
  photoId: null,
  kind,
  field: null,
  before: null,
  after: null,
  at: new Date(++clock * 1000),
  ...extra,
});

describe('feedbackStats', () => {
  const proposed = [
    { carId: 'a', make: 'Ford', model: 'Kuga', photos: 10 },
    { carId: 'b', make: 'Audi', model: 'A4', photos: 8 },
    { carId: 'c', make: null, model: null, photos: 6 },
    { carId: 'd', make: 'BMW', model: 'X3', photos: 12 }, // never reviewed: not counted
  ];
  const events = [
    event('a', 'draft_reviewed'),
    event('b', 'field_changed', { field: 'model', before: 'A4', after: 'A6' }),
    event('b', 'cover_changed', { before: 'p1', after: 'p2' }),
    event('b', 'photo_deleted'),
    event('b', 'photo_deleted'),
    event('c', 'field_changed', { field: 'make', before: null, after: 'Toyota' }),
    event('a', 'field_changed', { field: 'make', before: 'Ford', after: ' ford ' }), // same value: kept
  ];

  it('judges make and model only where lotreel proposed one, and counts seller fill-ins apart', () => {
    const stats = feedbackStats(events, proposed);
    expect(stats.reviewedCars).toBe(3);
    expect(stats.make).toEqual({ judged: 2, kept: 2, accuracy: 1, filledBySeller: 1 });
    expect(stats.model).toEqual({ judged: 2, kept: 1, accuracy: 0.5, filledBySeller: 0 });
    expect(stats.makeAndModel).toMatchObject({ judged: 2, kept: 1, accuracy: 0.5 });
  });

  it('cover kept and photos deleted per reviewed car', () => {
    const stats = feedbackStats(events, proposed);
    expect(stats.cover).toEqual({ judged: 3, kept: 2, keptShare: 2 / 3 });
    expect(stats.photos).toEqual({ deleted: 2, deletedPerCar: 2 / 3, proposed: 24, deletedShare: 2 / 24 });
    expect(stats.byKind.photo_deleted).toBe(2);
  });

  it('a car no longer stored is judged from the before of its first change', () => {
    const stats = feedbackStats([
      event('x', 'field_changed', { field: 'make', before: 'Opel', after: 'Vauxhall' }),
      event('x', 'field_changed', { field: 'make', before: 'Vauxhall', after: 'Opel' }),
    ]);
    expect(stats.make).toEqual({ judged: 1, kept: 1, accuracy: 1, filledBySeller: 0 });
  });

  it('merge and split rates against the cars lotreel proposed in the reviewed videos', () => {
    const split = [
      event('a', 'cars_merged'),
      event('e', 'car_split', { videoId: 'v2' }),
      event('f', 'cars_merged', { videoId: 'v3' }), // a video gone since: its event counts, not its cars
    ];
    // v1 has 2 cars now after one merge (3 proposed); v2 has 4 after one split (3 proposed).
    const stats = feedbackStats(split, [], [{ videoId: 'v1', cars: 2 }, { videoId: 'v2', cars: 4 }]);
    expect(stats.split).toEqual({ videos: 2, proposedCars: 6, merges: 2, splits: 1, mergeRate: 2 / 6, splitRate: 1 / 6 });
    expect(formatFeedbackStats(stats)).toMatch(/cars merged\s+33\.3 %\s+\(2 of 6 proposed cars in 2 videos/);
    expect(feedbackStats(split).split).toMatchObject({ proposedCars: 0, mergeRate: null, splitRate: null });
  });

  it('no events: no figures, printed as n/a', () => {
    const stats = feedbackStats([]);
    expect(stats.make.accuracy).toBeNull();
    expect(formatFeedbackStats(stats)).toContain('n/a');
    expect(formatFeedbackStats(feedbackStats(events, proposed))).toMatch(/model\s+50\.0 %/);
  });

  it('the command line takes eval --feedback [--json]', () => {
    expect(parseCommand(['eval', '--feedback'])).toEqual({ kind: 'eval-feedback', json: false, verbose: false });
    expect(parseCommand(['eval', '--feedback', '--json'])).toMatchObject({ kind: 'eval-feedback', json: true });
    expect(() => parseCommand(['eval'])).toThrow(/eval takes exactly one folder/);
  });
});
