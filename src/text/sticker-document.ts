/**
 * Label/value pairs of window stickers and documents (pure): the FTC Buyers Guide (values typed on
 * the line above each label: VEHICLE MAKE, MODEL, YEAR, VIN NUMBER), Monroney labels and dealers'
 * stickers and price boards (a label, then its value to the right or below it). Each label's value is
 * looked for to its right on the same row, then above, then below it in the same column, and taken
 * only where it is a value of that label (a year for YEAR, a catalogue make for MAKE...), so one parser
 * reads every layout. Lines without boxes pair a label with the rest of its line or the next line.
 * Prices are never values: a line that mentions money is stripped of it first.
 */
import type { Box } from '../core/geometry.js';
import type { CarAttribute, Evidence } from '../evidence/evidence.js';
import type { BadgeCatalogue, CatalogueMake } from '../vehicle/badge-catalogue.js';
import { endsCutShort, findNames, lookAlikeModel, mayBeCutShort, nameIndex, tokensOf, wordsOf, type NameIndex } from './name-matcher.js';
import { byPicture, mentionsPrice, readMileage, stripPrices, TEXT_CONFIDENCE, type ReadText } from './text-evidence.js';
import { findVins, legacyVin } from '../vehicle/vin.js';

/** A labelled value is surer than a name found in free text. */
export const DOCUMENT_CONFIDENCE = 0.9;
/** A pre-1981 VIN (a maker's own scheme, see legacyVin): only its label vouches for it. */
export const LEGACY_VIN_CONFIDENCE = 0.6;
/** The first model year of the 17-character VIN standard: a car of this year or later has no legacy VIN. */
const STANDARD_VIN_FROM = 1981;

type Field = 'vin' | 'year' | 'make' | 'model' | 'trim' | 'mileage' | 'engine' | 'fuel' | 'transmission' | 'colour' | 'interiorColour' | 'equipment';

/** Label spellings (as tokens), longest first; a label is the first words of its line. */
const LABELS: readonly { field: Field; words: string[] }[] = (
  [
    ['vin', 'VIN NUMBER'], ['vin', 'VIN'], ['vin', 'VEHICLE IDENTIFICATION NUMBER'], ['vin', 'CHASSIS NUMBER'], ['vin', 'CHASSIS NO'], ['vin', 'FIN'], ['vin', 'FAHRGESTELLNUMMER'],
    ['year', 'MODEL YEAR'], ['year', 'VEHICLE YEAR'], ['year', 'YEAR'], ['year', 'YR'], ['year', 'FIRST REGISTRATION'], ['year', 'REGISTERED'],
    ['year', 'ERSTZULASSUNG'], ['year', 'EZ'], ['year', 'BAUJAHR'], ['year', 'MISE EN CIRCULATION'], ['year', 'ANNEE'],
    ['make', 'VEHICLE MAKE'], ['make', 'MAKE'], ['make', 'MARQUE'], ['make', 'MARKE'], ['make', 'HERSTELLER'],
    ['model', 'VEHICLE MODEL'], ['model', 'MODEL'], ['model', 'MODELE'], ['model', 'MODELL'],
    ['trim', 'TRIM LEVEL'], ['trim', 'TRIM'], ['trim', 'SERIES'], ['trim', 'VERSION'], ['trim', 'FINITION'], ['trim', 'AUSSTATTUNGSLINIE'],
    ['mileage', 'ODOMETER READING'], ['mileage', 'ODOMETER'], ['mileage', 'MILEAGE'], ['mileage', 'KILOMETRAGE'], ['mileage', 'KM STAND'], ['mileage', 'KILOMETERSTAND'], ['mileage', 'LAUFLEISTUNG'],
    ['engine', 'ENGINE'], ['engine', 'MOTOR'], ['engine', 'MOTEUR'], ['engine', 'MOTORISATION'],
    ['fuel', 'FUEL TYPE'], ['fuel', 'FUEL'], ['fuel', 'KRAFTSTOFF'], ['fuel', 'CARBURANT'], ['fuel', 'ENERGIE'],
    ['transmission', 'TRANSMISSION'], ['transmission', 'GEARBOX'], ['transmission', 'GETRIEBE'], ['transmission', 'BOITE DE VITESSES'], ['transmission', 'BOITE'],
    ['equipment', 'STANDARD EQUIPMENT'], ['equipment', 'OPTIONAL EQUIPMENT'], ['equipment', 'EQUIPMENT'], ['equipment', 'FEATURES'], ['equipment', 'AUSSTATTUNG'], ['equipment', 'EQUIPEMENTS'],
    ['interiorColour', 'INTERIOR COLOR'], ['interiorColour', 'INTERIOR COLOUR'], ['interiorColour', 'INTERIOR'], ['interiorColour', 'INT COLOR'], ['interiorColour', 'UPHOLSTERY'], ['interiorColour', 'POLSTERUNG'], ['interiorColour', 'SELLERIE'],
    ['colour', 'EXTERIOR COLOR'], ['colour', 'EXTERIOR COLOUR'], ['colour', 'EXTERIOR'], ['colour', 'EXT COLOR'], ['colour', 'COLOR'], ['colour', 'COLOUR'], ['colour', 'FARBE'], ['colour', 'AUSSENFARBE'], ['colour', 'COULEUR'],
  ] as const
)
  .map(([field, text]) => ({ field: field as Field, words: text.split(' ') }))
  .sort((a, b) => b.words.length - a.words.length);

interface Labelled {
  field: Field;
  /** The line's own text after the label, if any. */
  rest: string;
}

/**
 * The label the line starts with, and what follows it on the line. In a row of labels, MODEL YEAR is
 * two labels (the Buyers Guide's "VEHICLE MAKE MODEL YEAR").
 */
export function labelOf(text: string, inRow = false): Labelled | null {
  // The rest keeps its prices: each field's reader strips them (an equipment list drops a priced item whole).
  const clean = text;
  const tokens = tokensOf(clean);
  for (const label of LABELS) {
    if (inRow && label.words[0] === 'MODEL' && label.words.length > 1) continue;
    // OCR drops spaces ("MODELYEAR"): the label is the first one, two or three runs, joined.
    const joined = label.words.join('');
    const runs = [1, 2, 3].find((k) => tokens.length >= k && tokens.slice(0, k).join('') === joined);
    if (runs === undefined) continue;
    // What follows the label in the original spelling: drop as many letter/digit runs as the label took.
    let rest = clean;
    for (let k = 0; k < runs; k++) rest = rest.replace(/^[^A-Za-z0-9]*[A-Za-z0-9]+/, '');
    return { field: label.field, rest: rest.replace(/^[\s:.#\-–]+/, '').trim() };
  }
  return null;
}

/**
 * The labels a line holds: one label and its value, or a row of labels read as one line ("VEHICLE
 * MAKE MODEL YEAR VIN NUMBER"), whose values are on a neighbouring line.
 */
export function labelsOf(text: string): Labelled[] {
  const first = labelOf(text);
  if (!first) return [];
  const row = [first];
  for (let next = labelOf(first.rest, true); next; next = labelOf(next.rest, true)) row.push(next);
  if (row.length === 1) return row;
  // A row of labels: the values are elsewhere (what follows the last label is a label too, or nothing).
  return row.map((label) => ({ field: label.field, rest: '' }));
}

const YEAR = /(?<![\d,.])(19[5-9]\d|20\d\d)(?![\d,.]\d)(?!\d)/;
const FUEL_WORD = /(?<![A-Z])(?:GAS(?:OLINE)?|PETROL|DIESEL|ELECTRIC|HYBRID|PLUG-?IN|FLEX|E85|LPG|CNG|HYDROGEN|BENZIN|ELEKTRO|ESSENCE|GAZOLE|ELECTRIQUE)(?![A-Z])/i;
const centreY = (b: Box) => (b.y1 + b.y2) / 2;
const lineHeight = (b: Box) => b.y2 - b.y1;

/** A value; `ambiguous`: it may be another, longer name cut short, so it is only a candidate. */
type Value = { attribute: CarAttribute; value: string | number; ambiguous?: boolean };

/** The values a text holds for a field, or [] when it holds none. */
function valuesFor(field: Field, text: string, index: NameIndex, options: { currentYear: number }, read: { make: CatalogueMake | null; year: number | null }): Value[] {
  const { make } = read;
  const clean = stripPrices(text).trim();
  if (!clean) return [];
  switch (field) {
    case 'vin': {
      const legacy = legacyVin(clean);
      return legacy ? [{ attribute: 'vin', value: legacy.vin }] : [];
    }
    case 'year': {
      // A registration date ("03/2019", "03.2019") gives its year.
      const year = Number(YEAR.exec(clean.replace(/(?<!\d)(?:0?[1-9]|1[0-2])[./-](?=(?:19|20)\d\d(?!\d))/g, ' '))?.[1]);
      return Number.isFinite(year) && year <= options.currentYear + 1 ? [{ attribute: 'year', value: year }] : [];
    }
    case 'make': {
      const hit = findNames(wordsOf(clean, index), index).find((h) => h.kind === 'make');
      return hit?.kind === 'make' ? [{ attribute: 'make', value: hit.make.make }] : [];
    }
    case 'model': {
      const words = wordsOf(clean, index);
      const hit = findNames(words, index).find((h) => h.kind === 'model' && (make ? h.make === make : !h.model.shared));
      if (hit?.kind !== 'model') {
        // Beside its make, a model read with look-alike characters ("3301") is the one model they spell.
        const model = make ? lookAlikeModel(tokensOf(clean), make) : null;
        return model ? [{ attribute: 'model', value: model.name, ambiguous: mayBeCutShort(model, make!, read.year) }] : [];
      }
      const ambiguous = endsCutShort(hit, words, read.year);
      return make ? [{ attribute: 'model', value: hit.model.name, ambiguous }] : [{ attribute: 'model', value: hit.model.name, ambiguous }, { attribute: 'make', value: hit.make.make }];
    }
    case 'mileage': {
      const mileage = readMileage(clean) ?? readMileage(`MILEAGE ${clean}`);
      return mileage ? [{ attribute: 'mileage', value: mileage }] : [];
    }
    case 'equipment': {
      // A list: items between commas, semicolons or bullets; one that talks money is dropped whole.
      const items = text.split(/[,;•·|]+/).map((item) => item.trim()).filter((item) => item !== '' && !mentionsPrice(item) && /[A-Za-z]{3}/.test(item) && item.length <= 40);
      return items.length > 0 && !labelOf(items[0]) ? [{ attribute: 'equipment', value: items.join(', ') }] : [];
    }
    case 'fuel':
      // The label alone is not enough: a Monroney's FUEL ECONOMY box is no fuel.
      return FUEL_WORD.test(clean) && clean.length <= 40 ? [{ attribute: 'fuel', value: clean }] : [];
    case 'trim':
    case 'engine':
    case 'transmission':
    case 'colour':
    case 'interiorColour':
      // Free text, but short, not a number alone, and not the next label.
      return clean.length <= 40 && /[A-Za-z]/.test(clean) && !labelOf(clean) ? [{ attribute: field, value: clean }] : [];
  }
}

/** Other lines of the picture in the order a label's value is looked for: right on the row, above, below. */
function neighbours(label: ReadText & { box: Box }, lines: readonly ReadText[]): ReadText[] {
  const h = lineHeight(label.box);
  const others = lines.filter((l): l is ReadText & { box: Box } => l !== label && l.box !== undefined);
  const overlapX = (b: Box) => Math.min(b.x2, label.box.x2) - Math.max(b.x1, label.box.x1) > 0.3 * Math.min(b.x2 - b.x1, label.box.x2 - label.box.x1);
  // A photographed label is turned a little: the row is allowed a line's height of slope.
  const right = others
    .filter((l) => Math.abs(centreY(l.box) - centreY(label.box)) < h && l.box.x1 >= label.box.x2 - 0.2 * h)
    .sort((a, b) => a.box.x1 - b.box.x1);
  const above = others
    .filter((l) => overlapX(l.box) && l.box.y2 <= label.box.y1 + 0.3 * h && label.box.y1 - l.box.y2 < 2.5 * h)
    .sort((a, b) => b.box.y2 - a.box.y2);
  const below = others
    .filter((l) => overlapX(l.box) && l.box.y1 >= label.box.y2 - 0.3 * h && l.box.y1 - label.box.y2 < 2.5 * h)
    .sort((a, b) => a.box.y1 - b.box.y1);
  return [...right.slice(0, 2), ...above.slice(0, 1), ...below.slice(0, 1)];
}

/** The line and the lines that go on from it on its row (boxes may overlap a little), each less than a line's height after the last. */
function continued(line: ReadText & { box: Box }, lines: readonly ReadText[]): string {
  const h = lineHeight(line.box);
  const texts = [line.text];
  let last = line.box;
  for (;;) {
    const next = lines.find((l): l is ReadText & { box: Box } => l.box !== undefined && Math.abs(centreY(l.box) - centreY(last)) < 0.5 * h && l.box.x1 > last.x1 && l.box.x2 > last.x2 && l.box.x1 - last.x2 < h);
    if (!next) return texts.join(' ');
    texts.push(next.text);
    last = next.box;
  }
}

/**
 * Year, make, model, trim, mileage, engine, transmission, exterior and interior colours and the equipment list read as label/value pairs
 * ('sticker'). The make and year are read first so that the model is looked for among the make's models of that year.
 */
export function documentEvidence(lines: readonly ReadText[], catalogue: BadgeCatalogue, options: { currentYear: number }): Evidence[] {
  const index = nameIndex(catalogue);
  const evidence: Evidence[] = [];
  for (const group of byPicture(lines).values()) {
    const labelled = group.flatMap((line, i) => labelsOf(line.text).map((label) => ({ line, i, label })));
    const order: Field[] = ['make', 'year', 'model', 'vin', 'trim', 'mileage', 'engine', 'fuel', 'transmission', 'colour', 'interiorColour', 'equipment'];
    labelled.sort((a, b) => order.indexOf(a.label.field) - order.indexOf(b.label.field));
    let make: CatalogueMake | null = null;
    let year: number | null = null;
    const taken = new Set<CarAttribute>();
    for (const { line, i, label } of labelled) {
      const { field, rest } = label;
      const nearby = line.box ? neighbours(line as ReadText & { box: Box }, group) : group[i + 1] ? [group[i + 1]] : [];
      // A name's words may come as separate boxes ("NAME" | "5"): a model is also looked for in a line and what follows it on its row.
      const candidates = [rest, ...nearby.flatMap((l) => (field === 'model' && l.box ? [l.text, continued(l as ReadText & { box: Box }, group)] : [l.text]))];
      for (const text of candidates) {
        // A 17-character VIN is the label's value, found in every line and decoded by the VIN stage.
        if (field === 'vin' && findVins(stripPrices(text)).length > 0) break;
        const values = valuesFor(field, text, index, options, { make, year });
        if (values.length === 0) continue;
        for (const v of values) {
          if (taken.has(v.attribute)) continue;
          const detail = `${line.picture}: ${field} "${stripPrices(text)}"`;
          if (v.attribute === 'vin') {
            // A short VIN on a car the document dates 1981 or later is a misread, not a legacy VIN.
            if (year !== null && year >= STANDARD_VIN_FROM) continue;
            evidence.push({ ...v, source: 'vin', confidence: LEGACY_VIN_CONFIDENCE * line.score, detail: `${detail}; pre-1981 VIN, not decoded` });
          } else {
            const { ambiguous, ...value } = v;
            evidence.push({ ...value, source: 'sticker', confidence: (ambiguous ? TEXT_CONFIDENCE.cutShortModel : DOCUMENT_CONFIDENCE) * line.score, detail });
          }
          taken.add(v.attribute);
          if (v.attribute === 'make') make = catalogue.makes.find((m) => m.make === v.value) ?? null;
          if (v.attribute === 'year') year = Number(v.value);
        }
        break;
      }
    }
  }
  return evidence;
}
