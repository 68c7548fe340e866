import { describe, expect, it } from 'vitest';
import { marketCatalogue } from '../../../src/vehicle/badge-catalogue.js';
import { badgeEvidence } from '../../../src/text/badge-evidence.js';
import { carTextEvidence, catalogueVinOptions, textCandidateFrames, textSearchRegion, vinsInText } from '../../../src/text/car-text.js';
import { resolveAttributes } from '../../../src/evidence/evidence.js';
import { mentionsPrice, readMileage, stickerEvidence, stripPrices, type ReadText } from '../../../src/text/text-evidence.js';
import { sighting } from '../analysis/fakes.js';

const CATALOGUE = marketCatalogue('us');
const line = (text: string, picture = 'car-1/01.jpg', score = 1): ReadText => ({ text, score, picture });
const pairs = (evidence: { attribute: string; value: unknown }[]) => evidence.map((e) => `${e.attribute}=${e.value}`);

describe('prices', () => {
  it.each([
    ['PRICE $18,995', true, ''],
    ['Our price: 18 995', true, 'Our'],
    ['£12,495', true, ''],
    ['14.990 €', true, ''],
    ['MSRP 32000 USD', true, ''],
    ['2019 FORD KUGA', false, '2019 FORD KUGA'],
    ['MILEAGE 23,456 mi', false, 'MILEAGE 23,456 mi'],
    ['FORD KUGA $18,995 TITANIUM', true, 'FORD KUGA TITANIUM'],
    ['PRICE$54,995', true, ''],
    ['PRICE54995', true, ''],
    ['Preis: 18.990', true, ''],
    ['Prix 18 990', true, ''],
  ])('%j: mentions a price %s, stripped to %j', (text, price, stripped) => {
    expect(mentionsPrice(text)).toBe(price);
    expect(stripPrices(text)).toBe(stripped);
  });
});

describe('readMileage', () => {
  it.each([
    ['MILEAGE 23,456 mi', '23456 mi'],
    ['23 456 km', '23456 km'],
    ['Odometer: 45000', '45000'],
    ['ODO 120.000 KM', '120000 km'],
    ['12,000 miles', '12000 mi'],
    ['MILEAGE23,456mi', '23456 mi'],
    ['2019 FORD KUGA', null],
    ['PRICE 18995', null],
  ])('%j -> %j', (text, mileage) => {
    expect(readMileage(text)).toBe(mileage);
  });
});

describe('badgeEvidence', () => {
  it('reads a make, its model and a trim on one picture', () => {
    const evidence = badgeEvidence([line('FORD'), line('ESCAPE'), line('TITANIUM')], CATALOGUE);
    expect(pairs(evidence)).toEqual(['make=Ford', 'model=Escape', 'trim=Titanium']);
    expect(evidence.every((e) => e.source === 'badge')).toBe(true);
    expect(evidence.find((e) => e.attribute === 'model')!.confidence).toBeCloseTo(0.8, 5);
  });

  it('takes a distinctive model alone, less surely, for its make too', () => {
    const evidence = badgeEvidence([line('Camry')], CATALOGUE);
    expect(pairs(evidence)).toEqual(['model=Camry', 'make=Toyota']);
    expect(evidence[0].confidence).toBeCloseTo(0.6, 5);
  });

  it('ignores short, numeric or common-word model names without their make, and trims without their model', () => {
    expect(badgeEvidence([line('208 300 911 A4')], CATALOGUE)).toEqual([]);
    expect(badgeEvidence([line('TITANIUM')], CATALOGUE)).toEqual([]);
    // Escape is also a trailer's and an RV's name in vPIC: alone it is a word, beside FORD the model.
    expect(badgeEvidence([line('ESCAPE')], CATALOGUE)).toEqual([]);
    expect(pairs(badgeEvidence([line('PORSCHE 911')], CATALOGUE))).toEqual(['make=Porsche', 'model=911']);
  });

  it('never joins a model alone to another make read on the same picture', () => {
    // Escalade is Cadillac's: beside LEXUS it is neither the Lexus's model nor a reason to say Cadillac.
    expect(pairs(badgeEvidence([line('ESCALADE'), line('LEXUS')], CATALOGUE))).toEqual(['make=Lexus']);
    expect(pairs(badgeEvidence([line('ESCALADE'), line('CADILLAC')], CATALOGUE))).toEqual(['make=Cadillac', 'model=Escalade']);
  });

  it("judges each spelling of a model: Mazda3's short alias \"3\" needs the make beside it", () => {
    expect(badgeEvidence([line('3')], CATALOGUE)).toEqual([]);
    expect(pairs(badgeEvidence([line('MAZDA'), line('3')], CATALOGUE))).toEqual(['make=Mazda', 'model=Mazda3']);
    expect(pairs(badgeEvidence([line('MAZDA3')], CATALOGUE))).toEqual(['model=Mazda3', 'make=Mazda']);
  });

  it('matches names regardless of case, accents and hyphens, as whole words only', () => {
    expect(pairs(badgeEvidence([line('honda crv')], CATALOGUE))).toEqual(['make=Honda', 'model=CR-V']);
    expect(pairs(badgeEvidence([line('FORD F150')], CATALOGUE))).toEqual(['make=Ford', 'model=F-150']);
    expect(pairs(badgeEvidence([line('TOYOTA RAV 4')], CATALOGUE))).toEqual(['make=Toyota', 'model=RAV4']);
    expect(pairs(badgeEvidence([line('MERCEDES GLC 300 4MATIC')], CATALOGUE)).slice(0, 2)).toEqual(['make=Mercedes-Benz', 'model=GLC-Class']);
    expect(pairs(badgeEvidence([line('CITROËN')], marketCatalogue('eu')))).toEqual([]);
    expect(pairs(badgeEvidence([line('PÖRSCHE')], CATALOGUE))).toEqual(['make=Porsche']);
    expect(badgeEvidence([line('AFFORDABLE')], CATALOGUE)).toEqual([]);
  });

  it('reads names in runs OCR glued together, through look-alike digits', () => {
    expect(pairs(badgeEvidence([line('2019 F0RDESCAPE')], CATALOGUE))).toEqual(['make=Ford', 'model=Escape']);
    expect(pairs(badgeEvidence([line('2017CHEVROLETCAMAROZL1')], CATALOGUE))).toEqual(['make=Chevrolet', 'model=Camaro', 'trim=ZL1']);
    expect(pairs(badgeEvidence([line('MFD.BY:HYUNDAIMOTORCO.')], CATALOGUE))).toEqual([]);
    expect(pairs(badgeEvidence([line('MFD. BY: HYUNDAI MOTOR CO.')], CATALOGUE))).toEqual(['make=Hyundai']);
    // A number stays a number: F-250 is not F + some look-alike of 250.
    expect(pairs(badgeEvidence([line('FORD'), line('F-250')], CATALOGUE))).toEqual(['make=Ford', 'model=F-250']);
    expect(pairs(badgeEvidence([line('F-250')], CATALOGUE))).toEqual(['model=F-250', 'make=Ford']);
    expect(pairs(stickerEvidence([line('MODEL YEAR 2019')], CATALOGUE, { currentYear: 2026 }))).toEqual(['year=2019']);
  });

  it('does not join a make on one picture with a model on another unless the model stands alone', () => {
    const evidence = badgeEvidence([line('PORSCHE', 'a'), line('911', 'b')], CATALOGUE);
    expect(pairs(evidence)).toEqual(['make=Porsche']);
  });
});

describe('stickerEvidence', () => {
  const sticker = ['2019 FORD ESCAPE', 'TITANIUM 2.0 TDCI', 'MILEAGE 23,456 mi', 'PRICE $18,995'].map((t) => line(t));

  it('reads the model year and mileage of a window sticker, not its price', () => {
    const evidence = stickerEvidence(sticker, CATALOGUE, { currentYear: 2026 });
    expect(pairs(evidence)).toEqual(['year=2019', 'make=Ford', 'model=Escape', 'mileage=23456 mi']);
    expect(evidence.every((e) => e.source === 'sticker')).toBe(true);
    expect(JSON.stringify(evidence)).not.toMatch(/18,?995/);
  });

  it.each([
    ['a year in the future', 'MODEL YEAR 2031', []],
    ['a bare number', '2019', []],
    ['a year-like price (the line still names the car)', 'FORD ESCAPE $2019', ['make=Ford', 'model=Escape']],
    ['a headline without its year', 'TOYOTA COROLLA CROSS', ['make=Toyota', 'model=Corolla Cross']],
    ['a make not followed by its model', 'FORD CERTIFIED PRE-OWNED', []],
    ['a model of another make after the make', 'FORD CAMRY', []],
    ['a year after a year word', 'Year: 2015', ['year=2015']],
    ['a year glued to the make', '2017CHEVROLET CAMARO', ['year=2017', 'make=Chevrolet', 'model=Camaro']],
    ['a mileage is not a year', 'FORD 2,019 km', ['mileage=2019 km']],
  ])('%s: %j', (_name, text, expected) => {
    expect(pairs(stickerEvidence([line(text)], CATALOGUE, { currentYear: 2026 }))).toEqual(expected);
  });
});

describe('car text evidence', () => {
  const KONA = 'KM8K2CAB4PU001140';

  it('counts each VIN once, most often read first', () => {
    const vins = vinsInText([line('VIN 1FMCU9J96EUA12345', 'a'), line(`${KONA}`, 'b'), line(`*${KONA}*`, 'c')]);
    expect(vins.map((v) => [v.vin, v.reads, v.picture])).toEqual([[KONA, 2, 'b'], ['1FMCU9J96EUA12345', 1, 'a']]);
  });

  it('lets a decoded VIN outrank badges and stickers, and keeps their prices out', () => {
    const lines = [line(KONA, 'vin'), line('2019 FORD ESCAPE', 'sticker'), line('MILEAGE 23,456 mi', 'sticker'), line('PRICE $18,995', 'sticker')];
    const [candidate] = vinsInText(lines);
    const decoded = { vin: KONA, make: 'Hyundai', model: 'Kona', year: 2023, trim: 'SE', bodyType: 'SUV', engine: null, fuel: 'Gasoline', drive: null };
    const evidence = carTextEvidence(lines, [{ candidate, decoded }], CATALOGUE, { currentYear: 2026 });
    const resolved = resolveAttributes(evidence);
    expect(resolved.make).toEqual({ value: 'Hyundai', source: 'vin', confidence: 1 });
    expect(resolved.year).toEqual({ value: 2023, source: 'vin', confidence: 1 });
    expect(resolved.mileage).toMatchObject({ value: '23456 mi', source: 'sticker' });
    expect(evidence.some((e) => e.source === 'badge' && e.value === 'Ford')).toBe(true);
    expect(JSON.stringify(evidence)).not.toMatch(/18,?995|\$/);
  });

  it('keeps a VIN the database does not know, with nothing else from it', () => {
    const lines = [line(KONA, 'vin')];
    const [candidate] = vinsInText(lines);
    const evidence = carTextEvidence(lines, [{ candidate, decoded: null }], CATALOGUE, { currentYear: 2026 });
    expect(pairs(evidence)).toEqual([`vin=${KONA}`]);
    expect(evidence[0].confidence).toBe(0.9);
  });

  it('takes a European VIN without check digit, less surely, its make from the WMI outranking a badge', () => {
    const eu = marketCatalogue('eu');
    const GOLF = 'WVWZZZ1KZ8W123456';
    const lines = [line(`VIN ${GOLF}`, 'doc'), line('FORD', 'rear')];
    expect(vinsInText(lines)).toEqual([]);
    const [candidate] = vinsInText(lines, catalogueVinOptions(eu));
    expect(candidate).toMatchObject({ vin: GOLF, checked: false });
    const evidence = carTextEvidence(lines, [{ candidate, decoded: null }], eu, { currentYear: 2026 });
    const resolved = resolveAttributes(evidence);
    expect(resolved.vin).toEqual({ value: GOLF, source: 'vin', confidence: 0.7 });
    expect(resolved.make).toEqual({ value: 'Volkswagen', source: 'vin', confidence: 0.7 });
  });

  it('chooses close-up, sharp frames away from the photos and each other', () => {
    const frames = [0, 1000, 2000, 3000, 4000, 5000].map((t, i) => ({
      timestampMs: t,
      sighting: sighting(0, { areaFraction: [0.2, 0.9, 0.85, 0.3, 0.8, 0.1][i], quality: { laplacianVariance: 100, meanLuma: 0.5, clippedFraction: 0 } }),
    }));
    // 1000 is a photo; then the biggest close-ups at least the gap apart.
    expect(textCandidateFrames(frames, [1000], 2, 900)).toEqual([2000, 4000]);
    expect(textCandidateFrames(frames, [1000], 3, 1500)).toEqual([4000]);
    expect(textCandidateFrames(frames, [], 0, 1500)).toEqual([]);
  });
});

describe('textSearchRegion', () => {
  it('maps the car box from shares to pixels and grows it by the margin, inside the picture', () => {
    const { car, search } = textSearchRegion({ x1: 0.25, y1: 0.5, x2: 0.75, y2: 0.9 }, { width: 1920, height: 1080 }, 0.1);
    expect(car).toEqual({ x1: 480, y1: 540, x2: 1440, y2: 972 });
    expect(search.x1).toBeCloseTo(384, 6);
    expect(search.x2).toBeCloseTo(1536, 6);
    expect(search.y1).toBeCloseTo(496.8, 6);
    expect(search.y2).toBe(1015.2);
    const edge = textSearchRegion({ x1: 0, y1: 0, x2: 1, y2: 1 }, { width: 640, height: 360 }, 0.2);
    expect(edge.search).toEqual({ x1: 0, y1: 0, x2: 640, y2: 360 });
  });
});
