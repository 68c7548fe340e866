/**
 * Segmentation figures for labelled videos (pure): is the car count exact, how far are the boundaries
 * from the labelled ones, how many photos lie outside their car. Reported apart for the items the
 * thresholds were tuned on and the items that only report them: only the latter say how good it is.
 */
import type { EvalFigure, EvalSection, ItemOutcome } from './eval-types.js';

/** What a video's run gave, kept in ItemOutcome.extra under this section's id. */
export interface SegmentationOutcome {
  purpose: 'tuning' | 'reporting';
  /** Labelled cars' stretches, in filming order ([startMs, endMs]). */
  labelled: [number, number][][];
  found: { segments: { startMs: number; endMs: number }[]; photoTimesMs: number[] }[];
}

export const SEGMENTATION_SECTION_ID = 'segmentation';

const overlap = (a: [number, number], b: { startMs: number; endMs: number }) => Math.max(0, Math.min(a[1], b.endMs) - Math.max(a[0], b.startMs));

/** Per video: count exact, each labelled edge's distance to the nearest edge of the car matched to it, stray photos. */
export function scoreSegmentation(outcome: SegmentationOutcome): { exact: boolean; edgeErrorsMs: number[]; strayPhotos: number; photos: number } {
  const edgeErrorsMs: number[] = [];
  let strayPhotos = 0;
  // Each found car is matched to the labelled car it shares most time with.
  const matchOf = outcome.found.map((car) => {
    let best = -1;
    let shared = 0;
    outcome.labelled.forEach((stretches, k) => {
      const s = stretches.reduce((n, r) => n + car.segments.reduce((m, seg) => m + overlap(r, seg), 0), 0);
      if (s > shared) [best, shared] = [k, s];
    });
    return best;
  });
  outcome.labelled.forEach((stretches, k) => {
    const edges = outcome.found.flatMap((car, c) => (matchOf[c] === k ? car.segments.flatMap((s) => [s.startMs, s.endMs]) : []));
    for (const edge of stretches.flat()) edgeErrorsMs.push(edges.length > 0 ? Math.min(...edges.map((e) => Math.abs(e - edge))) : Infinity);
  });
  outcome.found.forEach((car, c) => {
    const own = matchOf[c] >= 0 ? outcome.labelled[matchOf[c]] : [];
    strayPhotos += car.photoTimesMs.filter((t) => !own.some(([from, to]) => t >= from && t <= to)).length;
  });
  return { exact: outcome.found.length === outcome.labelled.length, edgeErrorsMs, strayPhotos, photos: outcome.found.reduce((n, c) => n + c.photoTimesMs.length, 0) };
}

function figuresFor(purpose: SegmentationOutcome['purpose'], outcomes: readonly SegmentationOutcome[]): EvalFigure[] {
  const scores = outcomes.filter((o) => o.purpose === purpose).map(scoreSegmentation);
  const errors = scores.flatMap((s) => s.edgeErrorsMs).filter(Number.isFinite);
  const missed = scores.flatMap((s) => s.edgeErrorsMs).length - errors.length;
  const exact = scores.filter((s) => s.exact).length;
  const stray = scores.reduce((n, s) => n + s.strayPhotos, 0);
  const photos = scores.reduce((n, s) => n + s.photos, 0);
  const mean = errors.length > 0 ? Math.round(errors.reduce((a, b) => a + b, 0) / errors.length) : null;
  return [
    { name: `car count exact (${purpose})`, value: scores.length > 0 ? exact / scores.length : null, detail: `${exact}/${scores.length}` },
    { name: `boundary error mean ms (${purpose})`, value: mean, ...(missed > 0 ? { detail: `${missed} edges of cars not found` } : {}) },
    { name: `boundary error max ms (${purpose})`, value: errors.length > 0 ? Math.round(Math.max(...errors)) : null },
    { name: `stray photos (${purpose})`, value: photos > 0 ? stray / photos : null, detail: `${stray}/${photos}` },
  ];
}

export const segmentationSection: EvalSection = {
  id: SEGMENTATION_SECTION_ID,
  title: 'Segmentation (labelled videos; thresholds were tuned on the tuning items only)',
  figures(outcomes: readonly ItemOutcome[]) {
    const labelled = outcomes.map((o) => o.extra?.[SEGMENTATION_SECTION_ID] as SegmentationOutcome | undefined).filter((o): o is SegmentationOutcome => o !== undefined);
    return [...figuresFor('tuning', labelled), ...figuresFor('reporting', labelled)];
  },
};
