/**
 * `lotreel process` on a video of a real car photo (../shared) carrying a licence plate and a dealer's
 * sticker with year, make, model, VIN, mileage and price: the VIN decides make/model/year, the sticker
 * gives the mileage, the price goes nowhere, the plate is blurred in the exported photos with the
 * unblurred originals kept; without text reading everything works as before.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaries, run } from '../../../fixtures/run.js';
import { parseSettings, type SettingsInput } from '../../../src/config/config.js';
import { silentLogger } from '../../../src/core/log.js';
import type { ProcessResult } from '../../../src/pipeline/result.js';
import { loadVideoResult, openDatabase, type Database } from '../../../src/store/index.js';
import { locateOcrModels, OCR_MODEL_FILE_NAMES } from '../../../src/vision/ocr.js';
import { locateFfmpeg } from '../../../src/media/binaries.js';
import { probe, sampleFrames } from '../../../src/media/index.js';
import { processVideo, storedPath, testConfig } from '../../helpers/pipeline.js';
import { scratchDir } from '../../helpers/shared.js';
import { CAMARO_VIN, camaroRear, STICKER_PRICE } from './scenes.js';

const root = scratchDir('pipeline-text');
const config = testConfig(join(root, 'data'));
const video = join(root, 'camaro-rear.mp4');
let plate: { left: number; top: number; width: number; height: number };
const sceneWidth = 1800;
let db: Database;
let blurred: ProcessResult;

const process = (name: string, overrides: SettingsInput = {}) =>
  processVideo({ file: video, outDir: join(root, name), device: 'cpu', settings: parseSettings({ ...overrides, photos: { maxPhotos: 3 } }), config, log: silentLogger, database: db });

/** Grey pixels of a JPEG and the variance of a rectangle of it. */
async function grey(file: string) {
  const { data, info } = await sharp(file).greyscale().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}
function variance(image: { data: Uint8Array; width: number }, rect: { left: number; top: number; width: number; height: number }): number {
  let sum = 0;
  let sum2 = 0;
  const n = rect.width * rect.height;
  for (let y = rect.top; y < rect.top + rect.height; y++) {
    for (let x = rect.left; x < rect.left + rect.width; x++) {
      const v = image.data[y * image.width + x];
      sum += v;
      sum2 += v * v;
    }
  }
  return sum2 / n - (sum / n) ** 2;
}
function meanAbsDiffOutside(a: { data: Uint8Array; width: number; height: number }, b: { data: Uint8Array }, boxes: { x1: number; y1: number; x2: number; y2: number }[]): number {
  let total = 0;
  let n = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      if (boxes.some((r) => x >= r.x1 - 8 && x < r.x2 + 8 && y >= r.y1 - 8 && y < r.y2 + 8)) continue;
      total += Math.abs(a.data[y * a.width + x] - b.data[y * a.width + x]);
      n++;
    }
  }
  return total / n;
}

beforeAll(async () => {
  mkdirSync(root, { recursive: true });
  const scene = await camaroRear(sceneWidth);
  plate = scene.plate;
  const still = join(root, 'camaro-rear.jpg');
  writeFileSync(still, scene.jpeg);
  await run(binaries().ffmpeg, [
    '-hide_banner', '-loglevel', 'error', '-loop', '1', '-framerate', '10', '-i', still, '-t', '5',
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '16', '-g', '10', '-pix_fmt', 'yuv420p', '-an', '-y', video,
  ]);
  db = await openDatabase(config);
  blurred = await process('blurred');
});
afterAll(async () => {
  await db?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('text on a filmed car', () => {
  it('takes make, model and year from the VIN on the sticker, the mileage from the sticker, and shows each source', () => {
    expect(blurred.cars).toHaveLength(1);
    const [car] = blurred.cars;
    expect(car.attributes.vin).toEqual({ value: CAMARO_VIN, source: 'vin', confidence: 1 });
    expect(car.attributes.make).toEqual({ value: 'Chevrolet', source: 'vin', confidence: 1 });
    expect(car.attributes.model).toEqual({ value: 'Camaro', source: 'vin', confidence: 1 });
    expect(car.attributes.year).toEqual({ value: 2017, source: 'vin', confidence: 1 });
    expect(car.attributes.mileage).toMatchObject({ value: '23456 mi', source: 'sticker' });
    expect(car.attributes.colour?.source).toBe('vision');
    // The sticker's make also counts as a badge, but the VIN outranks it.
    expect(car.evidence.some((e) => e.source === 'badge' && e.attribute === 'make' && e.value === 'Chevrolet'), JSON.stringify(car.evidence)).toBe(true);
    expect(car.makeModel).toMatchObject({ make: 'Chevrolet', model: 'Camaro', year: 2017, confidence: 1 });
    expect(car.draft.title).toContain('2017 Chevrolet Camaro');
    expect(car.draft.status).toBe('ready');
  });

  it('never lets the sticker price reach the draft, the result or the store', async () => {
    const amount = STICKER_PRICE.replace(/\D/g, '');
    const stored = await loadVideoResult(db, blurred.videoId);
    for (const text of [JSON.stringify(blurred), JSON.stringify(stored)]) {
      expect(text.replace(/[,.\s]/g, '')).not.toContain(amount);
      expect(text).not.toContain('$');
    }
    expect(blurred.cars[0].draft.description).toContain('Mileage: 23456 mi.');
  });

  it('blurs the plate in every exported photo and keeps the unblurred original beside it', async () => {
    const photos = blurred.cars[0].photos;
    expect(photos.length).toBeGreaterThan(0);
    for (const photo of photos) {
      expect(photo.plates.length, photo.file).toBeGreaterThan(0);
      expect(photo.original).toMatch(/^car-1\/originals\/\d\d\.jpg$/);
      const exported = await grey(join(blurred.outDir, photo.file));
      const original = await grey(join(blurred.outDir, photo.original!));
      const inner = { left: plate.left + 10, top: plate.top + 10, width: plate.width - 20, height: plate.height - 20 };
      expect(variance(exported, inner)).toBeLessThan(0.25 * variance(original, inner));
      expect(meanAbsDiffOutside(exported, original, photo.plates)).toBeLessThan(1.5);
      // The blurred region covers the plate.
      const [box] = photo.plates;
      expect(box.x1).toBeLessThanOrEqual(plate.left + 0.1 * plate.width);
      expect(box.x2).toBeGreaterThanOrEqual(plate.left + 0.9 * plate.width);
    }
    // The clip too: re-encoded (H.264, 720 on its short side) with the plate blurred.
    const clipFile = join(blurred.outDir, blurred.cars[0].clip!);
    const clipInfo = await probe(clipFile, locateFfmpeg());
    expect({ codec: clipInfo.codec, height: clipInfo.height }).toEqual({ codec: 'h264', height: 720 });
    const frameAt = async (file: string) => {
      for await (const [frame] of sampleFrames(file, await probe(file, locateFfmpeg()), { mode: { kind: 'rate', fps: 1 }, longSide: clipInfo.width, batchSize: 1, startMs: 2000 }, locateFfmpeg())) return frame;
      throw new Error(`no frame in ${file}`);
    };
    const [clipFrame, videoFrame] = await Promise.all([frameAt(clipFile), frameAt(video)]);
    const s = clipInfo.width / sceneWidth;
    const inClip = { left: Math.round((plate.left + 10) * s), top: Math.round((plate.top + 10) * s), width: Math.round((plate.width - 20) * s), height: Math.round((plate.height - 20) * s) };
    const greyOf = (f: typeof clipFrame) => ({ width: f.width, data: Uint8Array.from({ length: f.width * f.height }, (_, i) => Math.round(0.299 * f.data[3 * i] + 0.587 * f.data[3 * i + 1] + 0.114 * f.data[3 * i + 2])) });
    expect(variance(greyOf(clipFrame), inClip)).toBeLessThan(0.25 * variance(greyOf(videoFrame), inClip));
    const stored = await loadVideoResult(db, blurred.videoId);
    expect(stored!.cars[0].photos[0].plateRegions).toEqual(photos[0].plates);
    expect(stored!.cars[0].photos[0].originalFile).toBe(storedPath(blurred.outDir, photos[0].original!));
    expect(stored!.cars[0].evidence).toEqual(blurred.cars[0].evidence);
  });

  it('leaves plates alone with blurPlates off (--no-blur-plates): the photo is the original', async () => {
    const plain = await process('plain', { plates: { blur: false } });
    const [photo] = plain.cars[0].photos;
    expect(photo.plates).toEqual([]);
    expect(photo.original).toBeNull();
    expect(existsSync(join(plain.outDir, 'car-1', 'originals'))).toBe(false);
    expect(plain.cars[0].attributes.make?.source).toBe('vin');
    const same = blurred.cars[0].photos.find((p) => p.timestampMs === photo.timestampMs);
    if (same) {
      const untouched = await grey(join(plain.outDir, photo.file));
      const original = await grey(join(blurred.outDir, same.original!));
      expect(meanAbsDiffOutside(untouched, original, [])).toBeLessThan(0.5);
    }
  });

  it('works as before without text reading: vision facts only, photos untouched', async () => {
    const without = await process('without-text', { ocr: { enabled: false } });
    const [car] = without.cars;
    expect(car.evidence.every((e) => e.source === 'vision')).toBe(true);
    expect(car.makeModel).toMatchObject({ make: null, model: null, year: null });
    expect(car.draft.status).toBe('needs_review');
    expect(car.photos.every((p) => p.plates.length === 0 && p.original === null)).toBe(true);
    expect(without.timingsMs.text).toBeLessThan(1000);
    // Plates were to be blurred but could not be looked for: said so.
    expect(car.platesNotBlurred).toMatch(/reading text is turned off/);
    // Nor can the clip's: it is not written.
    expect(car.clip).toBeNull();
    expect(car.platesNotBlurred).toMatch(/clip is not published/);
  });

  it('holds the draft back with its reason when the OCR model is broken: never published unblurred by chance', async () => {
    const broken = join(root, 'broken-ocr');
    mkdirSync(broken, { recursive: true });
    const files = (await locateOcrModels())!;
    copyFileSync(files.detection, join(broken, OCR_MODEL_FILE_NAMES.detection));
    copyFileSync(files.keys, join(broken, OCR_MODEL_FILE_NAMES.keys));
    writeFileSync(join(broken, OCR_MODEL_FILE_NAMES.recognition), Buffer.alloc(4096, 7));
    const held = await processVideo({
      file: video,
      outDir: join(root, 'broken'),
      device: 'cpu',
      settings: parseSettings({ photos: { maxPhotos: 3 } }),
      config: { ...config, ocrModelsDir: broken },
      log: silentLogger,
      database: db,
    });
    const [car] = held.cars;
    expect(car.draft.status).toBe('needs_review');
    expect(car.platesNotBlurred).toMatch(/OCR models cannot be opened/);
    expect(car.clip).toBeNull();
    expect(car.photos.every((p) => p.plates.length === 0 && p.original === null)).toBe(true);
    const stored = await loadVideoResult(db, held.videoId);
    expect(stored!.cars[0].draft).toMatchObject({ status: 'needs_review', attributes: { platesNotBlurred: car.platesNotBlurred } });
    // With blurring off on purpose nothing is held for it.
    const plain = await process('plain-again', { plates: { blur: false } });
    expect(plain.cars[0].platesNotBlurred).toBeNull();
    expect(plain.cars[0].clip).toBe('car-1/clip.mp4');
  });
});
