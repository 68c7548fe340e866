/**
 * The sellers' corrections as accuracy figures (pure): what lotreel got right in the field.
 *
 * A car counts as reviewed once its seller touched its draft (any correction) or marked it reviewed.
 * - make/model accuracy: of the reviewed cars for which lotreel proposed a value, the share whose
 *   value the seller kept (a change to the same value, ignoring case and spaces, is kept);
 *   a value the seller filled in where lotreel had none is counted apart, as missing;
 * - cover kept: the share of reviewed cars whose seller did not choose another cover;
 * - photos deleted per reviewed car (and the share of the photos lotreel proposed);
 * - the split into cars: of the cars lotreel proposed in the videos sellers reviewed, the share merged
 *   into another (one car seen as two) and the share split (two cars seen as one).
 */
export const FEEDBACK_KINDS = [
  'field_changed',
  'photo_deleted',
  'cover_changed',
  'frame_swapped',
  'photo_added',
  'photo_cropped',
  'photos_reordered',
  'draft_reviewed',
  /** Two cars of a video were one: the survivor's id, `before` both cars, `after` the merged one. */
  'cars_merged',
  /** One car was two: the first part keeps the id, `after` names the new car and where it was split. */
  'car_split',
] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export interface FeedbackEvent {
  videoId: string;
  carId: string;
  photoId: string | null;
  kind: FeedbackKind;
  /** For field_changed: make, model, year, colour, mileage, title, description. */
  field: string | null;
  before: unknown;
  after: unknown;
  at: Date;
}

export interface FieldAccuracy {
  /** Reviewed cars where lotreel proposed a value. */
  judged: number;
  kept: number;
  /** kept / judged, null when nothing was judged. */
  accuracy: number | null;
  /** Reviewed cars where lotreel had no value and the seller gave one. */
  filledBySeller: number;
}

export interface FeedbackStats {
  events: number;
  reviewedCars: number;
  make: FieldAccuracy;
  model: FieldAccuracy;
  /** Make and model both kept, of the cars where lotreel proposed both. */
  makeAndModel: FieldAccuracy;
  cover: { judged: number; kept: number; keptShare: number | null };
  photos: { deleted: number; deletedPerCar: number | null; proposed: number; deletedShare: number | null };
  framesSwapped: number;
  cropped: number;
  split: SplitCorrections;
  byKind: Record<FeedbackKind, number>;
}

export interface SplitCorrections {
  /** Videos with any feedback, and the cars lotreel proposed in them (cars now, plus merged away, less split off). */
  videos: number;
  proposedCars: number;
  merges: number;
  splits: number;
  /** merges / proposedCars and splits / proposedCars; null without proposed cars. */
  mergeRate: number | null;
  splitRate: number | null;
}

/** A video that has feedback, with the number of cars it has now. */
export interface ReviewedVideo {
  videoId: string;
  cars: number;
}

/** What lotreel proposed for a car, as known when the seller first reviewed it. */
export interface ProposedCar {
  carId: string;
  make: string | null;
  model: string | null;
  /** Photos lotreel chose for it. */
  photos: number;
}

const normalised = (value: unknown) => (value === null || value === undefined ? '' : String(value).trim().toLowerCase().replace(/\s+/g, ' '));
const empty = (value: unknown) => normalised(value) === '';
const share = (part: number, whole: number) => (whole === 0 ? null : part / whole);

function fieldAccuracy(reviewed: readonly string[], proposed: Map<string, ProposedCar>, finals: Map<string, Map<string, unknown>>, field: 'make' | 'model'): FieldAccuracy {
  let judged = 0;
  let kept = 0;
  let filledBySeller = 0;
  for (const carId of reviewed) {
    const machine = proposed.get(carId)?.[field] ?? null;
    const changes = finals.get(carId);
    const final = changes?.has(field) ? changes.get(field) : machine;
    if (empty(machine)) {
      if (!empty(final)) filledBySeller++;
      continue;
    }
    judged++;
    if (normalised(final) === normalised(machine)) kept++;
  }
  return { judged, kept, accuracy: share(kept, judged), filledBySeller };
}

/**
 * Figures from the events (any order) and what lotreel proposed per car. A reviewed car missing from
 * `proposed` has its proposal taken from the `before` of its first change of each field.
 */
export function feedbackStats(events: readonly FeedbackEvent[], proposedCars: readonly ProposedCar[] = [], videos: readonly ReviewedVideo[] = []): FeedbackStats {
  const ordered = [...events].sort((a, b) => a.at.getTime() - b.at.getTime());
  const byKind = Object.fromEntries(FEEDBACK_KINDS.map((kind) => [kind, 0])) as Record<FeedbackKind, number>;
  const reviewed: string[] = [];
  const proposed = new Map(proposedCars.map((car) => [car.carId, { ...car }]));
  const finals = new Map<string, Map<string, unknown>>();
  const coverChanged = new Set<string>();
  let deleted = 0;
  for (const event of ordered) {
    byKind[event.kind]++;
    if (!reviewed.includes(event.carId)) reviewed.push(event.carId);
    if (event.kind === 'field_changed' && event.field !== null) {
      let changes = finals.get(event.carId);
      if (!changes) finals.set(event.carId, (changes = new Map()));
      if (!proposed.has(event.carId)) proposed.set(event.carId, { carId: event.carId, make: null, model: null, photos: 0 });
      const car = proposed.get(event.carId)!;
      // The first change of a field says what lotreel had proposed, when the caller did not.
      if ((event.field === 'make' || event.field === 'model') && !changes.has(event.field) && !proposedCars.some((c) => c.carId === event.carId)) {
        car[event.field] = event.before === null || event.before === undefined ? null : String(event.before);
      }
      changes.set(event.field, event.after);
    }
    if (event.kind === 'cover_changed') coverChanged.add(event.carId);
    if (event.kind === 'photo_deleted') deleted++;
  }
  const make = fieldAccuracy(reviewed, proposed, finals, 'make');
  const model = fieldAccuracy(reviewed, proposed, finals, 'model');
  let bothJudged = 0;
  let bothKept = 0;
  for (const carId of reviewed) {
    const car = proposed.get(carId);
    if (!car || empty(car.make) || empty(car.model)) continue;
    bothJudged++;
    const changes = finals.get(carId);
    const keeps = (field: 'make' | 'model') => normalised(changes?.has(field) ? changes.get(field) : car[field]) === normalised(car[field]);
    if (keeps('make') && keeps('model')) bothKept++;
  }
  const proposedPhotos = reviewed.reduce((sum, carId) => sum + (proposed.get(carId)?.photos ?? 0), 0);
  return {
    events: events.length,
    reviewedCars: reviewed.length,
    make,
    model,
    makeAndModel: { judged: bothJudged, kept: bothKept, accuracy: share(bothKept, bothJudged), filledBySeller: 0 },
    cover: { judged: reviewed.length, kept: reviewed.length - coverChanged.size, keptShare: share(reviewed.length - coverChanged.size, reviewed.length) },
    photos: { deleted, deletedPerCar: share(deleted, reviewed.length), proposed: proposedPhotos, deletedShare: proposedPhotos > 0 ? deleted / proposedPhotos : null },
    framesSwapped: byKind.frame_swapped,
    cropped: byKind.photo_cropped,
    split: splitCorrections(events, videos),
    byKind,
  };
}

/** Merges and splits against the cars lotreel proposed in the listed videos (others' events count, not their cars). */
function splitCorrections(events: readonly FeedbackEvent[], videos: readonly ReviewedVideo[]): SplitCorrections {
  const count = (kind: FeedbackKind, videoId?: string) => events.filter((e) => e.kind === kind && (videoId === undefined || e.videoId === videoId)).length;
  const proposedCars = videos.reduce((sum, v) => sum + v.cars + count('cars_merged', v.videoId) - count('car_split', v.videoId), 0);
  const merges = count('cars_merged');
  const splits = count('car_split');
  return { videos: videos.length, proposedCars, merges, splits, mergeRate: share(merges, proposedCars), splitRate: share(splits, proposedCars) };
}

const percent = (value: number | null) => (value === null ? 'n/a' : `${(value * 100).toFixed(1)} %`);

/** The figures as lines for people. */
export function formatFeedbackStats(stats: FeedbackStats): string {
  const accuracyLine = (name: string, a: FieldAccuracy) =>
    `${name.padEnd(16)} ${percent(a.accuracy).padStart(8)}  (${a.kept} of ${a.judged} kept${a.filledBySeller ? `; ${a.filledBySeller} filled in by the seller where lotreel had none` : ''})`;
  return [
    `feedback: ${stats.events} events on ${stats.reviewedCars} reviewed car${stats.reviewedCars === 1 ? '' : 's'}`,
    accuracyLine('make', stats.make),
    accuracyLine('model', stats.model),
    accuracyLine('make and model', stats.makeAndModel),
    `${'cover kept'.padEnd(16)} ${percent(stats.cover.keptShare).padStart(8)}  (${stats.cover.kept} of ${stats.cover.judged})`,
    `${'photos deleted'.padEnd(16)} ${(stats.photos.deletedPerCar === null ? 'n/a' : stats.photos.deletedPerCar.toFixed(2)).padStart(8)}  per car (${stats.photos.deleted} of ${stats.photos.proposed} proposed, ${percent(stats.photos.deletedShare)})`,
    `${'frames swapped'.padEnd(16)} ${String(stats.framesSwapped).padStart(8)}`,
    `${'photos cropped'.padEnd(16)} ${String(stats.cropped).padStart(8)}`,
    `${'cars merged'.padEnd(16)} ${percent(stats.split.mergeRate).padStart(8)}  (${stats.split.merges} of ${stats.split.proposedCars} proposed cars in ${stats.split.videos} video${stats.split.videos === 1 ? '' : 's'}: one car seen as two)`,
    `${'cars split'.padEnd(16)} ${percent(stats.split.splitRate).padStart(8)}  (${stats.split.splits} of ${stats.split.proposedCars}: two cars seen as one)`,
  ].join('\n');
}
