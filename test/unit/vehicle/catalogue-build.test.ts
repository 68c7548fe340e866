import { describe, expect, it } from 'vitest';
import { buildCatalogue, formatCatalogue, modelAliases, type CatalogueRows } from '../../../src/vehicle/catalogue-build.js';
import { tidyMake } from '../../../src/vehicle/vpic-catalogue.js';

// Made-up vPIC rows: the rules are what is tested, not any real car.
const model = (makeId: number, make: string, name: string, schemas = 10, types = 'Passenger Car', yearFrom = 2000, yearTo: number | null = null) => ({ makeId, make, model: name, yearFrom, yearTo, schemas, types });
const rows: CatalogueRows = {
  models: [
    model(1, 'ACME MOTORS', 'Roadrunner'), model(1, 'ACME MOTORS', 'Acme3'), model(1, 'ACME MOTORS', 'ZX4'), model(1, 'ACME MOTORS', 'Hauler', 10, 'Truck'),
    model(1, 'ACME MOTORS', 'Wanderer'), model(1, 'ACME MOTORS', 'Old One', 10, 'Passenger Car', 1975, 1979), model(1, 'ACME MOTORS', 'B-Class'),
    model(2, 'ZENITH', 'Comet', 40), model(2, 'ZENITH', 'Hauler', 30), model(2, 'ZENITH', 'Sport Line', 10),
    model(3, 'TINY KITS', 'Roadster', 2),
    model(4, 'BIG RIGS', 'Tractor 9000', 50, 'Truck'),
  ],
  makeWmis: [{ makeId: 1, wmi: '1A9' }, { makeId: 2, wmi: '1Z2' }, { makeId: 2, wmi: 'WZ1' }, { makeId: 3, wmi: 'SK1' }, { makeId: 4, wmi: '4BR' }],
  modelNameMakes: [{ name: 'WANDERER', makes: 3 }, { name: 'ROADRUNNER', makes: 1 }],
  trims: [{ name: 'Limited', schemas: 20 }, { name: 'LIMITED AWD', schemas: 5 }, { name: 'Rare Edition', schemas: 1 }, { name: 'Sport Line', schemas: 9 }, { name: 'ZENITH', schemas: 30 }],
  wmis: [{ wmi: '1A9', makeId: 1, country: null }, { wmi: 'WZ1', makeId: 2, country: 'GERMANY' }, { wmi: 'WZ1', makeId: 1, country: 'GERMANY' }],
};

describe('buildCatalogue', () => {
  const us = buildCatalogue(rows, 'us', tidyMake, 'test rows');
  const eu = buildCatalogue(rows, 'eu', tidyMake, 'test rows');
  const find = (name: string) => us.makes.flatMap((m) => m.models.map((x) => ({ ...x, make: m.make }))).filter((x) => x.name === name);

  it('keeps makes that build passenger vehicles with enough VIN schemas, and models of the years covered', () => {
    expect(us.makes.map((m) => m.make)).toEqual(['Acme Motors', 'Zenith']);
    expect(find('Old One')).toEqual([]);
    expect(find('Hauler').map((m) => m.make)).toEqual(['Acme Motors', 'Zenith']);
  });

  it('keeps in the EU market only makes with a factory outside North America', () => {
    expect(eu.makes.map((m) => m.make)).toEqual(['Zenith']);
  });

  it('flags short names, common words and trim words as ambiguous, and spellings another make uses as shared', () => {
    expect(find('Roadrunner')[0]).toEqual({ name: 'Roadrunner', years: [2000, null], make: 'Acme Motors' });
    expect(find('ZX4')[0].ambiguous).toBe(true);
    expect(find('Wanderer')[0].ambiguous).toBe(true);
    expect(find('Sport Line')[0].ambiguous).toBeUndefined();
    // Zenith has 30 schemas of Hauler to Acme's 10: not four times as many, so neither owns it.
    expect(find('Hauler').map((m) => m.shared)).toEqual([true, true]);
  });

  it('keeps common trim words in their usual spelling, never a make name or a rare word', () => {
    // Limited 20 + LIMITED 5 schemas; Sport and Line 9 each; AWD 5 and Rare, Edition 1 are too rare; ZENITH is a make.
    expect(us.trims).toEqual(['Limited', 'Line', 'Sport']);
  });

  it('maps WMIs to makes, none where two makes share one', () => {
    expect(us.wmis).toEqual({ '1A9': 'Acme Motors', WZ1: null });
  });

  it('formats the same rows to the same text', () => {
    expect(formatCatalogue(buildCatalogue(rows, 'us', tidyMake, 'test rows'))).toBe(formatCatalogue(us));
    expect(JSON.parse(formatCatalogue(us))).toEqual(us);
  });
});

describe('modelAliases', () => {
  it.each([
    ['Acme3', 'Acme Motors', ['Acme 3']],
    ['Mazda3', 'Mazda', ['3', 'Mazda 3']],
    ['RAV4', 'Toyota', ['RAV 4']],
    ['GLC-Class', 'Mercedes-Benz', ['GLC']],
    ['F-150', 'Ford', []],
  ])('%s (%s): %j', (name, make, aliases) => {
    expect(modelAliases(name, make)).toEqual(aliases);
  });
});
