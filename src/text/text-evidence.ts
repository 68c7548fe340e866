/**
 * What printed text on and around a car says about it (pure): make, model and trim names from the
 * catalogue ('badge'), model year and mileage from a window sticker ('sticker'). Prices are recognised
 * only to be removed: no price read from a sticker goes into evidence details or the description.
 */
import type { CatalogueMake } from '../vehicle/badge-catalogue.js';
import type { Evidence } from '../evidence/evidence.js';

/** One line of text read on one picture of the car. */
export interface ReadText {
  text: string;
  /** Mean character probability from the recogniser, 0..1. */
  score: number;
  /** Which picture it was read on (a photo file, a frame time): lines of one picture are read together. */
  picture: string;
}

/**
 * How sure each kind of text evidence is, before scaling by the recogniser's score: a name beside its
 * make is surer than a model name alone; a sticker's year beside a make surer than after "year".
 */
export const TEXT_CONFIDENCE = {
  make: 0.8,
  modelWithMake: 0.8,
  modelAlone: 0.6,
  trim: 0.6,
  yearWithName: 0.8,
  yearWithWord: 0.7,
  mileage: 0.8,
} as const;

export interface TextEvidenceOptions {
  /** The latest model year accepted is this year + 1. */
  currentYear: number;
}

/** Runs of letters and digits, upper case, accents dropped. */
function tokensOf(text: string): string[] {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
}

/** Words of a name as they may be printed: "CR-V" as CRV or CR V, "Land Rover" as LAND ROVER. */
function nameForms(name: string): string[][] {
  const joined = name.split(/\s+/).map((word) => tokensOf(word).join('')).filter(Boolean);
  const split = tokensOf(name);
  return joined.join(' ') === split.join(' ') ? [joined] : [joined, split];
}

// PP-OCR misreads letters as look-alike digits and back (F0RD, 1LE); names compare through them.
const LOOK_ALIKES = new Set(['0O', 'O0', '1I', 'I1', '1L', 'L1', '5S', 'S5', '8B', 'B8', '2Z', 'Z2', '6G', 'G6']);
const sameChar = (read: string, name: string) => read === name || LOOK_ALIKES.has(read + name);

/**
 * The line as words. OCR often drops spaces ("2019FORDKUGA"), so a run of letters and digits that
 * splits wholly into known words and numbers is taken as those words; any other run stays one word
 * (so FORD is never found inside AFFORDABLE).
 */
export function wordsOf(text: string, vocabulary: readonly string[]): string[] {
  const words: string[] = [];
  for (const token of tokensOf(text)) words.push(...(splitToken(token, vocabulary) ?? [token]));
  return words;
}

function splitToken(token: string, vocabulary: readonly string[]): string[] | null {
  const n = token.length;
  const best: (string[] | null)[] = new Array(n + 1).fill(null);
  best[0] = [];
  const offer = (at: number, pieces: string[]) => {
    if (!best[at] || best[at]!.length > pieces.length) best[at] = pieces;
  };
  for (let i = 0; i < n; i++) {
    const here = best[i];
    if (!here) continue;
    for (let j = i; j < n && /\d/.test(token[j]); j++) offer(j + 1, [...here, token.slice(i, j + 1)]);
    for (const word of vocabulary) {
      if (i + word.length > n) continue;
      let k = 0;
      while (k < word.length && sameChar(token[i + k], word[k])) k++;
      if (k === word.length) offer(i + k, [...here, word]);
    }
  }
  return best[n];
}

/** Known words of a catalogue (two letters or more), for splitting runs. */
function vocabularyOf(catalogue: readonly CatalogueMake[]): string[] {
  const names = catalogue.flatMap((entry) => [entry.make, ...(entry.aliases ?? []), ...entry.models.flatMap((model) => [model.name, ...(model.aliases ?? []), ...(model.trims ?? [])])]);
  const words = new Set(names.flatMap((name) => nameForms(name).flat()).filter((word) => word.length >= 2 && /[A-Z]/.test(word)));
  return [...words].sort((a, b) => b.length - a.length);
}

const vocabularies = new WeakMap<readonly CatalogueMake[], string[]>();
function cachedVocabulary(catalogue: readonly CatalogueMake[]): string[] {
  let vocabulary = vocabularies.get(catalogue);
  if (!vocabulary) vocabularies.set(catalogue, (vocabulary = vocabularyOf(catalogue)));
  return vocabulary;
}

/** Whether the words hold the name as consecutive words. */
function mentions(words: readonly string[], name: string): boolean {
  return nameForms(name).some((form) => {
    for (let i = 0; i + form.length <= words.length; i++) if (form.every((w, k) => words[i + k] === w)) return true;
    return false;
  });
}

const hasLetter = (s: string) => /[A-Z]/i.test(s);

// Currency amounts and price words: "$18,995", "18 995 €", "PRICE: 18995", "MSRP", "£199/mo".
const CURRENCY_AMOUNT = /(?:[$£€¥]|\b(?:USD|EUR|GBP|CHF)\b)\s*\d[\d,.\s]*(?:\/\s*mo(?:nth)?\b)?|\d[\d,.]*\s*(?:[$£€¥]|\b(?:USD|EUR|GBP|CHF)\b)(?:\s*\/\s*mo(?:nth)?\b)?/gi;
const PRICE_LABEL = /(?<![a-z])(?:price|msrp|sale|offer|finance|apr|deposit|per month|p\/m)(?![a-z])\s*[:\-]?\s*(?:\d[\d,.\s]*\d|\d)?/gi;

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

/** A model spelling that means the model even without its make: 4+ letters and digits, one a letter. */
const isDistinctive = (name: string) => name.replace(/[^A-Za-z0-9]/g, '').length >= 4 && hasLetter(name);

/**
 * Make, model and trim evidence ('badge') from catalogue names in the text. A make read as a word
 * counts; a model counts when its make was read on the same picture, or alone when the spelling read
 * is distinctive (4+ characters with a letter), then also for its make, less surely. A trim counts only
 * on a picture where its model was found. Confidence scales with the recogniser's score.
 */
export function badgeEvidence(lines: readonly ReadText[], catalogue: readonly CatalogueMake[]): Evidence[] {
  const evidence: Evidence[] = [];
  for (const pictureLines of byPicture(lines).values()) {
    const vocabulary = cachedVocabulary(catalogue);
    const normalised = pictureLines.map((line) => ({ line, text: wordsOf(line.text, vocabulary) }));
    for (const entry of catalogue) {
      const makeNames = [entry.make, ...(entry.aliases ?? [])];
      const makeLine = normalised.find((n) => makeNames.some((name) => mentions(n.text, name)));
      if (makeLine) evidence.push({ attribute: 'make', value: entry.make, source: 'badge', confidence: TEXT_CONFIDENCE.make * makeLine.line.score, detail: detailOf(makeLine.line) });
      for (const model of entry.models) {
        // Without the make, only a distinctive spelling counts: Mazda3's "3" alone is any digit.
        const names = [model.name, ...(model.aliases ?? [])].filter((name) => makeLine || isDistinctive(name));
        if (names.length === 0) continue;
        const modelLine = normalised.find((n) => names.some((name) => mentions(n.text, name)));
        if (!modelLine) continue;
        const confidence = (makeLine ? TEXT_CONFIDENCE.modelWithMake : TEXT_CONFIDENCE.modelAlone) * modelLine.line.score;
        evidence.push({ attribute: 'model', value: model.name, source: 'badge', confidence, detail: detailOf(modelLine.line) });
        if (!makeLine) evidence.push({ attribute: 'make', value: entry.make, source: 'badge', confidence, detail: detailOf(modelLine.line) });
        for (const trim of model.trims ?? []) {
          const trimLine = normalised.find((n) => mentions(n.text, trim));
          if (trimLine) evidence.push({ attribute: 'trim', value: trim, source: 'badge', confidence: TEXT_CONFIDENCE.trim * trimLine.line.score, detail: detailOf(trimLine.line) });
        }
      }
    }
  }
  return evidence;
}

// OCR drops spaces ("MILEAGE23,456mi", "2017CHEVROLET"): numbers are delimited by what is not a digit.
const YEAR = /(?<![\d,.])(19[5-9]\d|20\d\d)(?![\d,.]\d)(?!\d)/g;
const YEAR_WORDS = /(?<![A-Z])(?:MODEL\s*YEAR|YEAR|MY|REG(?:ISTERED)?|BUILT)(?![A-Z])/i;
const MILEAGE_WITH_UNIT = /(?<![\d,.])(\d{1,3}(?:[,.\s]\d{3})+|\d{1,7})\s*(MILES|MILE|MI|KMS|KM)(?![A-Z])/i;
const MILEAGE_AFTER_WORD = /(?<![A-Z])(?:MILEAGE|ODOMETER|ODO|KILOMETRES|KILOMETERS)(?![A-Z])\s*[:\-]?\s*(\d{1,3}(?:[,.\s]\d{3})+|\d{1,7})\s*(MILES|MILE|MI|KMS|KM)?(?![A-Z])/i;

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
    if (mileage) evidence.push({ attribute: 'mileage', value: mileage, source: 'sticker', confidence: TEXT_CONFIDENCE.mileage * line.score, detail: detailOf(line) });
    const yearText = withoutMoney.replace(MILEAGE_AFTER_WORD, ' ').replace(MILEAGE_WITH_UNIT, ' ');
    const named = names.some((name) => mentions(wordsOf(yearText, cachedVocabulary(catalogue)), name));
    const worded = YEAR_WORDS.test(yearText);
    if (!named && !worded) continue;
    for (const match of yearText.matchAll(YEAR)) {
      const year = Number(match[1]);
      if (year > options.currentYear + 1) continue;
      evidence.push({ attribute: 'year', value: year, source: 'sticker', confidence: (named ? TEXT_CONFIDENCE.yearWithName : TEXT_CONFIDENCE.yearWithWord) * line.score, detail: detailOf(line) });
      break;
    }
  }
  return evidence;
}

/** Badge and sticker evidence together. */
export function textEvidence(lines: readonly ReadText[], catalogue: readonly CatalogueMake[], options: TextEvidenceOptions): Evidence[] {
  return [...badgeEvidence(lines, catalogue), ...stickerEvidence(lines, catalogue, options)];
}
