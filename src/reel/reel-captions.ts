/**
 * A reel's captions and narration script from the draft and its facts (pure): the year, make and
 * model (or the draft's title), the mileage, and up to three features the evidence states. The listing
 * rules apply to every line: one that talks price, money, contact details or marketing is never shown
 * or spoken; machine-written lines must also keep to the facts.
 */
import { checkFreeText, type Violation, type ViolationCode } from '../listing/listing-rules.js';
import type { ListingFacts } from '../listing/listing-facts.js';
import type { ReelPlan } from './reel-plan.js';

export interface ReelText {
  /** The draft's title as the seller left it; used when the facts do not name the car. */
  title: string;
  facts: ListingFacts;
}

export interface Caption {
  text: string;
  startMs: number;
  endMs: number;
}

/** Rules that hold for every line, whoever wrote it (a seller's own title may state what it likes otherwise). */
const ALWAYS: readonly ViolationCode[] = ['PRICE_OR_FINANCE', 'MARKETING_PHRASE', 'CONTACT_DETAILS'];

/** The rules a line breaks: all of them for machine-written text, the always-rules for the seller's. */
export function lineViolations(text: string, facts: ListingFacts, writtenBy: 'facts' | 'seller' | 'machine'): Violation[] {
  const found = checkFreeText(text, facts);
  return writtenBy === 'machine' ? found : found.filter((v) => ALWAYS.includes(v.code));
}

const MAX_FEATURES = 3;

/** The lines to show, in order, each one kept to the rules. */
export function captionLines(text: ReelText): string[] {
  const f = text.facts;
  const identity = [f.year, f.make, f.model, f.trim].filter((x) => x !== null && x !== '').join(' ');
  const lines: { text: string; by: 'facts' | 'seller' }[] = [];
  if (f.make || f.model) lines.push({ text: identity, by: 'facts' });
  else if (text.title.trim() !== '') lines.push({ text: text.title.trim(), by: 'seller' });
  if (f.mileage) {
    const grouped = f.mileage.replace(/\b\d{4,}\b/, (n) => Number(n).toLocaleString('en-US'));
    lines.push({ text: /\p{L}/u.test(grouped) ? grouped : `Mileage ${grouped}`, by: 'facts' });
  }
  const allowed = (line: { text: string; by: 'facts' | 'seller' }) => line.text.trim() !== '' && lineViolations(line.text, f, line.by).length === 0;
  const features = f.features.map((text) => ({ text, by: 'facts' as const })).filter(allowed).slice(0, MAX_FEATURES);
  return [...lines.filter(allowed), ...features].map((line) => line.text.trim());
}

/**
 * When each line is on screen: one line per shot from the cover on, each shown while its shot is
 * alone on screen (never across a transition), so every caption sits over one picture.
 */
export function scheduleCaptions(lines: readonly string[], plan: Pick<ReelPlan, 'shots' | 'transitionMs'>): Caption[] {
  const t = plan.transitionMs;
  return lines.slice(0, plan.shots.length).map((text, k) => {
    const shot = plan.shots[k];
    const startMs = shot.startMs + (k === 0 ? 300 : t);
    return { text, startMs, endMs: shot.startMs + shot.durationMs - t };
  });
}

/** Breaks a caption into lines of at most `maxChars` (words are never split). */
export function wrapCaption(text: string, maxChars: number): string[] {
  const out: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const last = out.at(-1);
    if (last !== undefined && last.length + 1 + word.length <= maxChars) out[out.length - 1] = `${last} ${word}`;
    else out.push(word);
  }
  return out;
}

/** The narration: the captions as sentences, kept to the rules like any machine-written text. */
export function narrationScript(lines: readonly string[], facts: ListingFacts): string | null {
  const sentences = lines.map((line) => line.replace(/[.\s]+$/, '') + '.');
  const script = sentences.join(' ');
  return script.trim() === '' || lineViolations(script, facts, 'machine').length > 0 ? null : script;
}
