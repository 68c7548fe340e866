import { describe, expect, it } from 'vitest';
import type { Evidence } from '../../../src/evidence/evidence.js';
import { sellerListingFacts, templateText, textIsStale, handWritten, type SellerTextInput } from '../../../src/listing/seller-text.js';
import type { SellerFields } from '../../../src/listing/draft-fields.js';

const evidence: Evidence[] = [
  { attribute: 'make', value: 'Volvo', source: 'vision', confidence: 0.6 },
  { attribute: 'make', value: 'Saab', source: 'badge', confidence: 0.7 },
  { attribute: 'model', value: '9-3', source: 'badge', confidence: 0.7 },
  { attribute: 'year', value: 2009, source: 'vin', confidence: 1 },
  { attribute: 'trim', value: 'Aero', source: 'sticker', confidence: 0.9 },
];

const input = (seller: SellerFields = {}, over: Partial<SellerTextInput> = {}): SellerTextInput => ({
  title: 'Green car',
  description: 'Make, model and year to be confirmed.',
  attributes: {},
  seller_fields: seller,
  car_make: null,
  car_model: null,
  car_year: null,
  car_color: 'green',
  carEvidence: evidence,
  carBodyType: 'sedan',
  photoCount: 5,
  videoSeconds: 12.4,
  ...over,
});

const at = (iso: string) => ({ at: iso, machine: null });

describe("the listing text after the seller's edits", () => {
  it('resolves the stored evidence by trust (VIN > badge > vision) and puts the seller over all of it', () => {
    const machine = sellerListingFacts(input());
    expect(machine).toMatchObject({ make: 'Saab', model: '9-3', year: 2009, trim: 'Aero', colour: 'green', bodyType: 'sedan', photoCount: 5, videoSeconds: 12 });
    const seller = sellerListingFacts(input({ make: { value: 'Opel', ...at('2026-01-01T00:00:00.000Z') }, year: { value: 2011, ...at('2026-01-01T00:00:00.000Z') } }));
    expect(seller).toMatchObject({ make: 'Opel', model: '9-3', year: 2011 });
    expect(seller.sources).toMatchObject({ make: 'seller', year: 'seller', model: 'badge' });
    expect(templateText(seller).title).toBe('Green 2011 Opel 9-3');
  });

  it('a field the seller emptied is unknown; a mileage they typed gets the draft unit', () => {
    const facts = sellerListingFacts(input({ make: { value: null, ...at('2026-01-01T00:00:00.000Z') }, mileage: { value: 42000, ...at('2026-01-01T00:00:00.000Z') } }, { attributes: { mileageUnit: 'mi' } }));
    expect(facts.make).toBeNull();
    expect(facts.mileage).toBe('42000 mi');
    expect(templateText(facts).description).toContain('Mileage: 42000 mi.');
  });

  it('with no evidence, takes the value the editor shows (the car columns)', () => {
    const facts = sellerListingFacts(input({}, { carEvidence: 'not a list', car_make: 'Fiat', car_model: 'Panda' }));
    expect(facts).toMatchObject({ make: 'Fiat', model: 'Panda', year: null });
  });

  it('hand-written text is stale only when a fact changed after it', () => {
    expect(textIsStale({})).toBe(false);
    expect(textIsStale({ make: { value: 'Opel', ...at('2026-01-02T00:00:00.000Z') } })).toBe(false);
    const title = { value: 'My car', ...at('2026-01-01T00:00:00.000Z') };
    expect(handWritten({ title })).toEqual(['title']);
    expect(textIsStale({ title, make: { value: 'Opel', ...at('2026-01-02T00:00:00.000Z') } })).toBe(true);
    expect(textIsStale({ title: { ...title, at: '2026-01-03T00:00:00.000Z' }, make: { value: 'Opel', ...at('2026-01-02T00:00:00.000Z') } })).toBe(false);
  });
});
