/**
 * The make/model catalogue of a market, generated from vPIC rows (pure; the script
 * scripts/generate-catalogue.ts reads the database and writes src/vehicle/catalogue/<market>.json).
 * Nothing here names a make or model: every entry comes from the database, every spelling variant and
 * flag from a rule. The rules:
 * - a make is kept when it builds passenger vehicles (a Passenger Car or MPV model) with at least
 *   MIN_MAKE_SCHEMAS VIN schemas (which leaves out one-off kit and conversion builders);
 * - the EU market keeps makes with a factory (a WMI of a region, ISO 3780) outside North America: vPIC is the US register,
 *   so a make that only ever built there is not sold in Europe;
 * - a model's name is `ambiguous` (needs its make beside it or a badge's place on the car) when it is
 *   short, has no letter, is also a trim word, or is used by more than one make anywhere in vPIC (a
 *   common word: Escape, Ranger, Golf);
 * - a model is `shared` when another kept make uses the same spelling and does not clearly yield it;
 *   a shared model never implies its make.
 */
export const CATALOGUE_VERSION = 1;
export const MARKETS = ['us', 'eu'] as const;
export type Market = (typeof MARKETS)[number];

export interface MarketRules {
  vehicleTypes: readonly string[];
  /** Models whose last year is before this are left out. */
  minYear: number;
  /** Keep only makes with a WMI whose region (first character, ISO 3780) is not one of these (empty: every make). */
  factoryOutside: string;
}

const PASSENGER_TYPES = ['Passenger Car', 'Multipurpose Passenger Vehicle (MPV)'];
/** WMI regions 1-5: United States, Canada, Mexico. */
const NORTH_AMERICA = '12345';

export const MARKET_RULES: Record<Market, MarketRules> = {
  us: { vehicleTypes: [...PASSENGER_TYPES, 'Truck'], minYear: 1981, factoryOutside: '' },
  eu: { vehicleTypes: [...PASSENGER_TYPES, 'Truck'], minYear: 1981, factoryOutside: NORTH_AMERICA },
};

const MIN_MAKE_SCHEMAS = 5;
/** A word of trim and series values named by at least this many VIN schemas is a trim word. */
const MIN_TRIM_SCHEMAS = 8;
const MAX_TRIM_LENGTH = 12;
/** A make keeps a model another make also uses when it has this many times the other's schemas. */
const DOMINANCE = 4;
/** Names people use for a make that vPIC does not spell (nicknames, not models). */
const MAKE_NICKNAMES: Record<string, readonly string[]> = { Chevrolet: ['Chevy'], Volkswagen: ['VW'], 'Mercedes-Benz': ['Mercedes', 'Benz'] };

export interface GeneratedModel {
  name: string;
  years: [number | null, number | null];
  aliases?: string[];
  /** Counts alone only as a badge on the car, else beside its make. */
  ambiguous?: true;
  /** Another make uses the spelling: never implies this make. */
  shared?: true;
}

export interface GeneratedMake {
  make: string;
  aliases?: string[];
  models: GeneratedModel[];
}

export interface GeneratedCatalogue {
  version: number;
  market: Market;
  source: string;
  rules: MarketRules;
  /** Trim and series words (LIMITED, XLT, xDrive...): evidence of trim beside a model, never a model. */
  trims: string[];
  /** World manufacturer identifiers (VIN positions 1-3) of the kept makes: WMI -> make (null: several). */
  wmis: Record<string, string | null>;
  makes: GeneratedMake[];
}

/** Letters and digits, upper case, accents dropped: how spellings are compared. */
export const nameKey = (name: string) => name.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase().replace(/[^A-Z0-9]/g, '');

/** Input rows, as vpic-catalogue's readVpicRows gives them. */
export interface CatalogueRows {
  /** One row per make and model with VIN-decoding patterns of the market's vehicle types (`types`: their names, comma-separated). */
  models: { makeId: number; make: string; model: string; yearFrom: number | null; yearTo: number | null; schemas: number; types: string }[];
  /** Each make's WMIs (its factories; the first character is the region, ISO 3780). */
  makeWmis: { makeId: number; wmi: string }[];
  /** How many makes of any vehicle type use each model name (trailers, RVs and carts included). */
  modelNameMakes: { name: string; makes: number }[];
  /** Trim and series values and the number of VIN schemas that name them. */
  trims: { name: string; schemas: number }[];
  /** Three-character WMIs of makes, with their country. */
  wmis: { wmi: string; makeId: number; country: string | null }[];
}

export function buildCatalogue(rows: CatalogueRows, market: Market, tidyMake: (name: string) => string, source: string): GeneratedCatalogue {
  const rules = MARKET_RULES[market];
  const keptMakes = keptMakeIds(rows, rules);
  const models = rows.models.filter((r) => keptMakes.has(r.makeId) && r.model.trim() !== '' && (r.yearTo ?? 9999) >= rules.minYear);
  const makeKeys = new Set(models.map((r) => nameKey(tidyMake(r.make))));
  const trims = trimWords(rows, makeKeys, new Set(models.map((r) => nameKey(r.model))));
  const trimKeys = new Set(trims.map(nameKey));
  const usesAnywhere = new Map(rows.modelNameMakes.map((r) => [nameKey(r.name), r.makes]));
  const owners = ownersBySpelling(models);

  const byMake = new Map<number, GeneratedMake>();
  for (const r of models) {
    const make = tidyMake(r.make);
    let entry = byMake.get(r.makeId);
    if (!entry) byMake.set(r.makeId, (entry = { make, models: [] }));
    const name = r.model.trim();
    const key = nameKey(name);
    if (!key || entry.models.some((m) => nameKey(m.name) === key)) continue;
    const model: GeneratedModel = { name, years: [r.yearFrom, r.yearTo === 9999 ? null : r.yearTo] };
    const aliases = modelAliases(name, make);
    if (aliases.length > 0) model.aliases = aliases;
    const commonWord = (usesAnywhere.get(key) ?? 1) > 1;
    if (key.length <= 3 || !/[A-Z]/.test(key) || trimKeys.has(key) || commonWord || (makeKeys.has(key) && key !== nameKey(make))) model.ambiguous = true;
    if (owners.get(key) !== r.makeId) model.shared = true;
    entry.models.push(model);
  }
  const makes = [...byMake.values()]
    .map((entry) => ({ ...withMakeAliases(entry), models: entry.models.sort((a, b) => a.name.localeCompare(b.name)) }))
    .sort((a, b) => a.make.localeCompare(b.make));
  const names = new Map([...byMake].map(([id, entry]) => [id, entry.make]));
  // A WMI shared by two kept makes (Renault's VF1 also built Eagles) names no make.
  const wmis: Record<string, string | null> = {};
  for (const w of rows.wmis) {
    const make = names.get(w.makeId);
    if (!make) continue;
    wmis[w.wmi] = w.wmi in wmis && wmis[w.wmi] !== make ? null : make;
  }
  return { version: CATALOGUE_VERSION, market, source, rules, trims, wmis, makes };
}

function keptMakeIds(rows: CatalogueRows, rules: MarketRules): Set<number> {
  const schemas = new Map<number, number>();
  const passenger = new Set<number>();
  for (const r of rows.models) {
    if (!rules.vehicleTypes.some((t) => r.types.split(',').includes(t))) continue;
    schemas.set(r.makeId, (schemas.get(r.makeId) ?? 0) + r.schemas);
    if (PASSENGER_TYPES.some((t) => r.types.split(',').includes(t))) passenger.add(r.makeId);
  }
  const abroad = new Set(rows.makeWmis.filter((w) => !rules.factoryOutside.includes(w.wmi[0])).map((w) => w.makeId));
  return new Set([...passenger].filter((id) => (schemas.get(id) ?? 0) >= MIN_MAKE_SCHEMAS && (rules.factoryOutside.length === 0 || abroad.has(id))));
}

/** For each spelling, the make that owns it: the only one, or one with DOMINANCE times the others' schemas. */
function ownersBySpelling(models: CatalogueRows['models']): Map<string, number> {
  const bySpelling = new Map<string, Map<number, number>>();
  for (const r of models) {
    const key = nameKey(r.model);
    const makes = bySpelling.get(key) ?? new Map<number, number>();
    makes.set(r.makeId, (makes.get(r.makeId) ?? 0) + r.schemas);
    bySpelling.set(key, makes);
  }
  const owners = new Map<string, number>();
  for (const [key, makes] of bySpelling) {
    const ranked = [...makes].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    const others = ranked.slice(1).reduce((sum, [, n]) => sum + n, 0);
    if (ranked[0][1] >= DOMINANCE * others || others === 0) owners.set(key, ranked[0][0]);
  }
  return owners;
}

/**
 * Words of trim and series values common enough to be trim words (XLT, 4MATIC, xDrive, ZL1), spelled
 * as vPIC spells them most often. Make names and model names of four characters or more are not trim
 * words (vPIC repeats them as series); shorter model names (SE, GT) are both, and ambiguous.
 */
function trimWords(rows: CatalogueRows, makeKeys: ReadonlySet<string>, modelKeys: ReadonlySet<string>): string[] {
  const byKey = new Map<string, Map<string, number>>();
  for (const r of rows.trims) {
    for (const word of new Set(r.name.split(/[\s/,;()+&]+/))) {
      const key = nameKey(word);
      if (key.length < 2 || word.length > MAX_TRIM_LENGTH || !/^[A-Za-z0-9][A-Za-z0-9.-]*$/.test(word) || !/[A-Z]/.test(key)) continue;
      if (makeKeys.has(key) || (key.length >= 4 && modelKeys.has(key))) continue;
      const spellings = byKey.get(key) ?? new Map<string, number>();
      spellings.set(word, (spellings.get(word) ?? 0) + r.schemas);
      byKey.set(key, spellings);
    }
  }
  const words: string[] = [];
  for (const spellings of byKey.values()) {
    const total = [...spellings.values()].reduce((a, b) => a + b, 0);
    if (total < MIN_TRIM_SCHEMAS) continue;
    words.push([...spellings].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0][0]);
  }
  return words.sort((a, b) => a.localeCompare(b));
}

/** Spellings a badge or sticker may use that the matcher cannot derive itself (it already tries names with and without hyphens and spaces). */
export function modelAliases(name: string, make: string): string[] {
  const aliases = new Set<string>();
  const key = nameKey(name);
  const makeKey = nameKey(make);
  // "Mazda3" is badged "3" beside the make.
  if (key.startsWith(makeKey) && key.length > makeKey.length) aliases.add(name.slice(name.length - (key.length - makeKey.length)).replace(/^[\s-]+/, ''));
  // "GLC-Class" is badged "GLC 300": its class letters, beside the make.
  const classOf = /^([A-Za-z]+)[\s-]Class\b/.exec(name);
  if (classOf) aliases.add(classOf[1]);
  // "RAV4" is also printed "RAV 4".
  if (/^[A-Za-z]+\d+$/.test(name)) aliases.add(name.replace(/^([A-Za-z]+)(\d+)$/, '$1 $2'));
  aliases.delete(name);
  return [...aliases].filter((a) => nameKey(a) !== '').sort();
}

function withMakeAliases(entry: GeneratedMake): GeneratedMake {
  const aliases = new Set(MAKE_NICKNAMES[entry.make] ?? []);
  const [first] = entry.make.split('-');
  if (first !== entry.make && first.length >= 4) aliases.add(first);
  return aliases.size > 0 ? { make: entry.make, aliases: [...aliases].sort(), models: entry.models } : { make: entry.make, models: entry.models };
}

/** The catalogue as committed: stable, one model per line. */
export function formatCatalogue(catalogue: GeneratedCatalogue): string {
  const head = { version: catalogue.version, market: catalogue.market, source: catalogue.source, rules: catalogue.rules };
  const lines = [
    '{',
    ...Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`),
    `  "trims": ${JSON.stringify(catalogue.trims)},`,
    `  "wmis": ${JSON.stringify(catalogue.wmis)},`,
    '  "makes": [',
    catalogue.makes
      .map((make) => {
        const { models, ...rest } = make;
        return `    ${JSON.stringify(rest).slice(0, -1)}, "models": [\n${models.map((m) => `      ${JSON.stringify(m)}`).join(',\n')}\n    ]}`;
      })
      .join(',\n'),
    '  ]',
    '}',
  ];
  return `${lines.join('\n')}\n`;
}
