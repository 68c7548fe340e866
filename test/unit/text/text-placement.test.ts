import { describe, expect, it } from 'vitest';
import { badgeEvidence } from '../../../src/text/badge-evidence.js';
import { carTextEvidence } from '../../../src/text/car-text.js';
import type { ReadText } from '../../../src/text/text-evidence.js';
import { placeLines } from '../../../src/text/text-placement.js';
import { marketCatalogue } from '../../../src/vehicle/badge-catalogue.js';

const CATALOGUE = marketCatalogue('us');
const SETTINGS = { badgeMaxHeightShare: 0.12, badgeMaxWidthShare: 0.45, badgeMinInside: 0.8, boardMinLines: 3 };
// An 800x400 car in a 1000x700 picture.
const car = { x1: 100, y1: 200, x2: 900, y2: 600 };
const at = (text: string, x1: number, y1: number, w: number, h: number, picture = 'p'): ReadText => ({ text, score: 1, picture, box: { x1, y1, x2: x1 + w, y2: y1 + h }, car });
const pairs = (evidence: { attribute: string; value: unknown }[]) => evidence.map((e) => `${e.attribute}=${e.value}`);

describe('placeLines', () => {
  it.each([
    ['a badge on the tailgate', at('CAMRY', 600, 450, 90, 22), 'badge'],
    ['a banner above the car', at('MAZDA', 300, 40, 300, 60), 'sign'],
    ['a board beside the car, half on it', at('MAZDA3', 820, 300, 160, 30), 'sign'],
    ['lettering far taller than a badge', at('MAZDA', 300, 300, 300, 90), 'sign'],
    ['lettering far wider than a badge', at('MAZDA CX-5 SKYACTIV', 150, 300, 500, 30), 'sign'],
  ])('%s: %s', (_name, line, place) => {
    expect(placeLines([line], SETTINGS)).toEqual([place]);
  });

  it('lines stacked in a block are a board (a sticker), whatever their size', () => {
    const block = [at('2019 FORD ESCAPE', 300, 260, 200, 20), at('TITANIUM', 300, 285, 120, 20), at('MILEAGE 23,456 mi', 300, 310, 180, 20)];
    expect(placeLines([...block, at('CAMRY', 600, 450, 90, 22)], SETTINGS)).toEqual(['board', 'board', 'board', 'badge']);
  });

  it('lines without a box, or without the car, are unknown', () => {
    expect(placeLines([{ box: undefined }, { box: { x1: 0, y1: 0, x2: 10, y2: 5 }, car: null }], SETTINGS)).toEqual(['unknown', 'unknown']);
  });
});

describe('signs are not badges', () => {
  it('a show stand sign names no make or model; the badge on the car does', () => {
    const lines = [at('MAZDA', 300, 40, 300, 60), at('MAZDA3', 820, 300, 160, 30), at('CAMRY', 600, 450, 90, 22)];
    expect(pairs(badgeEvidence(lines, CATALOGUE, SETTINGS))).toEqual(['model=Camry', 'make=Toyota']);
  });

  it('reads trim words and engine sizes beside a model badge, not beside nothing', () => {
    const rear = [at('AUDI', 300, 420, 80, 20), at('A4', 380, 450, 40, 20), at('2.0 TFSI', 600, 450, 90, 20), at('quattro', 600, 480, 80, 20)];
    expect(pairs(badgeEvidence(rear, CATALOGUE, SETTINGS))).toEqual(['make=Audi', 'model=A4', 'trim=2.0 TFSI', 'trim=quattro']);
    expect(pairs(badgeEvidence([at('2.0 TFSI', 600, 450, 90, 20)], CATALOGUE, SETTINGS))).toEqual([]);
  });

  it('a common-word model counts alone only as a badge on the car', () => {
    expect(pairs(badgeEvidence([at('ESCAPE', 600, 450, 90, 22)], CATALOGUE, SETTINGS))).toEqual(['model=Escape', 'make=Ford']);
    expect(badgeEvidence([at('ESCAPE', 300, 40, 300, 60)], CATALOGUE, SETTINGS)).toEqual([]);
    expect(badgeEvidence([{ text: 'ESCAPE', score: 1, picture: 'p' }], CATALOGUE, SETTINGS)).toEqual([]);
  });

  it('a sticker on the glass is read as a sticker, not as badges; a sign off the car is neither', () => {
    const sticker = [at('2019 FORD ESCAPE', 300, 260, 200, 20), at('TITANIUM', 300, 285, 120, 20), at('MILEAGE 23,456 mi', 300, 310, 180, 20)];
    const evidence = carTextEvidence(sticker, [], CATALOGUE, { currentYear: 2026, placement: SETTINGS });
    expect(evidence.filter((e) => e.source === 'badge')).toEqual([]);
    expect(pairs(evidence.filter((e) => e.source === 'sticker'))).toEqual(['year=2019', 'make=Ford', 'model=Escape', 'mileage=23456 mi']);
    const sign = carTextEvidence([at('NEW 2025 MAZDA CX-5', 250, 20, 500, 70)], [], CATALOGUE, { currentYear: 2026, placement: SETTINGS });
    expect(sign).toEqual([]);
  });
});
