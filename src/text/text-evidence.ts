/**
 * What printed text on and around a car says about it (pure): make, model and trim names from the
 * catalogue ('badge'), model year and mileage from a window sticker ('sticker'). Prices are recognised
 * only to be removed: no price read from a sticker goes into evidence details or the description.
 */
import type { Box } from '../core/geometry.js';
import type { BadgeCatalogue } from '../vehicle/badge-catalogue.js';
import type { Evidence } from '../evidence/evidence.js';
import { findNames, nameIndex, wordsOf } from './name-matcher.js';

/** One line of text read on one picture of the car. */
export interface ReadText {
  text: string;
  /** Mean character probability from the recogniser, 0..1. */
  score: number;
  /** Which picture it was read on (a photo file, a frame time): lines of one picture are read together. */
  picture: string;
  /** Where the line is in the picture (pixels), when known. */
  box?: Box;
  /** The car's box in the same picture (pixels), when the detector saw the car. */
  car?: Box | null;
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
  stickerName: 0.85,
  /** A document's model that may be a longer model of its make cut short ("X" of "X V"): a candidate only, under 0.5. */
  cutShortModel: 0.45,
} as const;

export interface TextEvidenceOptions {
  /** The latest model year accepted is this year + 1. */
  currentYear: number;
}

const hasLetter = (s: string) => /[A-Z]/i.test(s);

// Currency amounts and price words: "$18,995", "18 995 €", "PRICE: 18995", "MSRP", "£199/mo", "Preis 18.990", "Prix 18 990".
const CURRENCY_AMOUNT = /(?:[$£€¥]|\b(?:USD|EUR|GBP|CHF)\b)\s*\d[\d,.\s]*(?:\/\s*mo(?:nth)?\b)?|\d[\d,.]*\s*(?:[$£€¥]|\b(?:USD|EUR|GBP|CHF)\b)(?:\s*\/\s*mo(?:nth)?\b)?/gi;
const PRICE_LABEL = /(?<![a-z])(?:price|msrp|sale|offer|finance|apr|deposit|per month|p\/m|lease|leasing|preis|kaufpreis|angebot|monatlich|mtl|prix|tarif|par mois)(?![a-z])\s*[:\-]?\s*(?:\d[\d,.\s]*\d|\d)?/gi;

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

export const byPicture = (lines: readonly ReadText[]) => {
  const groups = new Map<string, ReadText[]>();
  for (const line of lines) groups.set(line.picture, [...(groups.get(line.picture) ?? []), line]);
  return groups;
};

export const detailOf = (line: ReadText) => `${line.picture}: "${stripPrices(line.text)}"`;

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
 * Model year and mileage ('sticker'), and the make and model of a headline such as "2019 FORD ESCAPE"
 * (a year beside a catalogue name) or "FORD ESCAPE" (a line that opens with a make and its model). A year counts on a line that names a catalogue make or model or
 * says "year" (not inside a price or mileage); a mileage needs its unit or a mileage word.
 */
export function stickerEvidence(lines: readonly ReadText[], catalogue: BadgeCatalogue, options: TextEvidenceOptions): Evidence[] {
  const evidence: Evidence[] = [];
  const index = nameIndex(catalogue);
  for (const line of lines) {
    const withoutMoney = stripPrices(line.text);
    const mileage = readMileage(withoutMoney);
    if (mileage) evidence.push({ attribute: 'mileage', value: mileage, source: 'sticker', confidence: TEXT_CONFIDENCE.mileage * line.score, detail: detailOf(line) });
    const yearText = withoutMoney.replace(MILEAGE_AFTER_WORD, ' ').replace(MILEAGE_WITH_UNIT, ' ');
    const hits = findNames(wordsOf(yearText, index), index);
    const make = hits.find((h) => h.kind === 'make');
    const model = hits.find((h): h is Extract<typeof h, { kind: 'model' }> => h.kind === 'model' && (make?.kind === 'make' ? h.make === make.make : !h.model.ambiguous && !h.model.shared));
    const named = make !== undefined || (model !== undefined && model.spelling.replace(/[^A-Za-z0-9]/g, '').length >= 3 && hasLetter(model.spelling));
    const worded = YEAR_WORDS.test(yearText);
    // A headline that opens with the make and goes on with one of its models ("VOLVO C70" over a price
    // board's rows), with or without the year.
    const opens = make?.kind === 'make' && make.at === 0 && model !== undefined && model.make === make.make && model.at === make.length;
    if (opens) {
      const confidence = TEXT_CONFIDENCE.stickerName * line.score;
      evidence.push({ attribute: 'make', value: make.make.make, source: 'sticker', confidence, detail: detailOf(line) });
      evidence.push({ attribute: 'model', value: model.model.name, source: 'sticker', confidence, detail: detailOf(line) });
    }
    if (!named && !worded) continue;
    for (const match of yearText.matchAll(YEAR)) {
      const year = Number(match[1]);
      if (year > options.currentYear + 1) continue;
      evidence.push({ attribute: 'year', value: year, source: 'sticker', confidence: (named ? TEXT_CONFIDENCE.yearWithName : TEXT_CONFIDENCE.yearWithWord) * line.score, detail: detailOf(line) });
      // A headline: the year, then the make and model it names.
      if (named && match.index! < yearText.length / 2) {
        const confidence = TEXT_CONFIDENCE.stickerName * line.score;
        if (make?.kind === 'make') evidence.push({ attribute: 'make', value: make.make.make, source: 'sticker', confidence, detail: detailOf(line) });
        if (model) {
          evidence.push({ attribute: 'model', value: model.model.name, source: 'sticker', confidence, detail: detailOf(line) });
          if (!make) evidence.push({ attribute: 'make', value: model.make.make, source: 'sticker', confidence, detail: detailOf(line) });
        }
      }
      break;
    }
  }
  return evidence;
}
