/**
 * Blurring plate regions in photos (real sharp/libvips, real JPEG files): only a slanted plate's quad
 * is blurred, nothing outside the regions changes, the untouched file is kept as the original, and
 * pictures are decoded upright whatever their EXIF orientation or channels.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { blurPhotoRegions, blurRegions, readRgb } from '../../../src/text/plate-blur.js';
import type { RgbImage } from '../../../src/vision/yolox.preprocess.js';

const dir = mkdtempSync(join(tmpdir(), 'lotreel-plate-blur-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Black and white stripes two pixels wide: any blur changes them. */
function stripes(width: number, height: number): RgbImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.fill(Math.floor(x / 2) % 2 === 0 ? 0 : 255, (y * width + x) * 3, (y * width + x) * 3 + 3);
  return { width, height, data };
}

const at = (image: RgbImage, x: number, y: number) => [...image.data.subarray((y * image.width + x) * 3, (y * image.width + x) * 3 + 3)];

/** Mean absolute difference per channel over a rectangle. */
function meanDifference(a: RgbImage, b: RgbImage, rect: { x1: number; y1: number; x2: number; y2: number }): number {
  let sum = 0;
  for (let y = rect.y1; y < rect.y2; y++) for (let x = rect.x1; x < rect.x2; x++) for (let c = 0; c < 3; c++) sum += Math.abs(a.data[(y * a.width + x) * 3 + c] - b.data[(y * b.width + x) * 3 + c]);
  return sum / ((rect.x2 - rect.x1) * (rect.y2 - rect.y1) * 3);
}

describe('blurRegions', () => {
  it("blurs a slanted plate's quad only, and nothing outside its bounds", async () => {
    const image = stripes(200, 120);
    const before = new Uint8Array(image.data);
    // A diamond inside the box 40..160 x 20..100: the box's corners are outside it.
    const quad = [{ x: 100, y: 20 }, { x: 160, y: 60 }, { x: 100, y: 100 }, { x: 40, y: 60 }] as const;
    const { image: out, blurred } = await blurRegions(image, [{ box: { x1: 40, y1: 20, x2: 160, y2: 100 }, quad: [...quad] as never }], 0.3);
    expect(blurred).toBe(1);
    expect(image.data, 'the input is left as it was').toEqual(before);
    // The centre is blurred: stripes averaged towards grey.
    for (const [x, y] of [[100, 60], [101, 60], [90, 55]]) expect(at(out, x, y)[0]).toBeGreaterThan(40), expect(at(out, x, y)[0]).toBeLessThan(215);
    // The box's corners (outside the quad) and everything outside the box are untouched.
    for (const [x, y] of [[42, 22], [43, 22], [157, 97], [158, 97], [10, 10], [11, 10], [190, 110]]) expect(at(out, x, y)).toEqual(at(image, x, y));
  });

  it('blurs a whole box when there is no quad, and skips regions outside the picture', async () => {
    const image = stripes(120, 80);
    const { image: out, blurred } = await blurRegions(image, [{ box: { x1: 10, y1: 10, x2: 60, y2: 30 } }, { box: { x1: 500, y1: 500, x2: 600, y2: 550 } }], 0.3);
    expect(blurred).toBe(1);
    expect(meanDifference(out, image, { x1: 12, y1: 12, x2: 58, y2: 28 })).toBeGreaterThan(60);
    expect(meanDifference(out, image, { x1: 0, y1: 40, x2: 120, y2: 80 })).toBe(0);
  });
});

describe('blurPhotoRegions', () => {
  it('writes the blurred photo in place and keeps the untouched file as the original', async () => {
    const image = stripes(320, 200);
    const photo = join(dir, 'photo.jpg');
    const original = join(dir, 'originals', 'photo.jpg');
    await sharp(image.data, { raw: { width: 320, height: 200, channels: 3 } }).jpeg({ quality: 95 }).toFile(photo);
    const bytes = readFileSync(photo);
    const decoded = await readRgb(photo);
    const plate = { x1: 100, y1: 120, x2: 220, y2: 160 };
    expect(await blurPhotoRegions(photo, original, [{ box: plate }], { sigmaShare: 0.3, quality: 90, pixels: decoded })).toBe(1);
    expect(readFileSync(original).equals(bytes), 'the original is the file as it was').toBe(true);
    const after = await readRgb(photo);
    expect(meanDifference(after, decoded, { x1: 104, y1: 124, x2: 216, y2: 156 })).toBeGreaterThan(60);
    // Outside the plate only the JPEG re-encode differs.
    expect(meanDifference(after, decoded, { x1: 0, y1: 0, x2: 320, y2: 100 })).toBeLessThan(6);
  });
});

describe('readRgb', () => {
  it('decodes a plain JPEG to the same pixels as the full conversion would', async () => {
    const path = join(dir, 'plain.jpg');
    writeFileSync(path, await sharp(stripes(64, 48).data, { raw: { width: 64, height: 48, channels: 3 } }).jpeg().toBuffer());
    const full = await sharp(path).rotate().removeAlpha().toColourspace('srgb').raw().toBuffer();
    expect(Buffer.from((await readRgb(path)).data).equals(full)).toBe(true);
  });

  it('turns a picture upright by its EXIF orientation and drops an alpha channel', async () => {
    const turned = join(dir, 'turned.jpg');
    await sharp(stripes(64, 48).data, { raw: { width: 64, height: 48, channels: 3 } }).jpeg().withMetadata({ orientation: 6 }).toFile(turned);
    const upright = await readRgb(turned);
    expect([upright.width, upright.height, upright.data.length]).toEqual([48, 64, 48 * 64 * 3]);
    const withAlpha = join(dir, 'alpha.png');
    await sharp({ create: { width: 30, height: 20, channels: 4, background: { r: 10, g: 200, b: 30, alpha: 0.5 } } }).png().toFile(withAlpha);
    const rgb = await readRgb(withAlpha);
    expect(rgb.data.length).toBe(30 * 20 * 3);
  });
});
