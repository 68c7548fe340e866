/**
 * Finds catalogue names (makes, models, trim words) in OCR text (pure). Names compare on letters and
 * digits only, upper case, accents dropped, through the digits PP-OCR reads for letters and back
 * (F0RD, 1LE); a name is matched as whole words, with and without its hyphens and spaces ("CR-V" as
 * CRV or CR V, "F-150" as F150 or F 150). Runs OCR glued together ("2019FORDESCAPE") are split into
 * known words when they split wholly, so FORD is never found inside AFFORDABLE.
 */
import type { BadgeCatalogue, CatalogueMake, CatalogueModel } from '../vehicle/badge-catalogue.js';

/** Runs of letters and digits, upper case, accents dropped. */
export function tokensOf(text: string): string[] {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
}

/** Words of a name as they may be printed: "CR-V" as CRV or CR V, "Land Rover" as LAND ROVER. */
export function nameForms(name: string): string[][] {
  const joined = name.split(/\s+/).map((word) => tokensOf(word).join('')).filter(Boolean);
  const split = tokensOf(name);
  return joined.join(' ') === split.join(' ') ? [joined] : [joined, split];
}

const LOOK_ALIKES = new Set(['0O', 'O0', '1I', 'I1', '1L', 'L1', '5S', 'S5', '8B', 'B8', '2Z', 'Z2', '6G', 'G6']);
const sameChar = (read: string, name: string) => read === name || LOOK_ALIKES.has(read + name);
/** A number read with leading zeros is that number ("05" is 5). */
const numberValue = (word: string) => (/^\d+$/.test(word) ? word.replace(/^0+(?=\d)/, '') : word);
/** Whether a word read is a name's word through look-alike characters ("3301" for 330I, "05" for 5). */
const looksLike = (read: string, word: string) => {
  const value = numberValue(read);
  return value.length === word.length && [...value].every((c, i) => sameChar(c, word[i]));
};

export type NameHit =
  | { kind: 'make'; make: CatalogueMake; spelling: string; at: number; length: number }
  | { kind: 'model'; make: CatalogueMake; model: CatalogueModel; spelling: string; at: number; length: number }
  | { kind: 'trim'; trim: string; at: number; length: number };

type Target = { kind: 'make'; make: CatalogueMake; spelling: string } | { kind: 'model'; make: CatalogueMake; model: CatalogueModel; spelling: string } | { kind: 'trim'; trim: string };

export interface NameIndex {
  catalogue: BadgeCatalogue;
  /** Known words (two characters or more, one a letter), longest first, for splitting glued runs. */
  vocabulary: string[];
  /** Name forms by their first word. */
  byFirstWord: Map<string, { form: string[]; target: Target }[]>;
}

const indexes = new WeakMap<BadgeCatalogue, NameIndex>();

/** The catalogue's index (built once per catalogue). */
export function nameIndex(catalogue: BadgeCatalogue): NameIndex {
  let index = indexes.get(catalogue);
  if (index) return index;
  const byFirstWord = new Map<string, { form: string[]; target: Target }[]>();
  const words = new Set<string>();
  const add = (name: string, target: Target) => {
    for (const form of nameForms(name)) {
      if (form.length === 0) continue;
      byFirstWord.set(form[0], [...(byFirstWord.get(form[0]) ?? []), { form, target }]);
      for (const word of form) if (word.length >= 2 && /[A-Z]/.test(word)) words.add(word);
    }
  };
  for (const make of catalogue.makes) {
    for (const spelling of [make.make, ...(make.aliases ?? [])]) add(spelling, { kind: 'make', make, spelling });
    for (const model of make.models) for (const spelling of [model.name, ...(model.aliases ?? [])]) add(spelling, { kind: 'model', make, model, spelling });
  }
  for (const trim of catalogue.trims) add(trim, { kind: 'trim', trim });
  index = { catalogue, vocabulary: [...words].sort((a, b) => b.length - a.length || a.localeCompare(b)), byFirstWord };
  indexes.set(catalogue, index);
  return index;
}

/**
 * The line as words. A run of letters and digits that splits wholly into known words and numbers is
 * taken as those words (in the catalogue's spelling); any other run stays one word.
 */
export function wordsOf(text: string, index: NameIndex): string[] {
  const words: string[] = [];
  for (const token of tokensOf(text)) words.push(...(index.byFirstWord.has(token) ? [token] : (splitToken(token, index.vocabulary) ?? [token])));
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
    // Numbers before known words: on a tie a number stays a number ("250" is not some "Z50").
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

/** Every catalogue name in the words, longest first where names overlap. */
export function findNames(words: readonly string[], index: NameIndex): NameHit[] {
  const hits: NameHit[] = [];
  for (let at = 0; at < words.length; at++) {
    for (const { form, target } of index.byFirstWord.get(words[at]) ?? []) {
      if (at + form.length > words.length || !form.every((w, k) => words[at + k] === w)) continue;
      hits.push({ ...target, at, length: form.length } as NameHit);
    }
  }
  // A name's words are not also read as a shorter name inside it ("GRAND CHEROKEE" is not "CHEROKEE",
  // "EX-L" not "EX"); a trim word never hides a make or model.
  const covers = (other: NameHit, hit: NameHit) => other.length > hit.length && other.at <= hit.at && other.at + other.length >= hit.at + hit.length;
  return hits.filter((hit) => !hits.some((other) => other !== hit && covers(other, hit) && !(other.kind === 'trim' && hit.kind !== 'trim')));
}

/** Whether the words hold the name as consecutive words. */
export function mentions(words: readonly string[], name: string): boolean {
  return nameForms(name).some((form) => {
    for (let i = 0; i + form.length <= words.length; i++) if (form.every((w, k) => words[i + k] === w)) return true;
    return false;
  });
}

/**
 * The one model of `make` that the words spell through look-alike characters (a make's "3301" is its
 * 330i), or null when none or several do. Names of under three letters and digits are too short
 * to be told apart from a misread this way.
 */
export function lookAlikeModel(words: readonly string[], make: CatalogueMake): CatalogueModel | null {
  const found = new Set<CatalogueModel>();
  for (const model of make.models) {
    for (const spelling of [model.name, ...(model.aliases ?? [])]) {
      if (tokensOf(spelling).join('').length < 3) continue;
      for (const form of nameForms(spelling)) {
        for (let i = 0; i + form.length <= words.length; i++) if (form.every((w, k) => looksLike(words[i + k], w))) found.add(model);
      }
    }
  }
  return found.size === 1 ? [...found][0] : null;
}

/** Most characters of a word a text detector drops when it stands apart (a model "NAME V" read as "NAME"). */
const DROPPABLE_WORD_LENGTH = 2;

/**
 * Whether the model read may be the first words of another model of its make whose remaining words
 * are short enough for the text detector to drop (a model read at the end of its text could be the
 * longer one): such a read is ambiguous and left for the seller to confirm. With the year read, only
 * longer models made that year count.
 */
export function mayBeCutShort(model: CatalogueModel, make: CatalogueMake, year: number | null = null): boolean {
  const own = tokensOf(model.name);
  const madeIn = (other: CatalogueModel) => year === null || ((other.years?.[0] ?? -Infinity) <= year && year <= (other.years?.[1] ?? Infinity));
  return make.models.some((other) => {
    const words = tokensOf(other.name);
    return madeIn(other) && words.length > own.length && own.every((w, k) => words[k] === w) && words.slice(own.length).every((w) => w.length <= DROPPABLE_WORD_LENGTH);
  });
}

/** Whether a model found in the words ends them and may be a longer model cut short (see mayBeCutShort). */
export function endsCutShort(hit: Extract<NameHit, { kind: 'model' }>, words: readonly string[], year: number | null = null): boolean {
  return hit.at + hit.length === words.length && mayBeCutShort(hit.model, hit.make, year);
}
