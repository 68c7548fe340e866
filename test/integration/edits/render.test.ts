/** The renderer against real sharp: pixels land where the geometry says, and undo is the original. */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_EDITOR_SETTINGS } from '../../../src/config/config.js';
import { displayedCropToOriginal } from '../../../src/edits/geometry.js';
import { foldEdits } from '../../../src/edits/fold.js';
import type { Edit } from '../../../src/edits/model.js';
import { renderPhoto } from '../../../src/edits/render.js';
import { isLotreelError } from '../../../src/core/errors.js';
import { scratchDir } from '../../helpers/shared.js';

const W = 400;
const H = 300;
const dir = scratchDir('edits-render');
const file = join(dir, 'original.jpg');
const flatFile = join(dir, 'flat.jpg');
// Quadrants: top-left red, top-right green, bottom-left blue, bottom-right white.
const QUADRANTS = { tl: [220, 30, 30], tr: [30, 200, 30], bl: [30, 30, 220], br: [235, 235, 235] } as const;

function quadrantImage(): Buffer {
  const pixels = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const colour = y < H / 2 ? (x < W / 2 ? QUADRANTS.tl : QUADRANTS.tr) : x < W / 2 ? QUADRANTS.bl : QUADRANTS.br;
      pixels.set(colour, (y * W + x) * 3);
    }
  }
  return pixels;
}

async function decode(jpeg: Buffer) {
  const { data, info } = await sharp(jpeg).raw().toBuffer({ resolveWithObject: true });
  const at = (x: number, y: number) => [...data.subarray((y * info.width + x) * info.channels, (y * info.width + x) * info.channels + 3)];
  return { data, width: info.width, height: info.height, at };
}

const close = (actual: number[], expected: readonly number[], tolerance = 20) =>
  actual.every((v, i) => Math.abs(v - expected[i]!) <= tolerance) || expect.fail(`${actual} is not close to ${expected}`);

const render = (edits: Edit[], path = file, previewLongSide?: number) =>
  renderPhoto(path, { width: W, height: H }, foldEdits(edits), DEFAULT_EDITOR_SETTINGS, previewLongSide ? { previewLongSide } : {});

beforeAll(async () => {
  mkdirSync(dir, { recursive: true });
  await sharp(quadrantImage(), { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 95 }).toFile(file);
  // A dull, low-contrast photo: values 100..150 in a gradient.
  const flat = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) flat.fill(100 + Math.round((50 * x) / W), (y * W + x) * 3, (y * W + x) * 3 + 3);
  await sharp(flat, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 95 }).toFile(flatFile);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('renderPhoto', () => {
  it('undo to the original gives back the original bytes', async () => {
    const edited = await render([{ op: 'rotate', quarterTurns: 1 }]);
    expect(edited.original).toBe(false);
    const undone = await render([]);
    expect(undone.original).toBe(true);
    expect(Buffer.compare(undone.jpeg, readFileSync(file))).toBe(0);
  });

  it('a clockwise quarter turn swaps width and height and puts the top-left at the top-right', async () => {
    const out = await decode((await render([{ op: 'rotate', quarterTurns: 1 }])).jpeg);
    expect([out.width, out.height]).toEqual([H, W]);
    close(out.at(out.width - 10, 10), QUADRANTS.tl);
    close(out.at(10, 10), QUADRANTS.bl);
    close(out.at(out.width - 10, out.height - 10), QUADRANTS.tr);
  });

  it('a crop drawn on the turned picture cuts that part of the original', async () => {
    const turned = foldEdits([{ op: 'rotate', quarterTurns: 1 }]);
    // The displayed (turned) picture is 300x400; its top half (y < 200) is the original's left half.
    const box = displayedCropToOriginal(turned, { width: W, height: H }, { x1: 0, y1: 0, x2: 150, y2: 200 });
    expect(box).toEqual({ x1: 0, y1: 150, x2: 200, y2: 300 });
    const rendered = await render([{ op: 'rotate', quarterTurns: 1 }, { op: 'crop', box }]);
    const out = await decode(rendered.jpeg);
    expect([out.width, out.height]).toEqual([150, 200]);
    close(out.at(75, 100), QUADRANTS.bl);
  });

  it('a crop without a turn cuts exactly its box', async () => {
    const rendered = await render([{ op: 'crop', box: { x1: 250, y1: 40, x2: 350, y2: 100 } }]);
    const out = await decode(rendered.jpeg);
    expect([out.width, out.height]).toEqual([100, 60]);
    close(out.at(5, 5), QUADRANTS.tr);
    close(out.at(94, 54), QUADRANTS.tr);
  });

  it('straightening leaves no blank corner', async () => {
    const out = await decode((await render([{ op: 'straighten', degrees: 6 }])).jpeg);
    expect(out.width / out.height).toBeCloseTo(W / H, 1);
    close(out.at(1, 1), QUADRANTS.tl, 40);
    close(out.at(out.width - 2, out.height - 2), QUADRANTS.br, 40);
  });

  it('auto-enhance stretches a dull photo, brightness lightens it', async () => {
    const stats = async (jpeg: Buffer) => (await sharp(jpeg).greyscale().stats()).channels[0]!;
    const before = await stats(readFileSync(flatFile));
    const enhanced = await stats((await render([{ op: 'enhance', on: true }], flatFile)).jpeg);
    expect(enhanced.stdev).toBeGreaterThan(before.stdev * 1.8);
    const brighter = await stats((await render([{ op: 'brightness', factor: 1.4 }], flatFile)).jpeg);
    expect(brighter.mean).toBeGreaterThan(before.mean * 1.3);
  });

  it('a blurred region is smoothed and the rest is left alone', async () => {
    // A box across the middle of the top edge mixes red and green there.
    const out = await decode((await render([{ op: 'blur', box: { x1: 150, y1: 20, x2: 250, y2: 80 } }])).jpeg);
    const mixed = out.at(200, 50);
    expect(mixed[0]).toBeLessThan(190);
    expect(mixed[1]).toBeGreaterThan(60);
    close(out.at(100, 50), QUADRANTS.tl);
    close(out.at(300, 50), QUADRANTS.tr);
  });

  it('a preview is shrunk to the long side asked for, with the same edits', async () => {
    const rendered = await render([{ op: 'rotate', quarterTurns: 1 }], file, 200);
    const out = await decode(rendered.jpeg);
    expect([out.width, out.height]).toEqual([150, 200]);
    close(out.at(out.width - 5, 5), QUADRANTS.tl);
  });

  it('a file changed on disk is decoded again, not served from memory', async () => {
    const changing = join(dir, 'changing.jpg');
    writeFileSync(changing, readFileSync(file));
    const first = await decode((await render([{ op: 'rotate', quarterTurns: 2 }], changing)).jpeg);
    close(first.at(10, 10), QUADRANTS.br);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const grey = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 128, g: 128, b: 128 } } }).jpeg().toBuffer();
    writeFileSync(changing, grey);
    const second = await decode((await render([{ op: 'rotate', quarterTurns: 2 }], changing)).jpeg);
    close(second.at(10, 10), [128, 128, 128]);
  });

  it('refuses a file whose size is not the recorded one', async () => {
    const small = join(dir, 'small.jpg');
    writeFileSync(small, await sharp(readFileSync(file)).resize(100).toBuffer());
    const error = await render([{ op: 'enhance', on: true }], small).catch((e: unknown) => e);
    expect(isLotreelError(error, 'INVALID_ARGUMENT')).toBe(true);
    const missing = await render([], join(dir, 'nope.jpg')).catch((e: unknown) => e);
    expect(isLotreelError(missing, 'INPUT_MISSING')).toBe(true);
  });
});
