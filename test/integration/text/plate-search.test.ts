/**
 * The closer look at a small listed car is for a plate the reading could not find. A real labelled
 * plate photo, made small on a larger picture (the car narrower than `zoomBelowWidth` detector
 * pixels), real YOLOX and OCR: with its plate found by the reading, the detector runs once; with the
 * plate painted over, the closer look runs.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src/config/config.js';
import { findsPlate } from '../../../src/eval/plate-scoring.js';
import { searchPicture, vehiclesIn } from '../../../src/text/plate-search.js';
import { ocrSettings } from '../../../src/text/text-stage.js';
import { locateOcrModels, OcrReader } from '../../../src/vision/ocr.js';
import type { RgbImage } from '../../../src/vision/yolox.preprocess.js';
import { YoloxDetector } from '../../../src/vision/yolox.js';
import { sharedFile, yoloxModelDir } from '../../helpers/shared.js';

const FILE = 'eu-test_010.jpg';
const label = (JSON.parse(readFileSync(sharedFile('media/plates/plates.json'), 'utf8')) as Record<string, { box: number[] }>)[FILE].box;
/** Where the photo goes on a 1920x1080 grey picture, and its width there. */
const AT = { left: 600, top: 300, width: 520 };

let ocr: OcrReader;
let detector: YoloxDetector;

/** The photo made small on the picture, its plate painted grey when `covered`; and the plate's box there. */
async function smallCar(covered: boolean): Promise<{ image: RgbImage; plate: { x1: number; y1: number; x2: number; y2: number } }> {
  const jpeg = readFileSync(sharedFile(`media/plates/${FILE}`));
  const { width = 1 } = await sharp(jpeg).metadata();
  const s = AT.width / width;
  const [x1, y1, x2, y2] = label.map((v) => v * s);
  let photo = sharp(await sharp(jpeg).resize({ width: AT.width }).toBuffer());
  if (covered) {
    const patch = await sharp({ create: { width: Math.ceil(x2 - x1) + 6, height: Math.ceil(y2 - y1) + 6, channels: 3, background: '#6e6e6e' } }).png().toBuffer();
    photo = photo.composite([{ input: patch, left: Math.floor(x1) - 3, top: Math.floor(y1) - 3 }]);
  }
  const { data, info } = await sharp({ create: { width: 1920, height: 1080, channels: 3, background: '#808080' } })
    .composite([{ input: await photo.toBuffer(), left: AT.left, top: AT.top }])
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { image: { width: info.width, height: info.height, data: new Uint8Array(data) }, plate: { x1: x1 + AT.left, y1: y1 + AT.top, x2: x2 + AT.left, y2: y2 + AT.top } };
}

beforeAll(async () => {
  ocr = await OcrReader.create({ files: (await locateOcrModels())!, device: 'cpu', settings: ocrSettings(DEFAULT_SETTINGS.ocr) });
  detector = await YoloxDetector.create({ modelsDir: yoloxModelDir(), device: 'cpu', batchSize: 1 });
});
afterAll(async () => {
  await ocr?.dispose();
  await detector?.dispose();
});

describe('the closer look at a small car', () => {
  it('is skipped when the reading found the car plate, and taken when it did not', async () => {
    const plain = await smallCar(false);
    const vehicles = await vehiclesIn(plain.image, detector);
    const listed = vehicles.reduce((a, b) => (b.box.x2 - b.box.x1 > a.box.x2 - a.box.x1 ? b : a));
    // Small enough for the closer look to be wanted.
    expect((listed.box.x2 - listed.box.x1) * ocr.detectorScale(1920, 1080)).toBeLessThan(DEFAULT_SETTINGS.plates.zoomBelowWidth);

    let runs = ocr.stats.detRuns;
    const found = await searchPicture(plain.image, { ocr, detector }, { findPlates: true, vehicles, settings: DEFAULT_SETTINGS.plates });
    expect(found.plates.some((p) => findsPlate(p.box, plain.plate))).toBe(true);
    expect(ocr.stats.detRuns - runs).toBe(1);

    const covered = await smallCar(true);
    runs = ocr.stats.detRuns;
    await searchPicture(covered.image, { ocr, detector }, { findPlates: true, vehicles, settings: DEFAULT_SETTINGS.plates });
    expect(ocr.stats.detRuns - runs).toBeGreaterThanOrEqual(2);
  });
});
