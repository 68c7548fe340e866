import { describe, expect, it } from 'vitest';
import { carTextEvidence } from '../../../src/text/car-text.js';
import { documentEvidence, labelOf, labelsOf } from '../../../src/text/sticker-document.js';
import type { ReadText } from '../../../src/text/text-evidence.js';
import { marketCatalogue } from '../../../src/vehicle/badge-catalogue.js';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import { resolveAttributes } from '../../../src/evidence/evidence.js';
import { buildDraft } from '../../../src/listing/draft.js';
import { listingFacts, templateFacts } from '../../../src/listing/listing-facts.js';
import { listingMessages } from '../../../src/listing/prompt.js';

const CATALOGUE = marketCatalogue('us');
const at = (text: string, x1: number, y1: number, w: number, h = 20): ReadText => ({ text, score: 1, picture: 'doc', box: { x1, y1, x2: x1 + w, y2: y1 + h } });
const plain = (text: string): ReadText => ({ text, score: 1, picture: 'doc' });
const pairs = (evidence: { attribute: string; value: unknown }[]) => evidence.map((e) => `${e.attribute}=${e.value}`).sort();
const read = (lines: ReadText[]) => documentEvidence(lines, CATALOGUE, { currentYear: 2026 });

describe('labels', () => {
  it.each([
    ['VEHICLE MAKE', { field: 'make', rest: '' }],
    ['Make: Ford', { field: 'make', rest: 'Ford' }],
    ['MODEL YEAR 2019', { field: 'year', rest: '2019' }],
    ['Exterior Color: Oxford White', { field: 'colour', rest: 'Oxford White' }],
    ['ODOMETER READING 23,456', { field: 'mileage', rest: '23,456' }],
    ['FORD ESCAPE', null],
    ['MSRP $32,000', null],
  ])('%j', (text, label) => {
    expect(labelOf(text)).toEqual(label);
  });

  it('reads a row of labels OCR joined into one line', () => {
    expect(labelsOf('VEHICLE MAKE MODEL YEAR').map((l) => l.field)).toEqual(['make', 'model', 'year']);
  });
});

describe('documentEvidence', () => {
  it('reads an FTC Buyers Guide: each value typed on the line above its label', () => {
    const lines = [
      at('FORD', 100, 100, 80), at('ESCAPE', 300, 100, 90), at('2019', 480, 100, 60),
      at('VEHICLE MAKE', 100, 125, 140, 14), at('MODEL', 300, 125, 60, 14), at('YEAR', 480, 125, 50, 14),
    ];
    const evidence = read(lines);
    expect(pairs(evidence)).toEqual(['make=Ford', 'model=Escape', 'year=2019']);
    expect(evidence.every((e) => e.source === 'sticker' && e.confidence === 0.9)).toBe(true);
  });

  it('reads a Buyers Guide whose label row and value row were each read as one line', () => {
    const lines = [at('TOYOTA CAMRY 2018', 100, 100, 500), at('VEHICLE MAKE MODEL YEAR', 100, 125, 500, 14)];
    expect(pairs(read(lines))).toEqual(['make=Toyota', 'model=Camry', 'year=2018']);
  });

  it('reads a Monroney-like label: values to the right of their labels, in two columns', () => {
    const lines = [
      at('MAKE', 100, 100, 60), at('HONDA', 200, 100, 80), at('ENGINE', 500, 100, 80), at('1.5L TURBO I4', 600, 100, 140),
      at('MODEL', 100, 130, 60), at('CR-V', 200, 130, 60), at('EXTERIOR', 500, 130, 90), at('Radiant Red', 600, 130, 120),
      at('YEAR', 100, 160, 60), at('2021', 200, 160, 60), at('TRIM', 500, 160, 60), at('EX-L', 600, 160, 60),
    ];
    expect(pairs(read(lines))).toEqual(['colour=Radiant Red', 'engine=1.5L TURBO I4', 'make=Honda', 'model=CR-V', 'trim=EX-L', 'year=2021']);
  });

  it('reads labels above their values (a column layout) and labels with their value on the line', () => {
    expect(pairs(read([at('YEAR', 100, 100, 60), at('2016', 100, 125, 60), at('Make: Chevrolet', 300, 100, 150), at('Model: Malibu', 300, 125, 150)]))).toEqual([
      'make=Chevrolet', 'model=Malibu', 'year=2016',
    ]);
    expect(pairs(read([plain('Make: Hyundai'), plain('Model'), plain('Tucson'), plain('Mileage: 45,000 km')]))).toEqual(['make=Hyundai', 'mileage=45000 km', 'model=Tucson']);
  });

  it('takes only values that fit their label', () => {
    // "2019" is no make; a future year is no year; a model of another make is not this make's.
    expect(read([plain('Make: 2019'), plain('Year: 2031'), plain('Make: Ford'), plain('Model: Camry')])).toMatchObject([{ attribute: 'make', value: 'Ford' }]);
  });

  it('reads transmission and interior colour apart from the body colour', () => {
    const lines = [
      at('EXTERIOR:', 100, 100, 90), at('Magnetic Grey Metallic', 250, 100, 200),
      at('INTERIOR:', 100, 130, 90), at('Black Cloth', 250, 130, 110),
      at('TRANSMISSION:', 100, 160, 130), at('8-Speed Automatic', 250, 160, 170),
    ];
    expect(pairs(read(lines))).toEqual(['colour=Magnetic Grey Metallic', 'interiorColour=Black Cloth', 'transmission=8-Speed Automatic']);
    expect(pairs(read([plain('Getriebe: 7-Gang DSG'), plain('Polsterung: Leder schwarz')]))).toEqual(['interiorColour=Leder schwarz', 'transmission=7-Gang DSG']);
  });

  it("reads a European dealer's price board: registration date, mileage, fuel and gearbox in German, the headline's make and model", () => {
    const lines = [plain('Volvo XC60'), plain('EZ: 03.2019'), plain('Kilometerstand: 45.000 km'), plain('Kraftstoff: Diesel'), plain('Getriebe: Automatik'), plain('24.990 €')];
    const evidence = carTextEvidence(lines, [], marketCatalogue('eu'), { currentYear: 2026 });
    expect(pairs(evidence.filter((e) => e.source === 'sticker'))).toEqual(['fuel=Diesel', 'make=Volvo', 'mileage=45000 km', 'model=XC60', 'transmission=Automatik', 'year=2019']);
    expect(JSON.stringify(evidence)).not.toMatch(/24\.?990|€/);
    // A Monroney's fuel economy box is no fuel; "Erstzulassung 11/2018" is 2018.
    expect(pairs(read([plain('Fuel Economy and Environment'), plain('Erstzulassung 11/2018')]))).toEqual(['year=2018']);
  });

  it('reads a pre-1981 VIN only under its label, and never on a car dated 1981 or later', () => {
    const guide = [at('CHEVROLET', 100, 100, 120), at('1977', 480, 100, 60), at('1Q87K9N100001', 600, 100, 180), at('VEHICLE MAKE', 100, 125, 140, 14), at('YEAR', 480, 125, 50, 14), at('VIN NUMBER', 600, 125, 120, 14)];
    expect(read(guide).find((e) => e.attribute === 'vin')).toMatchObject({ value: '1Q87K9N100001', source: 'vin', confidence: 0.6 });
    expect(read([plain('VIN: 2F02H-100001')]).find((e) => e.attribute === 'vin')).toMatchObject({ value: '2F02H100001' });
    // Not under a VIN label; a short "VIN" on a car dated 1995 is a misread; a 17-character VIN is the VIN stage's.
    expect(read([plain('Stock 1Q87K9N100001')]).some((e) => e.attribute === 'vin')).toBe(false);
    expect(read([plain('Year: 1995'), plain('VIN: 2F02H100001')]).some((e) => e.attribute === 'vin')).toBe(false);
    expect(read([plain('VIN: 1HGCM82633A004352')]).some((e) => e.attribute === 'vin')).toBe(false);
  });

  it('reads a model OCR spelled with look-alike characters, beside its make, as the one model they spell', () => {
    const guide = (model: string) => [at('BMW', 100, 100, 60), at(model, 300, 100, 70), at('2018', 480, 100, 60), at('VEHICLE MAKE', 100, 125, 140, 14), at('MODEL', 300, 125, 60, 14), at('YEAR', 480, 125, 50, 14)];
    expect(pairs(read(guide('3301')))).toEqual(['make=BMW', 'model=330i', 'year=2018']);
    // A number that spells no model of the make, or several, is no model.
    expect(pairs(read(guide('9999')))).toEqual(['make=BMW', 'year=2018']);
    expect(pairs(read([at('MAKE', 100, 100, 60), at('3301', 200, 100, 60)]))).toEqual([]);
  });

  it("reads a model whose words the detector boxed apart, a number's leading zero dropped", () => {
    const lines = [at('JEEP', 100, 100, 60), at('GRAND', 300, 100, 70), at('CHEROKEE', 366, 100, 110), at('2019', 520, 100, 60), at('VEHICLE MAKE', 100, 125, 140, 14), at('MODEL', 300, 125, 60, 14), at('YEAR', 520, 125, 50, 14)];
    expect(pairs(read(lines))).toEqual(['make=Jeep', 'model=Grand Cherokee', 'year=2019']);
    const split = [at('MAKE', 100, 100, 60), at('BMW', 200, 100, 60), at('MODEL', 100, 130, 60), at('ACTIVEHYBRID', 200, 130, 150), at('07', 345, 130, 30)];
    expect(pairs(read(split))).toEqual(['make=BMW', 'model=ActiveHybrid 7']);
  });

  it('leaves a model that may be a longer model of its make with a dropped short word a candidate, unless the year rules the longer one out', () => {
    const sticker = (year: string) => read([at('MAKE', 100, 100, 60), at('Jeep', 200, 100, 60), at('MODEL', 100, 130, 60), at('Grand Cherokee', 200, 130, 150), at('YEAR', 100, 160, 60), at(year, 200, 160, 60)]);
    // Grand Cherokee L is made from 2021: a 2022 "Grand Cherokee" may have lost its "L".
    const cutShort = sticker('2022').find((e) => e.attribute === 'model')!;
    expect(cutShort.value).toBe('Grand Cherokee');
    expect(cutShort.confidence).toBeLessThan(0.5);
    expect(resolveAttributes(sticker('2022')).model).toBeUndefined();
    expect(resolveAttributes(sticker('2019')).model?.value).toBe('Grand Cherokee');
  });

  it('never turns a price into evidence', () => {
    const lines = [plain('Make: Ford'), plain('Model: Escape $18,995'), plain('Trim: SE $2,000 package'), plain('PRICE $18,995'), plain('Engine: 2.0L EcoBoost'), plain('Warranty: $1,200')];
    const evidence = carTextEvidence(lines, [], CATALOGUE, { currentYear: 2026 });
    expect(pairs(evidence.filter((e) => e.source === 'sticker'))).toEqual(['engine=2.0L EcoBoost', 'make=Ford', 'model=Escape', 'trim=SE package']);
    expect(JSON.stringify(evidence)).not.toMatch(/18,?995|2,?000|1,?200|\$/);
  });
});

describe('equipment and prices on the way to the listing', () => {
  const lines = [
    plain('2021 HONDA CR-V EX-L'),
    plain('STANDARD EQUIPMENT: Rear View Camera, Lane Keeping Assist; Heated Seats $450, Tech Package $1,200'),
    plain('TOTAL MSRP $32,995'),
    plain('Mileage 8,000 mi'),
  ];

  it('reads the equipment list without its priced items', () => {
    expect(read(lines).find((e) => e.attribute === 'equipment')).toMatchObject({ value: 'Rear View Camera, Lane Keeping Assist', source: 'sticker' });
  });

  it('gives the listing the equipment as grounded features, and no price reaches the facts, the draft or the LLM prompt', () => {
    const evidence = carTextEvidence(lines, [], CATALOGUE, { currentYear: 2026 });
    const facts = listingFacts({ attributes: resolveAttributes(evidence), colour: 'red', bodyType: 'suv', photoCount: 4, videoSeconds: 20 });
    expect(facts).toMatchObject({ make: 'Honda', model: 'CR-V', year: 2021, mileage: '8000 mi', features: ['Rear View Camera', 'Lane Keeping Assist'] });
    const prompt = JSON.stringify(listingMessages(facts, DEFAULT_SETTINGS.listingText));
    expect(prompt).toContain('Lane Keeping Assist');
    const draft = buildDraft(templateFacts(facts));
    for (const text of [JSON.stringify(evidence), JSON.stringify(facts), prompt, JSON.stringify(draft)]) {
      expect(text.replace(/[,.\s]/g, '')).not.toMatch(/32995|1200|450/);
      expect(text).not.toContain('$');
    }
  });
});
