/**
 * A car's draft with its listing text written by the LLM when one is configured, else by the template.
 * Every LLM answer goes through the rules (src/listing/listing-rules.ts); one that breaks any is sent
 * back once with the reasons, and if the second breaks any too, the template text stands in. A timeout
 * or an HTTP failure also means the template, with a warning in the log: the run goes on.
 */
import type { ListingTextSettings } from '../config/config.js';
import type { Logger } from '../core/log.js';
import { buildDraft, type Draft } from './draft.js';
import { templateFacts, type ListingFacts } from './listing-facts.js';
import { checkListingText, type FallbackReason, type ListingText, type TextOutcome, type Violation } from './listing-rules.js';
import { LlmRequestError, type LlmClient } from '../llm/client.js';
import { LISTING_ANSWER, listingMessages, parseListingAnswer, retryMessages } from './prompt.js';

export interface WriteListingOptions {
  /** Null: no LLM configured, the template writes the text. */
  llm: LlmClient | null;
  settings: ListingTextSettings;
  log: Logger;
  signal?: AbortSignal;
}

const ATTEMPTS = 2;

export async function writeListingText(facts: ListingFacts, options: WriteListingOptions): Promise<Draft> {
  const { llm, log } = options;
  if (!llm) return templateDraft(facts, { source: 'template', attempts: 0, violations: [], fallback: 'not_configured' });
  if (!llm.available) return templateDraft(facts, { source: 'template', attempts: 0, violations: [], fallback: 'unavailable' });

  let messages = listingMessages(facts, options.settings);
  const violations: Violation[] = [];
  let attempts = 0;
  let lastFailure: FallbackReason = 'rules';
  while (attempts < ATTEMPTS) {
    let answer: string;
    try {
      answer = await llm.complete(messages, LISTING_ANSWER, options.signal);
    } catch (error) {
      if (!(error instanceof LlmRequestError)) throw error;
      log.warn('LLM request failed; the template writes this listing text', { reason: error.kind, status: error.status, error: error.message });
      return templateDraft(facts, { source: 'template', attempts, violations, fallback: error.kind });
    }
    attempts++;
    const parsed = parseListingAnswer(answer);
    const found = parsed.ok ? checkListingText(parsed.value, facts, options.settings) : [parsed.violation];
    if (parsed.ok && found.length === 0) return llmDraft(facts, parsed.value, { source: 'llm', attempts, violations, fallback: null });
    violations.push(...found);
    lastFailure = parsed.ok ? 'rules' : 'malformed';
    log.info('LLM answer broke the listing rules', { attempt: attempts, codes: found.map((v) => v.code), matches: found.map((v) => v.match) });
    messages = retryMessages(messages, answer, found);
  }
  log.warn('LLM answers broke the listing rules twice; the template writes this listing text', { codes: [...new Set(violations.map((v) => v.code))] });
  return templateDraft(facts, { source: 'template', attempts, violations, fallback: lastFailure });
}

function withOutcome(draft: Draft, outcome: TextOutcome, highlights: string[]): Draft {
  return {
    ...draft,
    attributes: {
      ...draft.attributes,
      textSource: outcome.source,
      highlights,
      textAttempts: outcome.attempts,
      textFallback: outcome.fallback,
      // One code per violation, so stored drafts can be summarised (textOutcomeFromAttributes).
      textViolations: outcome.violations.map((v) => v.code),
    },
    text: outcome,
  };
}

function templateDraft(facts: ListingFacts, outcome: TextOutcome): Draft {
  return withOutcome(buildDraft(templateFacts(facts)), outcome, []);
}

/** The LLM's words with the template's status and attributes: the text changes, the facts do not. */
function llmDraft(facts: ListingFacts, text: ListingText, outcome: TextOutcome): Draft {
  const base = buildDraft(templateFacts(facts));
  return withOutcome({ ...base, title: text.title.trim(), description: text.description.trim() }, outcome, text.highlights.map((h) => h.trim()));
}
