/**
 * Make and model, zero-shot from CLIP (pure). Every catalogue entry (make, model, years) gets an
 * ensemble of prompts (the templates CLIP's authors used for Stanford Cars); a car's best frames are
 * compared with each entry, the per-frame probabilities averaged, and the top candidates reported
 * with calibrated confidences. Make and model become Evidence (source 'clip') only above a threshold.
 */
import type { Evidence } from './evidence.js';
import { CLIP_LOGIT_SCALE, ensembleEmbedding } from '../analysis/views.js';

export interface CatalogueEntry {
  make: string;
  model: string;
  /** First and last model year known for this make and model (null when the catalogue has none). */
  yearFrom: number | null;
  yearTo: number | null;
}

/** CLIP's prompt templates for Stanford Cars ({} is the class name). */
export const CAR_PROMPT_TEMPLATES = [
  'a photo of a {}.',
  'a photo of the {}.',
  'a photo of my {}.',
  'i love my {}!',
  'a photo of my dirty {}.',
  'a photo of my clean {}.',
  'a photo of my new {}.',
  'a photo of my old {}.',
] as const;

export interface MakeModelSettings {
  /** Frames per car whose embeddings are compared (the best framed, sharpest). */
  frames: number;
  /** Softmax temperature applied on top of CLIP's logit scale: above 1 flattens overconfident scores. */
  temperature: number;
  /** The top candidate's confidence needed to set make and model. */
  minConfidence: number;
}

export interface MakeModelCandidate {
  make: string;
  model: string;
  yearFrom: number | null;
  yearTo: number | null;
  confidence: number;
}

export interface MakeModelResult {
  make: string | null;
  model: string | null;
  confidence: number;
  candidates: MakeModelCandidate[];
  evidence: Evidence[];
}

export const catalogueLabel = (e: CatalogueEntry) => `${e.make} ${e.model}`;

/** Prompts for every entry, entry by entry, with the first `templates` templates. */
export function cataloguePrompts(entries: readonly CatalogueEntry[], templates: number = CAR_PROMPT_TEMPLATES.length): string[] {
  return entries.flatMap((e) => CAR_PROMPT_TEMPLATES.slice(0, templates).map((t) => t.replace('{}', catalogueLabel(e))));
}

/** One embedding per entry from its prompts' embeddings (as laid out by `cataloguePrompts`). */
export function foldCatalogueEmbeddings(promptEmbeddings: readonly Float32Array[], entries: number, templates: number = CAR_PROMPT_TEMPLATES.length): Float32Array[] {
  const n = templates;
  if (promptEmbeddings.length !== entries * n) throw new Error(`expected ${entries * n} prompt embeddings, got ${promptEmbeddings.length}`);
  return Array.from({ length: entries }, (_, k) => ensembleEmbedding(promptEmbeddings.slice(k * n, (k + 1) * n)));
}

/**
 * Ranks the catalogue for one car from its frames' image embeddings (unit vectors). Each frame gives
 * a softmax over the catalogue at scale CLIP_LOGIT_SCALE / temperature; the frames' distributions are
 * averaged (a frame that sees the car badly cannot dominate). The make's evidence is the summed
 * probability of all its models, so a sure make with an unsure model still counts.
 */
export function rankMakeModel(
  frames: readonly Float32Array[],
  entries: readonly CatalogueEntry[],
  entryEmbeddings: readonly Float32Array[],
  settings: MakeModelSettings,
  topK = 5,
): MakeModelResult {
  const empty: MakeModelResult = { make: null, model: null, confidence: 0, candidates: [], evidence: [] };
  if (frames.length === 0 || entries.length === 0) return empty;
  const scale = CLIP_LOGIT_SCALE / settings.temperature;
  const mean = new Float64Array(entries.length);
  for (const frame of frames) {
    const logits = entryEmbeddings.map((e) => {
      let s = 0;
      for (let i = 0; i < e.length; i++) s += e[i] * frame[i];
      return scale * s;
    });
    const max = Math.max(...logits);
    let sum = 0;
    const exp = logits.map((l) => {
      const v = Math.exp(l - max);
      sum += v;
      return v;
    });
    for (let k = 0; k < entries.length; k++) mean[k] += exp[k] / sum / frames.length;
  }
  const order = [...mean.keys()].sort((a, b) => mean[b] - mean[a]);
  const candidates = order.slice(0, topK).map((k) => ({ ...entries[k], confidence: mean[k] }));
  const best = candidates[0];
  const makeShare = entries.reduce((s, e, k) => (e.make === best.make ? s + mean[k] : s), 0);
  const detail = `CLIP zero-shot over ${entries.length} catalogue entries, ${frames.length} frame(s)`;
  const evidence: Evidence[] = [
    { attribute: 'make', value: best.make, source: 'clip', confidence: makeShare, detail },
    { attribute: 'model', value: best.model, source: 'clip', confidence: best.confidence, detail },
  ];
  const sure = best.confidence >= settings.minConfidence;
  return {
    make: sure ? best.make : null,
    model: sure ? best.model : null,
    confidence: best.confidence,
    candidates,
    evidence,
  };
}

/** Indices of the frames to compare: the best-scoring `count` (framing and sharpness), in time order. */
export function bestFrames<T>(items: readonly T[], score: (item: T) => number, count: number): number[] {
  return [...items.keys()]
    .sort((a, b) => score(items[b]) - score(items[a]))
    .slice(0, count)
    .sort((a, b) => a - b);
}
