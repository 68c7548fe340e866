/**
 * Optional (LOTREEL_LLM_VISION): the LLM looks at a car's top photos and says which make and model it
 * sees. Its answer becomes evidence with source 'llm' (see src/listing/llm-opinion.ts); any failure
 * means no opinion, logged, never a failed run.
 */
import sharp from 'sharp';
import type { ListingTextSettings } from '../config/config.js';
import type { Logger } from '../core/log.js';
import type { Evidence } from '../evidence/evidence.js';
import type { ListingFacts } from './listing-facts.js';
import { opinionEvidence } from './llm-opinion.js';
import { LlmRequestError, type LlmClient } from '../llm/client.js';
import { MAKE_MODEL_ANSWER, makeModelMessages, parseAnswer } from './prompt.js';

export interface MakeModelOptions {
  llm: LlmClient;
  settings: ListingTextSettings;
  log: Logger;
  signal?: AbortSignal;
}

/** A photo as a small JPEG data URL: enough for a badge and a shape, cheap to send. */
async function photoDataUrl(file: string, longSide: number): Promise<string> {
  const jpeg = await sharp(file).resize(longSide, longSide, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 80 }).toBuffer();
  return `data:image/jpeg;base64,${jpeg.toString('base64')}`;
}

/** Evidence from the LLM's look at the first photos (listing order: the cover first); empty on any failure. */
export async function askMakeModel(photoFiles: readonly string[], facts: ListingFacts, options: MakeModelOptions): Promise<Evidence[]> {
  const { llm, settings, log } = options;
  const files = photoFiles.slice(0, settings.llmPhotos);
  if (files.length === 0 || !llm.available) return [];
  let answer: string;
  try {
    const urls = await Promise.all(files.map((file) => photoDataUrl(file, settings.llmPhotoLongSide)));
    answer = await llm.complete(makeModelMessages(facts, urls), MAKE_MODEL_ANSWER, options.signal);
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const fields = error instanceof LlmRequestError ? { reason: error.kind, status: error.status } : {};
    log.warn('LLM look at the photos failed; no make/model opinion', { ...fields, error: error instanceof Error ? error.message : String(error) });
    return [];
  }
  const parsed = parseAnswer(answer, MAKE_MODEL_ANSWER);
  if (!parsed.ok) {
    log.warn('LLM make/model answer unreadable; no opinion', { reason: parsed.violation.reason });
    return [];
  }
  const evidence = opinionEvidence(parsed.value, files.length, settings.llmEvidenceMaxConfidence);
  log.info('LLM make/model opinion', { make: parsed.value.make, model: parsed.value.model, agrees: parsed.value.agrees, confidence: evidence[0]?.confidence ?? null });
  return evidence;
}
