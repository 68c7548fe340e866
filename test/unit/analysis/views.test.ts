import { describe, expect, it } from 'vitest';
import { chooseCarPhotos, type PhotoCandidate } from '../../../src/photos/choose-photos.js';
import { classifyView, ensembleEmbedding, listingRank, VIEW_PROMPTS, VIEWS, viewPromptList, zeroShotProbabilities, type View } from '../../../src/analysis/views.js';
import { sighting } from './fakes.js';

const unit = (...v: number[]) => {
  const a = Float32Array.from(v);
  const n = Math.hypot(...a);
  return a.map((x) => x / n);
};
/** One unit vector per view: view k points along axis k. */
const axes = VIEWS.map((_, k) => {
  const v = new Float32Array(VIEWS.length);
  v[k] = 1;
  return v;
});

describe('view labels', () => {
  it('has a prompt ensemble for every view, folded back in order', () => {
    for (const v of VIEWS) expect(VIEW_PROMPTS[v].length).toBeGreaterThanOrEqual(3);
    const { prompts, fold } = viewPromptList();
    // Each prompt's embedding is its view's axis: folding gives the axes back.
    const embeddings = VIEWS.flatMap((v, k) => VIEW_PROMPTS[v].map(() => axes[k]));
    expect(embeddings).toHaveLength(prompts.length);
    fold(embeddings).forEach((e, k) => expect(Array.from(e)).toEqual(Array.from(axes[k])));
  });

  it('averages an ensemble into a unit vector', () => {
    const e = ensembleEmbedding([unit(1, 0), unit(0, 1)]);
    expect(e[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(e[1]).toBeCloseTo(Math.SQRT1_2, 6);
  });

  it('picks the most similar view with a softmax confidence', () => {
    const image = new Float32Array(VIEWS.length);
    image[VIEWS.indexOf('engine-bay')] = 0.3;
    image[VIEWS.indexOf('wheel')] = 0.25;
    const label = classifyView(image, axes);
    expect(label.view).toBe('engine-bay');
    // softmax of 100 * [0.3, 0.25, 0 x 14] = e^30 / (e^30 + e^25 + 14)
    expect(label.confidence).toBeCloseTo(1 / (1 + Math.exp(-5) + 14 * Math.exp(-30)), 6);
    expect(zeroShotProbabilities(image, axes).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    expect(() => classifyView(image, axes.slice(1))).toThrow(/expected 16/);
  });

  it('orders views as a listing does', () => {
    const order: View[] = ['front-three-quarter-right', 'side-left', 'rear-three-quarter-left', 'rear', 'front', 'dashboard', 'engine-bay', 'wheel', 'other'];
    for (let k = 1; k < order.length; k++) expect(listingRank(order[k])).toBeGreaterThan(listingRank(order[k - 1]));
    expect(listingRank(null)).toBe(listingRank('other'));
  });
});

describe('chooseCarPhotos with view labels', () => {
  /** A walk round the car: one view per 5 s stretch, several frames each, some sharper than others. */
  const walk: View[] = ['front', 'front-three-quarter-left', 'side-left', 'rear-three-quarter-left', 'rear', 'rear-three-quarter-right', 'side-right', 'front-three-quarter-right', 'dashboard', 'front-seats', 'engine-bay', 'wheel'];
  const candidates: PhotoCandidate[] = walk.flatMap((view, k) =>
    Array.from({ length: 5 }, (_, j) => ({
      timestampMs: (k * 5 + j) * 1000,
      sighting: sighting((k * 5 + j) % 24, { quality: { laplacianVariance: j === 2 ? 300 : 100, meanLuma: 0.5, clippedFraction: 0 } }),
      view: { view, confidence: 0.8 },
    })),
  );
  const segments = [{ startMs: 0, endMs: 60_000 }];

  it('covers the expected views, cover first as a front three-quarter, in listing order', () => {
    const photos = chooseCarPhotos(candidates, segments, { maxPhotos: 8, edgeMarginMs: 0 }, { minConfidence: 0.3 });
    expect(photos).toHaveLength(8);
    const views = photos.map((p) => p.candidate.view!.view);
    // Eight slots: one of each expected group first (three-quarter, side, rear three-quarter, rear, front, dashboard, front seats, engine).
    expect(views).toEqual(['front-three-quarter-left', 'side-left', 'rear-three-quarter-left', 'rear', 'front', 'dashboard', 'front-seats', 'engine-bay']);
    expect(photos[0].cover).toBe(true);
    expect(photos.filter((p) => p.cover)).toHaveLength(1);
    // Within a view, the sharpest frame.
    expect(photos.every((p) => (p.candidate.timestampMs / 1000) % 5 === 2)).toBe(true);
  });

  it('fills the rest after the expected views, still in listing order', () => {
    const photos = chooseCarPhotos(candidates, segments, { maxPhotos: 14, edgeMarginMs: 0 }, { minConfidence: 0.3 });
    const ranks = photos.map((p) => listingRank(p.candidate.view!.view));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
    expect(new Set(photos.map((p) => p.candidate.view!.view)).size).toBe(12);
  });

  it('does not count unsure labels as covering a view', () => {
    const unsure = candidates.map((c) => (c.view!.view === 'rear' ? { ...c, view: { view: 'rear' as View, confidence: 0.1 } } : c));
    const photos = chooseCarPhotos(unsure, segments, { maxPhotos: 5, edgeMarginMs: 0 }, { minConfidence: 0.3 });
    expect(photos.map((p) => p.candidate.view!.view)).not.toContain('rear');
  });
});
