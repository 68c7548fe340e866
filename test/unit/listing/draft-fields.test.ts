import { describe, expect, it } from 'vitest';
import { draftFieldsView, type DraftFieldsInput } from '../../../src/listing/draft-fields.js';

const base: DraftFieldsInput = {
  title: 'White car',
  description: 'Make, model and year to be confirmed.',
  attributes: { colour: 'white', make: null },
  seller_fields: {},
  car_make: null,
  car_model: null,
  car_year: null,
  car_color: 'white',
};

describe('draftFieldsView', () => {
  it('shows the machine value with its source, the most specific record first', () => {
    const fields = draftFieldsView({
      ...base,
      attributes: { make: 'Ford', sources: { make: 'badge' }, resolved: { model: { value: 'Kuga', source: 'vin', confidence: 1 } } },
      car_make: 'Fjord',
      car_year: 2012,
    });
    expect(fields.make).toEqual({ value: 'Ford', source: 'badge', machine: { value: 'Ford', source: 'badge' } });
    expect(fields.model).toMatchObject({ value: 'Kuga', source: 'vin' });
    expect(fields.year).toMatchObject({ value: 2012, source: 'vision' });
    expect(fields.colour).toMatchObject({ value: 'white', source: 'vision' });
    expect(fields.mileage).toEqual({ value: null, source: null, machine: null });
    expect(fields.title).toMatchObject({ value: 'White car', source: 'generated' });
  });

  it('a seller value wins and keeps what the machine had proposed', () => {
    const fields = draftFieldsView({
      ...base,
      title: 'My title',
      seller_fields: {
        model: { value: 'Focus', at: '2026-01-01T00:00:00Z', machine: { value: 'Kuga', source: 'clip' } },
        title: { value: 'My title', at: '2026-01-01T00:00:00Z', machine: { value: 'White car', source: 'generated' } },
      },
    });
    expect(fields.model).toEqual({ value: 'Focus', source: 'seller', machine: { value: 'Kuga', source: 'clip' } });
    expect(fields.title).toEqual({ value: 'My title', source: 'seller', machine: { value: 'White car', source: 'generated' } });
  });
});
