/** The editor page's pure parts: the region tool's boxes and zoom, small photos, plate coverage, key names, car counts. */
import { describe, expect, it } from 'vitest';
import { carCount } from '../../../web/src/format.js';
import { clampZoom, coveredBy, drawnBox, grownBox, smallPhotoNote } from '../../../web/src/region-geometry.js';
import { keyName } from '../../../web/src/shortcuts.js';

const full = { width: 752, height: 500 };

describe('drawnBox', () => {
  it.each([
    [{ x: 10, y: 20 }, { x: 36, y: 33 }, { x1: 10, y1: 20, x2: 36, y2: 33 }],
    [{ x: 36, y: 33 }, { x: 10, y: 20 }, { x1: 10, y1: 20, x2: 36, y2: 33 }],
    [{ x: -5, y: 490 }, { x: 20, y: 520 }, { x1: 0, y1: 490, x2: 20, y2: 500 }],
  ])('from %j to %j is %j (any drag direction, kept inside the picture)', (a, b, box) => {
    expect(drawnBox(a, b, full)).toEqual(box);
  });
  it('is null for a click or a line', () => {
    expect(drawnBox({ x: 10, y: 10 }, { x: 11, y: 11 }, full)).toBeNull();
    expect(drawnBox({ x: 10, y: 10 }, { x: 80, y: 11 }, full)).toBeNull();
  });
});

describe('clampZoom', () => {
  it.each([[0.5, 1], [1, 1], [3, 2], [4, 4], [20, 8]])('%d -> %d', (zoom, step) => expect(clampZoom(zoom)).toBe(step));
});

describe('smallPhotoNote', () => {
  const limit = { longSide: 1024, shortSide: 576 };
  it('warns about a 686x383 crop, and a portrait one under the short side', () => {
    expect(smallPhotoNote({ width: 686, height: 383 }, limit)).toMatch(/^Small: 686×383 px\. .*1024×576/);
    expect(smallPhotoNote({ width: 500, height: 1200 }, limit)).not.toBeNull();
  });
  it('says nothing at or over the limits, either orientation', () => {
    expect(smallPhotoNote({ width: 1024, height: 576 }, limit)).toBeNull();
    expect(smallPhotoNote({ width: 1080, height: 1920 }, limit)).toBeNull();
  });
});

describe('plates and blurs', () => {
  const plate = { x1: 100, y1: 100, x2: 126, y2: 113 };
  it('a plate counts as blurred when a blur covers 90 % of it', () => {
    expect(coveredBy(plate, { x1: 98, y1: 98, x2: 130, y2: 115 })).toBe(true);
    expect(coveredBy(plate, { x1: 105, y1: 100, x2: 126, y2: 113 })).toBe(false);
    expect(coveredBy(plate, { x1: 200, y1: 200, x2: 230, y2: 215 })).toBe(false);
  });
  it('grows a box by a share of its size on each side, inside the picture', () => {
    expect(grownBox(plate, 0.5, full)).toEqual({ x1: 87, y1: 93.5, x2: 139, y2: 119.5 });
    expect(grownBox({ x1: 0, y1: 490, x2: 20, y2: 500 }, 0.5, full)).toEqual({ x1: 0, y1: 485, x2: 30, y2: 500 });
  });
});

describe('keyName', () => {
  const press = (key: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }> = {}) => keyName({ key, ctrlKey: false, metaKey: false, shiftKey: false, ...mods });
  it.each([
    [press('c'), 'c'],
    [press('R', { shiftKey: true }), 'Shift+R'],
    [press('z', { ctrlKey: true }), 'Ctrl+z'],
    [press('z', { metaKey: true }), 'Ctrl+z'],
    [press('?', { shiftKey: true }), '?'],
    [press('ArrowLeft'), 'ArrowLeft'],
    [press('Enter'), 'Enter'],
  ])('%s is %s', (name, expected) => expect(name).toBe(expected));
});

describe('carCount', () => {
  it.each([
    [0, 'processing', 'cars: finding…'],
    [0, 'done', 'no cars'],
    [1, 'done', '1 car'],
    [3, 'done', '3 cars'],
  ] as const)('%d cars, %s: %s', (count, status, text) => expect(carCount(count, status)).toBe(text));
});
