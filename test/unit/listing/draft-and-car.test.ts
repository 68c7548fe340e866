import { describe, expect, it } from 'vitest';
import { buildDraft } from '../../../src/listing/draft.js';
import { carBodyType } from '../../../src/analysis/car-summary.js';
import { chooseDominantCar } from '../../../src/analysis/dominant-car.js';
import type { Detection } from '../../../src/vision/types.js';
import { sighting } from '../analysis/fakes.js';

describe('buildDraft', () => {
  it('says only what is known and waits for review without make and model', () => {
    const draft = buildDraft({ colour: 'white', bodyType: null, make: null, model: null, year: null, photoCount: 12, videoSeconds: 11.6 });
    expect(draft.title).toBe('White car');
    expect(draft.status).toBe('needs_review');
    expect(draft.description).toContain('Exterior colour: white.');
    expect(draft.description).toContain('12 photos and a 12-second walkaround video.');
    expect(draft.description).not.toMatch(/\$|price|€|£|financ/i);
  });

  it('uses make, model and year when known', () => {
    const draft = buildDraft({ colour: 'red', bodyType: 'pickup', make: 'Ford', model: 'Ranger', year: 2019, photoCount: 1, videoSeconds: 5 });
    expect(draft.title).toBe('Red 2019 Ford Ranger');
    expect(draft.status).toBe('ready');
    expect(draft.description).toContain('1 photo and');
  });
});

describe('carBodyType', () => {
  it('reports a pickup only when most sightings are trucks', () => {
    expect(carBodyType([sighting(1, { classId: 7 }), sighting(1, { classId: 7 }), sighting(1, { classId: 2 })])).toBe('pickup');
    expect(carBodyType([sighting(1, { classId: 7 }), sighting(1, { classId: 2 }), sighting(1, { classId: 2 })])).toBeNull();
  });
});

describe('chooseDominantCar', () => {
  const det = (x1: number, y1: number, x2: number, y2: number, classId = 2, score = 0.9): Detection => ({ box: { x1, y1, x2, y2 }, classId, score, label: 'car' });
  const settings = { dominantMinArea: 0.06 };

  it('takes the large central car over a small one in the background', () => {
    const chosen = chooseDominantCar([det(10, 10, 80, 50), det(150, 100, 500, 330)], 640, 360, null, settings);
    expect(chosen?.detection.box.x1).toBe(150);
  });

  it('ignores people and cars too small to be the one being filmed', () => {
    expect(chooseDominantCar([det(100, 100, 500, 300, 0), det(10, 10, 60, 40)], 640, 360, null, settings)).toBeNull();
  });

  it('flags a car cut off by the side of the frame', () => {
    expect(chooseDominantCar([det(0, 50, 300, 300)], 640, 360, null, settings)?.touchesSide).toBe(true);
  });

  it('keeps following the tracked car when two are about the same size', () => {
    const left = det(40, 80, 300, 300);
    const right = det(330, 80, 600, 300);
    const chosen = chooseDominantCar([left, right], 640, 360, right.box, settings);
    expect(chosen?.detection.box.x1).toBe(330);
  });
});
