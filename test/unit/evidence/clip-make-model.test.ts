import { describe, expect, it } from 'vitest';
import { appearanceDistance, clipDistance } from '../../../src/analysis/appearance.js';
import { resolveAttributes } from '../../../src/evidence/evidence.js';
import { bestFrames, CAR_PROMPT_TEMPLATES, cataloguePrompts, foldCatalogueEmbeddings, rankMakeModel, type CatalogueEntry } from '../../../src/evidence/clip-make-model.js';
import { histogramOf } from '../analysis/fakes.js';

const entries: CatalogueEntry[] = [
  { make: 'Toyota', model: 'Camry', yearFrom: 1983, yearTo: null },
  { make: 'Toyota', model: 'Corolla', yearFrom: 1981, yearTo: null },
  { make: 'Honda', model: 'Civic', yearFrom: 1980, yearTo: null },
  { make: 'Ford', model: 'Focus', yearFrom: 2000, yearTo: 2018 },
  { make: 'BMW', model: 'X5', yearFrom: 2000, yearTo: null },
  { make: 'Kia', model: 'Rio', yearFrom: 2001, yearTo: null },
];
/** Entry k along axis k. */
const axes = entries.map((_, k) => {
  const v = new Float32Array(8);
  v[k] = 1;
  return v;
});
const frame = (weights: Record<number, number>) => {
  const v = new Float32Array(8);
  for (const [k, w] of Object.entries(weights)) v[Number(k)] = w;
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const settings = { frames: 8, temperature: 1, minConfidence: 0.5 };

describe('make/model prompts', () => {
  it('gives every entry the templates in order and folds them back', () => {
    const prompts = cataloguePrompts(entries.slice(0, 2), 2);
    expect(prompts).toEqual(['a photo of a Toyota Camry.', 'a photo of the Toyota Camry.', 'a photo of a Toyota Corolla.', 'a photo of the Toyota Corolla.']);
    expect(cataloguePrompts(entries)).toHaveLength(entries.length * CAR_PROMPT_TEMPLATES.length);
    const folded = foldCatalogueEmbeddings([axes[0], axes[0], axes[1], axes[1]], 2, 2);
    expect(Array.from(folded[1])).toEqual(Array.from(axes[1]));
    expect(() => foldCatalogueEmbeddings([axes[0]], 2, 2)).toThrow(/expected 4/);
  });
});

describe('rankMakeModel', () => {
  it('sets make and model when the best candidate is sure, with evidence from clip', () => {
    const result = rankMakeModel([frame({ 0: 0.5, 1: 0.45 }), frame({ 0: 0.5, 2: 0.4 })], entries, axes, settings);
    expect(result.make).toBe('Toyota');
    expect(result.model).toBe('Camry');
    expect(result.candidates).toHaveLength(5);
    expect(result.candidates[0]).toMatchObject({ make: 'Toyota', model: 'Camry', yearFrom: 1983 });
    const confidences = result.candidates.map((c) => c.confidence);
    expect([...confidences].sort((a, b) => b - a)).toEqual(confidences);
    expect(confidences.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
    expect(result.confidence).toBe(confidences[0]);
    const resolved = resolveAttributes(result.evidence, settings.minConfidence);
    expect(resolved.make).toMatchObject({ value: 'Toyota', source: 'clip' });
    // The make's confidence sums its models: at least the model's.
    expect(result.evidence.find((e) => e.attribute === 'make')!.confidence).toBeGreaterThanOrEqual(result.confidence);
  });

  it('leaves make and model empty when unsure, but still reports the candidates', () => {
    // Three frames that disagree: Camry, Civic, Focus, equally.
    const result = rankMakeModel([frame({ 0: 1 }), frame({ 2: 1 }), frame({ 3: 1 })], entries, axes, settings);
    expect(result.make).toBeNull();
    expect(result.model).toBeNull();
    expect(result.confidence).toBeCloseTo(1 / 3, 2);
    expect(result.candidates.slice(0, 3).map((c) => c.model).sort()).toEqual(['Camry', 'Civic', 'Focus']);
  });

  it('flattens scores with a higher temperature', () => {
    const sharp = rankMakeModel([frame({ 0: 0.3, 1: 0.25 })], entries, axes, settings);
    const flat = rankMakeModel([frame({ 0: 0.3, 1: 0.25 })], entries, axes, { ...settings, temperature: 4 });
    expect(flat.confidence).toBeLessThan(sharp.confidence);
  });

  it('gives nothing without frames or catalogue', () => {
    expect(rankMakeModel([], entries, axes, settings)).toMatchObject({ make: null, candidates: [] });
    expect(rankMakeModel([frame({ 0: 1 })], [], [], settings)).toMatchObject({ make: null, candidates: [] });
  });

  it('picks the best frames in time order', () => {
    expect(bestFrames([0.1, 0.9, 0.5, 0.7], (x) => x, 2)).toEqual([1, 3]);
    expect(bestFrames([0.1, 0.9], (x) => x, 5)).toEqual([0, 1]);
  });
});

describe('CLIP in the appearance signature', () => {
  it('maps cosine similarity to a distance: same car views near 0, different cars near 1', () => {
    expect(clipDistance(frame({ 0: 1 }), frame({ 0: 1 }))).toBe(0);
    expect(clipDistance(frame({ 0: 1 }), frame({ 1: 1 }))).toBe(1);
    expect(clipDistance(frame({ 0: 0.65, 1: Math.sqrt(1 - 0.65 ** 2) }), frame({ 0: 1 }))).toBeCloseTo(0.5, 5);
  });

  it('tells two same-coloured cars apart only with CLIP, and changes nothing without it', () => {
    const white = histogramOf(3);
    const a = { colour: white, clip: frame({ 0: 1 }) };
    const b = { colour: white, clip: frame({ 1: 1 }) };
    expect(appearanceDistance({ colour: white }, { colour: white })).toBe(0);
    expect(appearanceDistance(a, b)).toBeCloseTo(0.25, 5);
    expect(appearanceDistance(a, { colour: white })).toBe(0);
    expect(appearanceDistance(a, { ...a })).toBe(0);
  });
});
