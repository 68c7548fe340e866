/**
 * What the LLM is asked and how its answers are read (pure: no client, no I/O). The facts go in as
 * JSON and nothing else about the car does; the answer must be one JSON object of the schema below,
 * read tolerantly (servers without structured output wrap it in prose or code fences).
 */
import { z } from 'zod';
import type { ListingTextSettings } from '../config/config.js';
import { answerFormat, type AnswerFormat, type ChatMessage } from '../llm/messages.js';
import { factsForPrompt, type ListingFacts } from './listing-facts.js';
import { violationReasons, type ListingText, type Violation } from './listing-rules.js';

/** Shape only: lengths and wording are the rules' business, so that breaking them has a code. */
export const LISTING_ANSWER = answerFormat(
  'listing_text',
  z.object({ title: z.string(), description: z.string(), highlights: z.array(z.string()) }),
);

export function listingSystemPrompt(limits: ListingTextSettings): string {
  return [
    'You write the text of a used-car listing for a dealer, in plain English.',
    'Use ONLY the facts in the user message (JSON). Every statement must follow from them.',
    'Rules, checked by a program after you answer:',
    '- No price, money, payments, financing, leasing, deposits or currency of any kind.',
    '- No marketing lingo or urgency ("must see", "like new", "won\'t last long", "best deal"...), no exclamation marks.',
    '- No equipment, trim, history, condition, colour, body, fuel or drive that the facts do not state.',
    '- Every number you write (year, mileage, counts) must appear in the facts. Write numbers as digits.',
    '- No links, e-mail addresses or phone numbers.',
    `- title: at most ${limits.titleMaxChars} characters. description: ${limits.descriptionMinChars} to ${limits.descriptionMaxChars} characters.`,
    `- highlights: at most ${limits.maxHighlights} short factual points, each at most ${limits.highlightMaxChars} characters.`,
    'If a fact is missing (make, model, year...), do not guess it: leave it out.',
    'Answer with one JSON object: {"title": string, "description": string, "highlights": string[]}.',
  ].join('\n');
}

export function listingMessages(facts: ListingFacts, limits: ListingTextSettings): ChatMessage[] {
  return [
    { role: 'system', content: listingSystemPrompt(limits) },
    { role: 'user', content: JSON.stringify({ facts: factsForPrompt(facts) }) },
  ];
}

/** The conversation for the second and last try: the first answer, and what was wrong with it. */
export function retryMessages(messages: readonly ChatMessage[], answer: string, violations: readonly Violation[]): ChatMessage[] {
  const reasons = violationReasons(violations).map((line) => `- ${line}`);
  return [
    ...messages,
    { role: 'assistant', content: answer },
    { role: 'user', content: ['Your answer broke these rules:', ...reasons, 'Write it again from the same facts, as the same JSON object, keeping every rule.'].join('\n') },
  ];
}

export type ParsedAnswer<T> = { ok: true; value: T } | { ok: false; violation: Violation };

/** The JSON object in an answer, tolerating code fences and prose around it, checked against the schema. */
export function parseAnswer<T>(content: string | null | undefined, format: AnswerFormat<T>): ParsedAnswer<T> {
  const malformed = (reason: string): ParsedAnswer<T> => ({
    ok: false,
    violation: { code: 'MALFORMED_ANSWER', field: 'answer', match: (content ?? '').slice(0, 40), reason },
  });
  if (!content || !content.trim()) return malformed('the answer is empty; reply with the JSON object only');
  const start = content.indexOf('{');
  const end = content.lastIndexOf('}');
  if (start < 0) return malformed('the answer has no JSON object; reply with the JSON object only');
  if (end <= start) return malformed('the answer is not valid JSON (cut short?); reply with the whole JSON object only');
  let json: unknown;
  try {
    json = JSON.parse(content.slice(start, end + 1));
  } catch {
    return malformed('the answer is not valid JSON; reply with the JSON object only');
  }
  const checked = format.schema.safeParse(json);
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => `${issue.path.join('.') || 'answer'}: ${issue.message}`).join('; ');
    return malformed(`the JSON object does not have the asked fields (${problems})`);
  }
  return { ok: true, value: checked.data };
}

export const parseListingAnswer = (content: string | null | undefined): ParsedAnswer<ListingText> => parseAnswer(content, LISTING_ANSWER);

/** The LLM's look at the photos: what car it sees and whether that matches what is known. */
export const MAKE_MODEL_ANSWER = answerFormat(
  'make_model_opinion',
  z.object({
    make: z.string().nullable(),
    model: z.string().nullable(),
    confidence: z.number(),
    agrees: z.boolean().nullable(),
    reason: z.string(),
  }),
);

export function makeModelMessages(facts: ListingFacts, imageUrls: readonly string[]): ChatMessage[] {
  const known = { make: facts.make, model: facts.model, year: facts.year };
  return [
    {
      role: 'system',
      content: [
        'You look at photos of one car on a dealer lot and say which make and model it is.',
        'Say null for what you cannot tell; do not guess. confidence is 0 to 1.',
        'If the user message names a make and model, agrees says whether the photos show that car (null if none is named).',
        'reason: one short sentence naming what you saw (badge, grille, lights, shape).',
        'Answer with one JSON object: {"make": string|null, "model": string|null, "confidence": number, "agrees": boolean|null, "reason": string}.',
      ].join('\n'),
    },
    {
      role: 'user',
      content: [
        { type: 'text', text: JSON.stringify({ known }) },
        ...imageUrls.map((url) => ({ type: 'image_url' as const, image_url: { url, detail: 'low' as const } })),
      ],
    },
  ];
}
