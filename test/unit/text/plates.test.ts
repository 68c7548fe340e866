import { describe, expect, it } from 'vitest';
import { rotatedRect, type Box } from '../../../src/core/geometry.js';
import { stubLooks, vehiclePasses } from '../../../src/text/plate-search.js';
import { DEFAULT_PLATE_SETTINGS, findPlates, joinLineFragments, looksLikePlateText, readsAsNotPlate, textLine, type PlateText } from '../../../src/text/plates.js';

const image = { width: 1000, height: 600 };
const car = { box: { x1: 100, y1: 100, x2: 900, y2: 500 }, score: 0.9 };
/** A text line centred on (cx, cy), `w` x `h`, slanted `deg` degrees, read as `text` when given. */
function line(cx: number, cy: number, w: number, h: number, deg = 0, text?: string, textScore = 0.95): PlateText {
  const quad = rotatedRect(cx, cy, w, h, (deg * Math.PI) / 180);
  const xs = quad.map((p) => p.x);
  const ys = quad.map((p) => p.y);
  const box: Box = { x1: Math.min(...xs), y1: Math.min(...ys), x2: Math.max(...xs), y2: Math.max(...ys) };
  return { box, quad, ...(text !== undefined ? { text, textScore } : {}) };
}

describe('plate text', () => {
  it.each([
    ['AB12 CDE', true],
    ['KA-123-BC', true],
    ['7ABC123', true],
    ['KUGA', false],
    ['2019', false],
    ['$18,995', false],
    ['23,456 mi', false],
    ['KM8K2CAB4PU001140', false],
  ])('%j looks like a plate: %s', (text, plate) => {
    expect(looksLikePlateText(text)).toBe(plate);
  });

  it.each([
    ['SANDERO', true],
    ['2010', true],
    ['05/23', true],
    ['2019FORDKUGA', true],
    ['AB12 CDE', false],
    ['L16V', false],
    ['', false],
  ])('%j reads as something else than a plate: %s', (text, not) => {
    expect(readsAsNotPlate(text)).toBe(not);
  });
});

describe('textLine', () => {
  it('takes the longer side as the direction, within ±90°', () => {
    const l = textLine(line(500, 300, 200, 40, 30));
    expect(l.width).toBeCloseTo(200, 6);
    expect(l.height).toBeCloseTo(40, 6);
    expect((l.angle * 180) / Math.PI).toBeCloseTo(30, 6);
    // The same rectangle given from its short side.
    const turned = textLine({ box: { x1: 0, y1: 0, x2: 1, y2: 1 }, quad: rotatedRect(500, 300, 40, 200, ((30 + 90) * Math.PI) / 180) });
    expect(turned.width).toBeCloseTo(200, 6);
    expect((turned.angle * 180) / Math.PI).toBeCloseTo(30, 6);
  });
});

describe('findPlates', () => {
  it('finds a plate-shaped line low on a car without reading it, grown to the plate with its margin', () => {
    const [plate] = findPlates([line(500, 420, 120, 30)], [car], image);
    const { marginAlong, marginAcross } = DEFAULT_PLATE_SETTINGS;
    expect(plate.box.x2 - plate.box.x1).toBeCloseTo(120 * (1 + 2 * marginAlong), 6);
    expect(plate.box.y2 - plate.box.y1).toBeCloseTo(30 * (1 + 2 * marginAcross), 6);
  });

  it('follows a slanted plate with a rotated quad, up to 45° and not beyond', () => {
    const [plate] = findPlates([line(500, 420, 120, 30, 35)], [car], image);
    const l = textLine({ box: plate.box, quad: plate.quad });
    expect((l.angle * 180) / Math.PI).toBeCloseTo(35, 6);
    expect(l.height).toBeCloseTo(30 * (1 + 2 * DEFAULT_PLATE_SETTINGS.marginAcross), 6);
    expect(findPlates([line(500, 420, 120, 30, 60)], [car], image)).toEqual([]);
  });

  it('searches every vehicle, each keeping its tallest plate-shaped line', () => {
    const far = { box: { x1: 700, y1: 100, x2: 900, y2: 200 }, score: 0.5 };
    const near = { box: { x1: 50, y1: 100, x2: 650, y2: 550 }, score: 0.9 };
    const plates = findPlates([line(350, 450, 160, 40), line(800, 180, 50, 12), line(300, 380, 80, 18)], [near, far], image);
    expect(plates.map((p) => Math.round((p.box.x1 + p.box.x2) / 2))).toEqual([350, 800]);
  });

  it.each([
    ['high on the car (a windscreen sticker)', line(500, 150, 120, 30)],
    ['too wide for a plate on this car', line(500, 420, 600, 100)],
    ['too square', line(500, 420, 40, 30)],
    ['too long and thin', line(500, 420, 400, 30)],
    ['too small to read', line(500, 420, 20, 5)],
  ])('rejects text %s', (_name, text) => {
    expect(findPlates([text], [car], image)).toEqual([]);
  });

  it('finds text on no vehicle (a close-up the detector missed), clipped to the picture', () => {
    const [plate] = findPlates([line(50, 590, 100, 20)], [], image);
    expect(plate.box).toMatchObject({ x1: 0, y2: 600 });
  });

  it('takes text on no vehicle beside a vehicle with a plate only when it reads like a plate (signs are not plates)', () => {
    const sign = line(950, 60, 80, 30);
    expect(findPlates([line(500, 420, 120, 30), sign], [car], image)).toHaveLength(1);
    expect(findPlates([line(500, 420, 120, 30), line(950, 60, 80, 30, 0, 'AB12CDE')], [car], image)).toHaveLength(2);
    expect(findPlates([sign], [car], image)).toHaveLength(1);
  });

  it('lets a surely read word (a badge) go unless it is the tallest text in the picture (a vanity plate)', () => {
    const badge = line(300, 400, 140, 28, 0, 'SANDERO');
    const plate = line(500, 440, 130, 32);
    expect(findPlates([badge, plate], [car], image)).toHaveLength(1);
    expect(findPlates([line(500, 440, 130, 32, 0, 'BIMMIAN')], [car], image)).toHaveLength(1);
    // A line too long for a plate is never one, alone or not.
    expect(findPlates([line(500, 440, 130, 32, 0, '2019FORDKUGA')], [car], image)).toEqual([]);
    // A word beside other plate-shaped text on its vehicle is a badge, tallest or not.
    expect(findPlates([line(500, 330, 130, 32, 0, 'CIELO'), line(500, 440, 60, 16)], [car], image)).toHaveLength(1);
    // Unsure reading: it counts as unread text, kept by shape.
    expect(findPlates([line(500, 440, 130, 32, 0, 'SANDERO', 0.5)], [car], image)).toHaveLength(1);
  });

  it('takes a smaller line on the same car when it surely reads like a plate (five characters or more), as its plate', () => {
    const centres = (plates: { box: Box }[]) => plates.map((p) => Math.round((p.box.x1 + p.box.x2) / 2));
    expect(centres(findPlates([line(300, 420, 160, 40), line(600, 420, 80, 16, 0, 'AB12CDE')], [car], image))).toEqual([600]);
    expect(centres(findPlates([line(300, 420, 160, 40), line(600, 420, 80, 16, 0, 'L16V')], [car], image))).toEqual([300]);
  });

  it('keeps the lowest line on a vehicle down to a smaller share of the tallest: plates sit under grilles and badges', () => {
    const grille = line(500, 330, 150, 30);
    const plate = line(500, 440, 40, 15);
    expect(findPlates([grille, plate], [car], image)).toHaveLength(2);
    // The same small line above the grille is a badge.
    expect(findPlates([grille, line(500, 300, 40, 15)], [car], image)).toHaveLength(1);
    // Once a line surely reads as the plate, the unread grille is no plate.
    const [only] = findPlates([grille, line(500, 440, 40, 15, 0, 'ET600LX')], [car], image);
    expect(only.box.y1).toBeGreaterThan(400);
  });

  it('keeps one region for a plate found twice', () => {
    expect(findPlates([line(500, 420, 120, 30), line(502, 421, 110, 28, 0, 'AB12CDE')], [car], image)).toHaveLength(1);
  });
});

describe('vehiclePasses', () => {
  const settings = DEFAULT_PLATE_SETTINGS;
  const picture = { width: 1280, height: 720 };
  const whole = { x1: 0, y1: 0, x2: 1280, y2: 720 };

  it('looks closer at a vehicle too small for its plate to be found, below its roof line', () => {
    const small = { box: { x1: 800, y1: 300, x2: 1140, y2: 540 }, score: 0.9 };
    const [pass] = vehiclePasses([small], whole, picture, 0.75, settings);
    expect(pass.scale).toBeCloseTo(Math.min(settings.maxZoom, settings.zoomToWidth / 340), 6);
    expect(pass.region.y1).toBeCloseTo(300 + settings.minHeightOnCar * 240, 6);
  });

  it('does not look closer at a small vehicle cut by the picture edge (a neighbour seen in part)', () => {
    const cut = { box: { x1: 1000, y1: 300, x2: 1280, y2: 540 }, score: 0.9 };
    expect(vehiclePasses([cut], whole, picture, 0.75, settings)).toEqual([]);
  });

  it('adds nothing for a large vehicle already searched, and searches one outside at a share of the picture scale', () => {
    const big = { box: { x1: 100, y1: 100, x2: 1200, y2: 700 }, score: 0.9 };
    expect(vehiclePasses([big], whole, picture, 0.75, settings)).toEqual([]);
    const [pass] = vehiclePasses([big], { x1: 0, y1: 0, x2: 300, y2: 720 }, picture, 0.75, settings);
    expect(pass.scale).toBeCloseTo(0.75 * settings.otherVehicleScale, 6);
  });

  it('zooms on the listed car only (the one that fills what was searched), unless told to zoom on others too', () => {
    const listed = { box: { x1: 500, y1: 300, x2: 800, y2: 450 }, score: 0.9 };
    const far = { box: { x1: 100, y1: 300, x2: 250, y2: 380 }, score: 0.9 };
    const searched = { x1: 480, y1: 280, x2: 820, y2: 470 };
    const passes = vehiclePasses([far, listed], searched, picture, 0.75, settings);
    expect(passes.filter((p) => p.scale! > 0.75).map((p) => p.region.x1)).toEqual([500]);
    // The far car, outside what was searched, is searched at a share of the picture's scale.
    expect(passes.filter((p) => p.scale! < 0.75).map((p) => p.region.x1)).toEqual([100]);
    const both = vehiclePasses([far, listed], searched, picture, 0.75, { ...settings, zoomOtherVehicles: true, maxZoomedVehicles: 4 });
    expect(both.filter((p) => p.scale! > 0.75)).toHaveLength(2);
  });
});

describe('pieces of one line', () => {
  it('joins a plate the detector split in two (a space, a blurred gap), with its readings in order', () => {
    const [joined, ...rest] = joinLineFragments([line(560, 420, 60, 30, 0, '302OZ'), line(480, 420, 70, 30, 0, 'BA')]);
    expect(rest).toEqual([]);
    const l = textLine(joined);
    expect({ cx: l.cx, width: l.width, height: l.height }).toEqual({ cx: 517.5, width: 145, height: 30 });
    expect(joined.text).toBe('BA 302OZ');
    // Split, neither piece is plate-shaped (aspect under 3); joined, it is a plate.
    expect(findPlates([line(480, 420, 70, 30), line(560, 420, 60, 30)], [car], image)).toHaveLength(1);
  });

  it('joins along a slant, not across lines, thicknesses or gaps that differ', () => {
    const slanted = joinLineFragments([line(500, 400, 60, 20, 30), line(500 + 70 * Math.cos(Math.PI / 6), 400 + 70 * Math.sin(Math.PI / 6), 60, 20, 30)]);
    expect(slanted).toHaveLength(1);
    expect(textLine(slanted[0]).width).toBeCloseTo(130);
    expect(joinLineFragments([line(500, 400, 60, 20), line(500, 430, 60, 20)])).toHaveLength(2); // two lines
    expect(joinLineFragments([line(500, 400, 60, 30), line(580, 400, 60, 12)])).toHaveLength(2); // a badge beside
    expect(joinLineFragments([line(500, 400, 60, 20), line(600, 400, 60, 20)])).toHaveLength(2); // 40 px apart: 2 thicknesses
    expect(joinLineFragments([line(500, 400, 60, 20, 0, 'AB'), line(570, 400, 60, 20)])[0].text).toBeUndefined();
    // The same text found twice (the picture's pass and a closer look) stays two regions, each with its reading.
    expect(joinLineFragments([line(500, 400, 100, 20, 0, 'TS-260AK'), line(503, 401, 98, 20, 0, 'TS-260AK')]).map((t) => t.text)).toEqual(['TS-260AK', 'TS-260AK']);
  });
});

describe('a second look at stubs', () => {
  const settings = DEFAULT_PLATE_SETTINGS;

  it('looks closer around a plate-thick stub low on a vehicle that shows no plate', () => {
    const looks = stubLooks([line(500, 420, 24, 16)], [car], [], image, 1, settings);
    expect(looks).toHaveLength(1);
    expect(looks[0].scale).toBe(3);
    expect(looks[0].region).toEqual({ x1: 500 - 8.5 * 16, y1: 420 - 4 * 16, x2: 500 + 8.5 * 16, y2: 420 + 4 * 16 });
  });

  it('does not look again where a plate was found, at text high on the car, long lines or specks', () => {
    const plate = { quad: rotatedRect(500, 450, 100, 30, 0), box: { x1: 450, y1: 435, x2: 550, y2: 465 } };
    expect(stubLooks([line(500, 420, 24, 16)], [car], [plate], image, 1, settings)).toEqual([]);
    expect(stubLooks([line(500, 150, 24, 16)], [car], [], image, 1, settings)).toEqual([]);
    expect(stubLooks([line(500, 420, 100, 16)], [car], [], image, 1, settings)).toEqual([]);
    expect(stubLooks([line(500, 420, 6, 5)], [car], [], image, 1, settings)).toEqual([]);
  });

  it('looks at most maxStubLooks times, thickest first, never closer than the picture was searched', () => {
    const looks = stubLooks([line(300, 420, 12, 10), line(500, 420, 30, 24), line(700, 420, 20, 16)], [car], [], image, 4, settings);
    expect(looks.map((l) => l.region.x1 + 8.5 * (l.region.y2 - l.region.y1) / 8)).toEqual([500, 700]);
    expect(looks.every((l) => l.scale === 4)).toBe(true);
  });
});
