import { describe, expect, it } from 'vitest';
import { isLotreelError } from '../../../src/core/errors.js';
import { carsOf, parseLabels } from '../../../src/eval/labels.js';
import { buildReport, formatReport, type EvalSection, type ItemOutcome } from '../../../src/eval/sections.js';
import type { Evidence } from '../../../src/evidence/evidence.js';
import type { Quad } from '../../../src/core/geometry.js';

const KONA = 'KM8K2CAB4PU001140';

describe('parseLabels', () => {
  it('reads pictures with one car and videos with several', () => {
    const labels = parseLabels(JSON.stringify({
      items: [
        { file: 'vin.jpg', car: { vin: KONA, make: 'Hyundai', year: 2023 }, plates: 0 },
        { file: 'lot.mp4', cars: [{ make: 'Ford' }, {}] },
      ],
    }));
    expect(carsOf(labels.items[0])).toEqual([{ vin: KONA, make: 'Hyundai', year: 2023 }]);
    expect(carsOf(labels.items[1])).toHaveLength(2);
  });

  it.each([
    ['not JSON', '{items', /not JSON/],
    ['no items', '{"items": []}', /items/],
    ['a bad VIN', JSON.stringify({ items: [{ file: 'a.jpg', car: { vin: 'KM8K2CAB4PUO01140' } }] }), /17 characters/],
    ['an unknown field', JSON.stringify({ items: [{ file: 'a.jpg', car: { colour: 'red' } }] }), /colour/],
    ['car and cars', JSON.stringify({ items: [{ file: 'a.mp4', car: {}, cars: [] }] }), /either car or cars/],
    ['cars on a picture', JSON.stringify({ items: [{ file: 'a.png', cars: [{}] }] }), /picture/],
  ])('rejects %s', (_name, text, message) => {
    try {
      parseLabels(text);
      expect.unreachable();
    } catch (error) {
      expect(isLotreelError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });
});

const ev = (attribute: Evidence['attribute'], value: string | number, source: Evidence['source'], confidence = 1): Evidence => ({ attribute, value, source, confidence });

const region = { box: { x1: 0, y1: 0, x2: 10, y2: 5 }, quad: [{ x: 0, y: 0 }, { x: 10, y: 0 }, { x: 10, y: 5 }, { x: 0, y: 5 }] as Quad };

describe('eval sections', () => {
  const outcomes: ItemOutcome[] = [
    // VIN read and decoded: make/model/year from the VIN, all right.
    { file: 'a.jpg', kind: 'picture', ms: 1, cars: [{ label: { vin: KONA, make: 'Hyundai', model: 'Kona', year: 2023 }, evidence: [ev('vin', KONA, 'vin'), ev('make', 'Hyundai', 'vin'), ev('model', 'Kona', 'vin'), ev('year', 2023, 'vin')] }], plates: { labelled: 1, found: 1, regions: [] } },
    // VIN missed; a badge gives the make right and the model wrong.
    { file: 'b.jpg', kind: 'picture', ms: 1, cars: [{ label: { vin: '1FMCU9J96EUA12345', make: 'Ford', model: 'Escape' }, evidence: [ev('make', 'ford', 'badge', 0.8), ev('model', 'Kuga', 'badge', 0.8)] }], plates: { labelled: 0, found: 1, regions: [region] } },
    // A car the video split missed.
    { file: 'c.mp4', kind: 'video', ms: 1, cars: [{ label: { make: 'Suzuki', mileage: '100 km' }, evidence: null }] },
    { file: 'd.jpg', kind: 'picture', ms: 1, cars: [], error: 'broken', plates: { labelled: 3, found: 0, regions: [] } },
  ];
  const report = buildReport('/lot', outcomes);
  const figure = (section: string, name: string) => report.sections.find((s) => s.id === section)!.figures.find((f) => f.name === name);

  it('reports the VIN read rate, the decode rate and wrong VINs', () => {
    expect(figure('vin', 'VIN read rate')).toEqual({ name: 'VIN read rate', value: 0.5, detail: '1/2' });
    expect(figure('vin', 'decoded (of read)')?.value).toBe(1);
    expect(figure('vin', 'labelled cars given a wrong VIN')?.value).toBe(0);
  });

  it('reports make/model/year accuracy overall and by the source that set them', () => {
    expect(figure('makeModel', 'make accuracy')).toMatchObject({ value: 2 / 3, detail: '2/3' });
    expect(figure('makeModel', 'make right when from vin')?.detail).toBe('1/1');
    expect(figure('makeModel', 'make right when from badge')?.detail).toBe('1/1');
    expect(figure('makeModel', 'model right when from badge')?.detail).toBe('0/1');
    expect(figure('makeModel', 'year accuracy')?.detail).toBe('1/1');
    // a.jpg and b.jpg have make and model set (ready); b.jpg's model (Kuga for an Escape) is wrong.
    expect(figure('makeModel', 'make and model set but wrong (ready)')).toMatchObject({ value: 0.5, detail: '1/2' });
    expect(figure('sticker', 'mileage accuracy')).toMatchObject({ value: 0, detail: '0/1' });
  });

  it('counts plates found and regions blurred by mistake, leaving failed items out of the figures', () => {
    expect(figure('plates', 'plates found')?.detail).toBe('1/1');
    expect(figure('plates', 'regions blurred that are not plates')?.value).toBe(1);
    expect(report.failed).toEqual([{ file: 'd.jpg', error: 'broken' }]);
  });

  it('takes further sections (as the LLM and seller feedback will add)', () => {
    const llm: EvalSection = { id: 'llm', title: 'LLM rules', figures: (o) => [{ name: 'answers checked', value: o.length }] };
    const withLlm = buildReport('/lot', outcomes, [llm]);
    expect(withLlm.sections).toEqual([{ id: 'llm', title: 'LLM rules', figures: [{ name: 'answers checked', value: 3 }] }]);
  });

  it('prints every section with its figures', () => {
    const text = formatReport(report);
    expect(text).toContain('/lot: 4 items, 1 failed');
    expect(text).toMatch(/VIN read rate\s+50\.0%\s+\(1\/2\)/);
    expect(text).toMatch(/regions blurred that are not plates\s+1\b/);
    expect(text).toContain('Make, model and year by source');
  });
});
