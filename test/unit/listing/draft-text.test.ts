import { describe, expect, it } from 'vitest';
import { buildDraft } from '../../../src/listing/draft.js';

const base = { colour: 'white', bodyType: null, make: 'Chevrolet', model: 'Camaro', year: 2017, photoCount: 3, videoSeconds: 12 };

describe('buildDraft with facts read from text', () => {
  it('adds the trim and mileage when known', () => {
    const draft = buildDraft({ ...base, trim: 'ZL1', mileage: '23456 mi' });
    expect(draft.title).toBe('White 2017 Chevrolet Camaro');
    expect(draft.description).toContain('Trim: ZL1.');
    expect(draft.description).toContain('Mileage: 23456 mi.');
    expect(draft.attributes).toMatchObject({ trim: 'ZL1', mileage: '23456 mi' });
    expect(draft.status).toBe('ready');
  });

  it('says nothing of them when unknown', () => {
    const draft = buildDraft({ ...base, trim: null });
    expect(draft.description).not.toMatch(/Trim|Mileage/);
    expect(draft.attributes).not.toHaveProperty('trim');
    expect(draft.attributes).not.toHaveProperty('mileage');
  });
});
