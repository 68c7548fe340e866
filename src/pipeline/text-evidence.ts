/**
 * What printed text on and around a car says about it (pure): make, model and trim names from the
 * catalogue ('badge'), model year and mileage from a window sticker ('sticker'). Prices are recognised
 * only to be removed: no price read from a sticker goes into evidence details or the description.
 */
import type { CatalogueMake } from './badge-catalogue.js';
import type { Evidence } from './evidence.js';

/** One line of text read on one picture of the car. */
export interface ReadText {
  text: string;
  /** Mean character probability from the recogniser, 0..1. */
  score: number;
  /** Which picture it was read on (a photo file, a frame time): lines of one picture are read together. */
  picture: string;
}

export interface TextEvidenceOptions {
  /** The latest model year accepted is this year + 1. */
  currentYear: number;
}

/** Upper case, accents dropped, every run of other characters one space, padded with spaces for whole-word search. */
export function normaliseText(text: string): string {
  const plain = text.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().replace(/[^A-Z0-9]+/g, ' ').trim();
  return ` ${plain} `;
}

/** Whole-word forms a name may appear as: "CR-V" as "CR V" and "CRV". */
function nameForms(name: string): string[] {
  const spaced = normaliseText(name);
  const compact = ` ${spaced.replace(/ /g, '')} `;
  return compact === spaced ? [spaced] : [spaced, compact];
}

const mentions = (normalised: string, name: string) => nameForms(name).some((form) => normalised.includes(form));
const hasLetter = (s: string) => /[A-Z]/i.test(s);

// Currency amounts and price words: "$18,995", "18 995 €", "PRICE: 18995", "MSRP", "£199/mo".
const CURRENCY_AMOUNT = /(?:[$£€¥]|\b(?:USD|EUR|GBP|CHF)\b)\s*\d[\d,.\s]*(?:\/\s*mo(?:nth)?\b)?|\d[\d,.]*\s*(?:[$£€¥]|\b(?:USD|EUR|GBP|CHF)\b)(?:\s*\/\s*mo(?:nth)?\b)?/gi;
const PRICE_LABEL = /\b(?:price|msrp|sale|offer|finance|apr|deposit|per month|p\/m)\b\s*[:\-]?\s*(?:\d[\d,.\s]*\d|\d)?/gi;

/** Whether a line talks about money. */
export function mentionsPrice(text: string): boolean {
  CURRENCY_AMOUNT.lastIndex = 0;
  PRICE_LABEL.lastIndex = 0;
  return CURRENCY_AMOUNT.test(text) || PRICE_LABEL.test(text);
}

/** The line without prices, price words or the numbers that follow them; spaces tidied. */
export function stripPrices(text: string): string {
  return text.replace(CURRENCY_AMOUNT, ' ').replace(PRICE_LABEL, ' ').replace(/\s+/g, ' ').trim();
}

const byPicture = (lines: readonly ReadText[]) => {
  const groups = new Map<string, ReadText[]>();
  for (const line of lines) groups.set(line.picture, [...(groups.get(line.picture) ?? []), line]);
  return groups;
};

const detailOf = (line: ReadText) => `${line.picture}: "${stripPrices(line.text)}"`;

/**
 * Make, model and trim evidence ('badge') from catalogue names in the text. A make read as a word
 * counts; a model counts when its make was read on the same picture, or alone when its name is
 * distinctive (4+ characters with a letter), then also for its make, less surely. A trim counts only
 * on a picture where its model was found. Confidence scales with the recogniser's score.
 */
export function badgeEvidence(lines: readonly ReadText[], catalogue: readonly CatalogueMake[]): Evidence[] {
  const evidence: Evidence[] = [];
  for (const pictureLines of byPicture(lines).values()) {
    const normalised = pictureLines.map((line) => ({ line, text: normaliseText(line.text) }));
    for (const entry of catalogue) {
      const makeNames = [entry.make, ...(entry.aliases ?? [])];
      const makeLine = normalised.find((n) => makeNames.some((name) => mentions(n.text, name)));
      if (makeLine) evidence.push({ attribute: 'make', value: entry.make, source: 'badge', confidence: 0.8 * makeLine.line.score, detail: detailOf(makeLine.line) });
      for (const model of entry.models) {
        const names = [model.name, ...(model.aliases ?? [])];
        const distinctive = model.name.replace(/[^A-Za-z0-9]/g, '').length >= 4 && hasLetter(model.name);
        if (!makeLine && !distinctive) continue;
        const modelLine = normalised.find((n) => names.some((name) => mentions(n.text, name)));
        if (!modelLine) continue;
        const confidence = (makeLine ? 0.8 : 0.6) * modelLine.line.score;
        evidence.push({ attribute: 'model', value: model.name, source: 'badge', confidence, detail: detailOf(modelLine.line) });
        if (!makeLine) evidence.push({ attribute: 'make', value: entry.make, source: 'badge', confidence, detail: detailOf(modelLine.line) });
        for (const trim of model.trims ?? []) {
          const trimLine = normalised.find((n) => mentions(n.text, trim));
          if (trimLine) evidence.push({ attribute: 'trim', value: trim, source: 'badge', confidence: 0.6 * trimLine.line.score, detail: detailOf(trimLine.line) });
        }
      }
    }
  }
  return evidence;
}

const YEAR = /\b(19[5-9]\d|20\d\d)\b/g;
const YEAR_WORDS = /\b(?:MODEL\s*YEAR|YEAR|MY|REG(?:ISTERED)?|BUILT)\b/i;
const MILEAGE_WITH_UNIT = /\b(\d{1,3}(?:[,.\s]\d{3})+|\d{1,7})\s*(MILES|MILE|MI|KMS|KM)\b/i;
const MILEAGE_AFTER_WORD = /\b(?:MILEAGE|ODOMETER|ODO|KILOMETRES|KILOMETERS)\b\s*[:\-]?\s*(\d{1,3}(?:[,.\s]\d{3})+|\d{1,7})\s*(MILES|MILE|MI|KMS|KM)?\b/i;

/** A mileage such as "23456 mi" or "45000 km" from a line, or null. */
export function readMileage(text: string): string | null {
  const match = MILEAGE_AFTER_WORD.exec(text) ?? MILEAGE_WITH_UNIT.exec(text);
  if (!match) return null;
  const value = Number(match[1].replace(/[,.\s]/g, ''));
  if (!Number.isFinite(value) || value < 0 || value > 2_000_000) return null;
  const unit = (match[2] ?? '').toUpperCase().startsWith('K') ? 'km' : match[2] ? 'mi' : null;
  return unit ? `${value} ${unit}` : String(value);
}

/**
 * Model year and mileage ('sticker'). A year counts on a line that names a catalogue make or model or
 * says "year" (not inside a price or mileage); a mileage needs its unit or a mileage word.
 */
export function stickerEvidence(lines: readonly ReadText[], catalogue: readonly CatalogueMake[], options: TextEvidenceOptions): Evidence[] {
  const evidence: Evidence[] = [];
  const names = catalogue.flatMap((entry) => [entry.make, ...(entry.aliases ?? []), ...entry.models.filter((model) => model.name.length >= 3 && hasLetter(model.name)).map((model) => model.name)]);
  for (const line of lines) {
    const withoutMoney = stripPrices(line.text);
    const mileage = readMileage(withoutMoney);
    if (mileage) evidence.push({ attribute: 'mileage', value: mileage, source: 'sticker', confidence: 0.8 * line.score, detail: detailOf(line) });
    const yearText = withoutMoney.replace(MILEAGE_AFTER_WORD, ' ').replace(MILEAGE_WITH_UNIT, ' ');
    const normalised = normaliseText(yearText);
    const named = names.some((name) => mentions(normalised, name));
    const worded = YEAR_WORDS.test(yearText);
    if (!named && !worded) continue;
    for (const match of yearText.matchAll(YEAR)) {
      const year = Number(match[1]);
      if (year > options.currentYear + 1) continue;
      evidence.push({ attribute: 'year', value: year, source: 'sticker', confidence: (named ? 0.8 : 0.7) * line.score, detail: detailOf(line) });
      break;
    }
  }
  return evidence;
}

/** Badge and sticker evidence together. */
export function textEvidence(lines: readonly ReadText[], catalogue: readonly CatalogueMake[], options: TextEvidenceOptions): Evidence[] {
  return [...badgeEvidence(lines, catalogue), ...stickerEvidence(lines, catalogue, options)];
}
