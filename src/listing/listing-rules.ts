/**
 * The rules every listing text must pass, checked in code (pure): whoever wrote the text, an LLM or a
 * template, the same checks run. Each violation has a stable code and a reason a person can read,
 * which is also what an LLM is told when it is asked to try again.
 */
import { factsText, type ListingFacts } from './listing-facts.js';
import { CLAIM_GROUPS, MARKETING_PHRASES, NUMBER_WORDS, PRICE_PHRASES, type ClaimKind } from './listing-vocabulary.js';

export interface ListingText {
  title: string;
  description: string;
  highlights: string[];
}

export interface ListingLimits {
  titleMaxChars: number;
  descriptionMinChars: number;
  descriptionMaxChars: number;
  maxHighlights: number;
  highlightMaxChars: number;
}

export const VIOLATION_CODES = {
  PRICE_OR_FINANCE: 'talks about price, money or financing',
  MARKETING_PHRASE: 'uses marketing lingo',
  CONTACT_DETAILS: 'gives a link, e-mail address or other contact details',
  UNSUPPORTED_NUMBER: 'states a number that is not in the facts',
  UNSUPPORTED_FEATURE: 'claims equipment that is not in the facts',
  UNSUPPORTED_CONDITION: 'claims a history or condition that is not in the facts',
  UNSUPPORTED_TRIM: 'names a trim that is not in the facts',
  UNSUPPORTED_MAKE: 'names a make that is not in the facts',
  UNSUPPORTED_ATTRIBUTE: 'states a colour, body, fuel or drive that is not in the facts',
  TITLE_LENGTH: 'the title is empty or too long',
  DESCRIPTION_LENGTH: 'the description is too short or too long',
  HIGHLIGHTS_COUNT: 'too many highlights',
  HIGHLIGHT_LENGTH: 'a highlight is empty or too long',
  MALFORMED_ANSWER: 'the answer is not the JSON object asked for',
} as const;
export type ViolationCode = keyof typeof VIOLATION_CODES;

export type TextField = 'title' | 'description' | 'highlights' | 'answer';

export interface Violation {
  code: ViolationCode;
  field: TextField;
  /** The offending words, as written. */
  match: string;
  /** One line for people (and for the LLM's second try). */
  reason: string;
}

const CLAIM_CODE: Record<ClaimKind, ViolationCode> = {
  feature: 'UNSUPPORTED_FEATURE',
  condition: 'UNSUPPORTED_CONDITION',
  trim: 'UNSUPPORTED_TRIM',
  make: 'UNSUPPORTED_MAKE',
  colour: 'UNSUPPORTED_ATTRIBUTE',
  body: 'UNSUPPORTED_ATTRIBUTE',
  fuel: 'UNSUPPORTED_ATTRIBUTE',
  drive: 'UNSUPPORTED_ATTRIBUTE',
};

const CLAIM_NOUN: Record<ClaimKind, string> = {
  feature: 'equipment',
  condition: 'history or condition',
  trim: 'trim',
  make: 'make',
  colour: 'colour',
  body: 'body type',
  fuel: 'fuel',
  drive: 'drive',
};

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const isWordChar = (c: string) => /[\p{L}\p{N}]/u.test(c);

/** A whole-word pattern for a phrase: spaces match any run of space, capitals match only as written. */
function phrasePattern(phrase: string): RegExp {
  const body = phrase.split(/\s+/).map(escape).join('\\s+');
  const before = isWordChar(phrase[0]) ? '(?<![\\p{L}\\p{N}])' : '';
  const after = isWordChar(phrase.at(-1)!) ? '(?![\\p{L}\\p{N}])' : '';
  return new RegExp(before + body + after, /\p{Lu}/u.test(phrase) ? 'u' : 'iu');
}

const patterns = new Map<string, RegExp>();
const patternOf = (phrase: string) => patterns.get(phrase) ?? patterns.set(phrase, phrasePattern(phrase)).get(phrase)!;

/** The first phrase of the list found in the text, as written there. */
function findPhrase(text: string, phrases: readonly string[]): string | null {
  for (const phrase of phrases) {
    const found = patternOf(phrase).exec(text);
    if (found) return found[0];
  }
  return null;
}

/** Curly quotes and dashes written the plain way, so one phrase list covers both. */
const normalise = (text: string) => text.replace(/[\u2018\u2019\u02bc]/g, "'").replace(/[\u2010-\u2013]/g, '-');

// Thousands grouped by commas or (narrow) no-break spaces; a plain space separates two numbers.
const NUMBER_PATTERN = /\d{1,3}(?:[,\u00a0\u202f]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/g;
const THOUSANDS_SUFFIX = /^\s?k(?![\p{L}\p{N}])/iu;
const NUMBER_WORD_PATTERN = new RegExp(`(?<![\\p{L}])(${Object.keys(NUMBER_WORDS).join('|')})(?![\\p{L}])`, 'giu');

/** Every number written in the text, with how it was written: "45,000" and "45k" are both 45000. */
export function numbersIn(text: string): { value: number; written: string }[] {
  const found: { value: number; written: string }[] = [];
  for (const m of text.matchAll(NUMBER_PATTERN)) {
    const rest = text.slice(m.index! + m[0].length);
    const suffix = THOUSANDS_SUFFIX.exec(rest)?.[0] ?? '';
    const value = Number(m[0].replace(/[,\u00a0\u202f]/g, '')) * (suffix ? 1000 : 1);
    found.push({ value, written: m[0] + suffix });
  }
  for (const m of text.matchAll(NUMBER_WORD_PATTERN)) found.push({ value: NUMBER_WORDS[m[1].toLowerCase()], written: m[0] });
  return found;
}

const CURRENCY = /[$€£¥₹]|(?<![\p{L}])(?:USD|EUR|GBP|CAD|AUD|CHF)(?![\p{L}])/u;
const CONTACT = /https?:\/\/|www\.|[\w.+-]+@[\w-]+\.[\w.]+/i;

function checkField(field: TextField, raw: string, known: string, knownNumbers: ReadonlySet<number>): Violation[] {
  const text = normalise(raw);
  const out: Violation[] = [];
  // A phrase inside one already reported ("won't last" in "won't last long") is not reported again.
  const add = (code: ViolationCode, match: string, reason: string) => {
    const inside = out.some((v) => v.code === code && v.match.toLowerCase().includes(match.toLowerCase()));
    if (!inside) out.push({ code, field, match, reason });
  };

  const currency = CURRENCY.exec(text)?.[0];
  if (currency) add('PRICE_OR_FINANCE', currency, `"${currency}": no prices or currencies; the seller sets the price`);
  for (const phrase of PRICE_PHRASES) {
    const found = findPhrase(text, [phrase]);
    if (found) add('PRICE_OR_FINANCE', found, `"${found}": no price, payment or financing talk`);
  }
  for (const phrase of MARKETING_PHRASES) {
    const found = findPhrase(text, [phrase]);
    if (found) add('MARKETING_PHRASE', found, `"${found}": marketing lingo; state facts plainly`);
  }
  if (text.includes('!')) add('MARKETING_PHRASE', '!', 'exclamation marks: state facts plainly');
  const contact = CONTACT.exec(text)?.[0];
  if (contact) add('CONTACT_DETAILS', contact, `"${contact}": no links, e-mail addresses or phone numbers`);

  for (const { value, written } of numbersIn(text)) {
    if (!knownNumbers.has(value)) add('UNSUPPORTED_NUMBER', written, `"${written}": this number is not in the facts`);
  }
  for (const group of CLAIM_GROUPS) {
    const found = findPhrase(text, group.phrases);
    if (found && !findPhrase(known, group.phrases)) {
      add(CLAIM_CODE[group.kind], found, `"${found}": this ${CLAIM_NOUN[group.kind]} is not in the facts`);
    }
  }
  return out;
}

function checkLengths(text: ListingText, limits: ListingLimits): Violation[] {
  const out: Violation[] = [];
  const title = text.title.trim();
  if (title.length === 0 || title.length > limits.titleMaxChars) {
    out.push({ code: 'TITLE_LENGTH', field: 'title', match: title.slice(0, 40), reason: `the title has ${title.length} characters; 1 to ${limits.titleMaxChars} allowed` });
  }
  const description = text.description.trim();
  if (description.length < limits.descriptionMinChars || description.length > limits.descriptionMaxChars) {
    out.push({
      code: 'DESCRIPTION_LENGTH',
      field: 'description',
      match: description.slice(0, 40),
      reason: `the description has ${description.length} characters; ${limits.descriptionMinChars} to ${limits.descriptionMaxChars} allowed`,
    });
  }
  if (text.highlights.length > limits.maxHighlights) {
    out.push({ code: 'HIGHLIGHTS_COUNT', field: 'highlights', match: String(text.highlights.length), reason: `${text.highlights.length} highlights; at most ${limits.maxHighlights}` });
  }
  for (const highlight of text.highlights) {
    const h = highlight.trim();
    if (h.length === 0 || h.length > limits.highlightMaxChars) {
      out.push({ code: 'HIGHLIGHT_LENGTH', field: 'highlights', match: h.slice(0, 40), reason: `a highlight has ${h.length} characters; 1 to ${limits.highlightMaxChars} allowed` });
    }
  }
  return out;
}

/** The numbers a text may use: those written in the facts (year, mileage, photo count, trim, engine...). */
function factNumbers(facts: ListingFacts): Set<number> {
  return new Set(numbersIn(factsText(facts)).map((n) => n.value));
}

/** Every rule broken by the text, each once per field; empty when the text may be used. */
export function checkListingText(text: ListingText, facts: ListingFacts, limits: ListingLimits): Violation[] {
  const known = factsText(facts);
  const knownNumbers = factNumbers(facts);
  const found = [
    ...checkLengths(text, limits),
    ...checkField('title', text.title, known, knownNumbers),
    ...checkField('description', text.description, known, knownNumbers),
    ...checkField('highlights', text.highlights.join('\n'), known, knownNumbers),
  ];
  const seen = new Set<string>();
  return found.filter((v) => {
    const key = `${v.code}|${v.field}|${v.match.toLowerCase()}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/**
 * The rules on any other text shown or spoken for a listing (a video's captions, a narration): the
 * same checks as one field of the listing, without the listing's lengths.
 */
export function checkFreeText(text: string, facts: ListingFacts, field: TextField = 'answer'): Violation[] {
  return checkField(field, text, factsText(facts), factNumbers(facts));
}

/** The reasons as the lines an LLM is shown when asked to try again. */
export function violationReasons(violations: readonly Violation[]): string[] {
  return violations.map((v) => `${v.field}: ${v.reason} [${v.code}]`);
}

/** How a draft's text came to be: written by the LLM and accepted, or the template and why. */
export type TextSource = 'llm' | 'template';
export const FALLBACK_REASONS = ['not_configured', 'rules', 'malformed', 'timeout', 'http_error', 'unavailable'] as const;
export type FallbackReason = (typeof FALLBACK_REASONS)[number];

export interface TextOutcome {
  source: TextSource;
  /** LLM answers received (0, 1 or 2). */
  attempts: number;
  /** Every violation seen in every answer, the accepted one having none. */
  violations: Violation[];
  /** Why the template was used; null when the LLM's text was. */
  fallback: FallbackReason | null;
}

export interface TextOutcomeSummary {
  drafts: number;
  llm: number;
  template: number;
  /** Drafts where an LLM was asked but the template was used. */
  fellBack: number;
  /** Drafts whose first LLM answer broke a rule and a second was asked for. */
  retried: number;
  /** Answers rejected by the rules (each caught answer once). */
  answersRejected: number;
  violationsCaught: number;
  byCode: Partial<Record<ViolationCode, number>>;
  byFallback: Partial<Record<FallbackReason, number>>;
}

/** Counts across drafts: what the rules caught and how often the template had to stand in. */
export function summariseTextOutcomes(outcomes: readonly TextOutcome[]): TextOutcomeSummary {
  const summary: TextOutcomeSummary = { drafts: 0, llm: 0, template: 0, fellBack: 0, retried: 0, answersRejected: 0, violationsCaught: 0, byCode: {}, byFallback: {} };
  for (const outcome of outcomes) {
    summary.drafts++;
    summary[outcome.source]++;
    if (outcome.fallback) summary.byFallback[outcome.fallback] = (summary.byFallback[outcome.fallback] ?? 0) + 1;
    if (outcome.fallback && outcome.fallback !== 'not_configured') summary.fellBack++;
    if (outcome.attempts > 1) summary.retried++;
    summary.answersRejected += outcome.attempts - (outcome.source === 'llm' ? 1 : 0);
    for (const v of outcome.violations) {
      summary.violationsCaught++;
      summary.byCode[v.code] = (summary.byCode[v.code] ?? 0) + 1;
    }
  }
  return summary;
}

/**
 * The outcome as stored in a draft's attributes (textSource, textAttempts, textFallback and one code
 * per violation in textViolations), read back for a summary of stored drafts. Reasons are the codes'
 * general ones: the specific words are only in the log.
 */
export function textOutcomeFromAttributes(attributes: Readonly<Record<string, unknown>>): TextOutcome | null {
  const source = attributes.textSource;
  if (source !== 'llm' && source !== 'template') return null;
  const codes = Array.isArray(attributes.textViolations) ? attributes.textViolations.filter((c): c is ViolationCode => c in VIOLATION_CODES) : [];
  const fallback = FALLBACK_REASONS.find((r) => r === attributes.textFallback) ?? null;
  return {
    source,
    attempts: typeof attributes.textAttempts === 'number' ? attributes.textAttempts : 0,
    violations: codes.map((code) => ({ code, field: 'answer', match: '', reason: VIOLATION_CODES[code] })),
    fallback: source === 'llm' ? null : fallback,
  };
}

/** The summary as lines for a report (`lotreel eval`). */
export function formatTextOutcomeSummary(s: TextOutcomeSummary): string[] {
  const lines = [
    `listing text: ${s.drafts} drafts, ${s.llm} written by the LLM, ${s.template} from the template (${s.fellBack} fell back)`,
    `rule violations caught: ${s.violationsCaught} in ${s.answersRejected} rejected answers; ${s.retried} drafts retried`,
  ];
  for (const [code, n] of Object.entries(s.byCode).sort((a, b) => b[1] - a[1])) lines.push(`  ${code}: ${n}`);
  for (const [reason, n] of Object.entries(s.byFallback)) lines.push(`  template because ${reason}: ${n}`);
  return lines;
}
