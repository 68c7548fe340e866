/**
 * The reel's narration script. With an LLM: a few short spoken sentences from the car's facts, under
 * the listing rules (no price, no marketing phrases, nothing the facts do not hold), checked in code
 * before anything is spoken; an answer that breaks a rule is sent back once with the reasons. No LLM
 * answer that keeps the rules (or an LLM failure): the captions as sentences, already grounded.
 */
import { z } from 'zod';
import type { Logger } from '../core/log.js';
import { LlmRequestError, type LlmClient } from '../llm/client.js';
import { answerFormat, type ChatMessage } from '../llm/messages.js';
import { factsForPrompt, type ListingFacts } from '../listing/listing-facts.js';
import type { Violation } from '../listing/listing-rules.js';
import { parseAnswer, retryMessages } from '../listing/prompt.js';
import { lineViolations, narrationScript } from './reel-captions.js';

const NARRATION_ANSWER = answerFormat('reel_narration', z.object({ script: z.string() }));

/** Spoken in the reel's length: about 2.5 words a second leaves room for the pauses. */
export const narrationMaxWords = (durationMs: number): number => Math.max(8, Math.floor((durationMs / 1000) * 2.5));

export function narrationMessages(facts: ListingFacts, captions: readonly string[], maxWords: number): ChatMessage[] {
  const system = [
    'You write the voice-over of a short video of a used car for sale, in plain spoken English.',
    'Use ONLY the facts in the user message (JSON). Every statement must follow from them.',
    'Rules, checked by a program after you answer:',
    '- No price, money, payments, financing or currency of any kind.',
    '- No marketing lingo or urgency ("must see", "like new", "won\'t last long"...), no exclamation marks.',
    '- No equipment, history, condition or feature that the facts do not state. Every number must appear in the facts.',
    '- No links, e-mail addresses or phone numbers.',
    `- Two to four short sentences, at most ${maxWords} words in all.`,
    'Answer with one JSON object: {"script": string}.',
  ].join('\n');
  return [
    { role: 'system', content: system },
    { role: 'user', content: JSON.stringify({ facts: factsForPrompt(facts), captions }) },
  ];
}

export interface Narration {
  script: string | null;
  source: 'llm' | 'captions';
}

export async function writeNarration(llm: LlmClient, captions: readonly string[], facts: ListingFacts, durationMs: number, log: Logger, signal?: AbortSignal): Promise<Narration> {
  const fallback: Narration = { script: narrationScript(captions, facts), source: 'captions' };
  const maxWords = narrationMaxWords(durationMs);
  let messages = narrationMessages(facts, captions, maxWords);
  for (let attempt = 1; attempt <= 2 && llm.available; attempt++) {
    let answer: string;
    try {
      answer = await llm.complete(messages, NARRATION_ANSWER, signal);
    } catch (error) {
      if (!(error instanceof LlmRequestError)) throw error;
      log.warn('narration request failed; the captions are spoken', { reason: error.kind });
      return fallback;
    }
    const parsed = parseAnswer(answer, NARRATION_ANSWER);
    const script = parsed.ok ? parsed.value.script.trim() : '';
    const words = script.split(/\s+/).filter(Boolean).length;
    const length: Violation[] = words === 0 || words > maxWords ? [{ code: 'DESCRIPTION_LENGTH', field: 'answer', match: `${words} words`, reason: `the script has ${words} words; 1 to ${maxWords} allowed` }] : [];
    const found = parsed.ok ? [...lineViolations(script, facts, 'machine'), ...length] : [parsed.violation];
    if (found.length === 0) return { script, source: 'llm' };
    log.info('narration broke the listing rules', { attempt, codes: found.map((v) => v.code) });
    messages = retryMessages(messages, answer, found);
  }
  return fallback;
}
