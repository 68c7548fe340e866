/**
 * What an LLM said about a car's make and model after looking at its photos (pure). Its answer is
 * evidence like any other, with source 'llm' (the least trusted) and a capped confidence, so it never
 * outranks the seller, a VIN, printed text or CLIP, and alone (below the resolve threshold by default)
 * it stays a candidate. When it disagrees with what was resolved, the draft says so and waits for review.
 */
import type { Draft } from './draft.js';
import type { Evidence, ResolvedAttributes } from '../evidence/evidence.js';

export interface MakeModelOpinion {
  make: string | null;
  model: string | null;
  /** 0..1, the LLM's own. */
  confidence: number;
  /** Whether the photos agree with the make and model it was told; null when it was told none. */
  agrees: boolean | null;
  reason: string;
}

export function opinionEvidence(opinion: MakeModelOpinion, photosSeen: number, maxConfidence: number): Evidence[] {
  const confidence = Math.max(0, Math.min(opinion.confidence, maxConfidence));
  const detail = `LLM on ${photosSeen} photo${photosSeen === 1 ? '' : 's'}: ${opinion.reason}`.slice(0, 300);
  const out: Evidence[] = [];
  if (opinion.make) out.push({ attribute: 'make', value: opinion.make, source: 'llm', confidence, detail });
  if (opinion.make && opinion.model) out.push({ attribute: 'model', value: opinion.model, source: 'llm', confidence, detail });
  return out;
}

const same = (a: string | number | undefined, b: string | number | undefined) =>
  a !== undefined && b !== undefined && String(a).trim().toLowerCase() === String(b).trim().toLowerCase();

/**
 * The draft with the LLM's view recorded: `llmMakeModel` says what it saw; when that differs from the
 * resolved make or model (from a more trusted source), `makeModelQuestioned` says so and the draft
 * needs review.
 */
export function withMakeModelOpinion(draft: Draft, resolved: ResolvedAttributes, llmEvidence: readonly Evidence[]): Draft {
  const make = llmEvidence.find((e) => e.attribute === 'make');
  if (!make) return draft;
  const model = llmEvidence.find((e) => e.attribute === 'model');
  const seen = [make.value, model?.value].filter((x) => x !== undefined).join(' ');
  const questioned =
    (resolved.make && resolved.make.source !== 'llm' && !same(resolved.make.value, make.value)) ||
    (model && resolved.model && resolved.model.source !== 'llm' && !same(resolved.model.value, model.value));
  const attributes = { ...draft.attributes, llmMakeModel: `${seen} (${make.confidence.toFixed(2)})` };
  if (!questioned) return { ...draft, attributes };
  const known = [resolved.make?.value, resolved.model?.value].filter((x) => x !== undefined).join(' ');
  return { ...draft, status: 'needs_review', attributes: { ...attributes, makeModelQuestioned: `the LLM sees a ${seen}, not a ${known}` } };
}
