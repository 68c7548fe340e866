import { describe, expect, it } from 'vitest';
import { csvField, feedCsv, MARKET_MILEAGE_UNIT, toFeedItems } from '../../../src/service/feed.js';
import type { ServiceCar } from '../../../src/store/service.repository.js';

const car = (over: Partial<ServiceCar> = {}, attributes: Record<string, unknown> = {}): ServiceCar => ({
  id: 'c1',
  videoId: 'v1',
  ordinal: 1,
  confidence: 1,
  warnings: [],
  color: 'red',
  bodyType: 'sedan',
  make: null,
  model: null,
  year: null,
  segments: [{ startMs: 0, endMs: 1000 }],
  photos: [
    { id: 'p1', ordinal: 1, width: 10, height: 10, isCover: true, timestampMs: 0 },
    { id: 'p2', ordinal: 2, width: 10, height: 10, isCover: false, timestampMs: 500 },
  ],
  draft: { id: 'd1', carId: 'c1', videoId: 'v1', title: 'Red sedan', description: 'A car.', status: 'needs_review', attributes, textStale: false, updatedAt: new Date(0) },
  ...over,
});

const url = (id: string) => `https://lot.example/api/photos/${id}/image`;

describe('inventory feed', () => {
  it("takes the dealer's attributes over the analysis, and leaves unknowns empty", () => {
    const [item] = toFeedItems([car({ make: 'Opel' }, { make: 'Fiat', year: '2019', mileage: 42000.4, mileageUnit: 'mi', vin: ' zfa312 ', colour: 'dark red' })], url);
    expect(item).toEqual({
      vehicle_id: 'c1',
      title: 'Red sedan',
      description: 'A car.',
      make: 'Fiat',
      model: null,
      year: 2019,
      body_style: 'sedan',
      exterior_color: 'dark red',
      mileage: { value: 42000, unit: 'MI' },
      vin: 'ZFA312',
      image_urls: [url('p1'), url('p2')],
      state: 'needs_review',
    });
    // A mileage the draft names no unit for is in the market's unit (miles in the US, km by default).
    expect(toFeedItems([car({}, { mileage: 1200 })], url, MARKET_MILEAGE_UNIT.us)[0]!.mileage).toEqual({ value: 1200, unit: 'MI' });
    expect(toFeedItems([car({}, { mileage: 1200 })], url)[0]!.mileage).toEqual({ value: 1200, unit: 'KM' });
    const [plain] = toFeedItems([car({ make: 'Opel' }, { mileage: 'unknown', year: '' })], url);
    expect(plain).toMatchObject({ make: 'Opel', year: null, mileage: null, vin: null, exterior_color: 'red' });
  });

  it("lists a car held because its plates could not be looked for without its photos (they would be unblurred)", () => {
    const [held, other] = toFeedItems([car({}, { platesNotBlurred: 'the OCR models are not installed' }), car({ id: 'c2' }, { platesNotBlurred: null })], url);
    expect(held).toMatchObject({ vehicle_id: 'c1', image_urls: [], state: 'needs_review' });
    expect(other.image_urls).toEqual([url('p1'), url('p2')]);
    expect(feedCsv([held])).not.toContain('/image');
  });

  it('skips a car without a draft', () => {
    expect(toFeedItems([car({ draft: null })], url)).toEqual([]);
  });

  it('quotes CSV fields with commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\r')).toBe('"cr\r"');
    expect(csvField(null)).toBe('');
    expect(csvField(2019)).toBe('2019');
  });

  it('writes one header and one row per car, with as many image columns as the most photos', () => {
    const items = toFeedItems(
      [car({}, { make: 'Fiat' }), car({ id: 'c2', photos: [], draft: { ...car().draft!, id: 'd2', title: 'Blue, "clean"', status: 'ready' } })],
      url,
    );
    const lines = feedCsv(items).split('\r\n');
    expect(lines[0]).toBe('vehicle_id,title,description,make,model,year,body_style,exterior_color,mileage.value,mileage.unit,vin,image[0].url,image[1].url,video[0].url,state');
    expect(lines[1]).toBe(`c1,Red sedan,A car.,Fiat,,,sedan,red,,,,${url('p1')},${url('p2')},,needs_review`);
    expect(lines[2]).toBe('c2,"Blue, ""clean""",A car.,,,,sedan,red,,,,,,,ready');
    expect(lines[3]).toBe('');
    expect(feedCsv([]).split('\r\n')[0]).toContain('image[0].url,video[0].url,state');
  });

  it("gives the JSON's video_urls as video[n].url columns, as many as the car with the most reels, empty for a car without", () => {
    const reel = (format: string) => `https://lot.example/api/drafts/d1/reels/${format}?v=1a2b`;
    const [one, two] = toFeedItems([car(), car({ id: 'c2' })], url);
    const lines = feedCsv([{ ...one, video_urls: [reel('vertical'), reel('square')] }, two]).split('\r\n');
    expect(lines[0]).toContain(',image[1].url,video[0].url,video[1].url,state');
    expect(lines[1]).toContain(`,${url('p2')},${reel('vertical')},${reel('square')},needs_review`);
    expect(lines[2]).toContain(`,${url('p2')},,,needs_review`);
  });
});
