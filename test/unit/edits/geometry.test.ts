import { describe, expect, it } from 'vitest';
import {
  canvasSize,
  cropRect,
  displayedCropToOriginal,
  displayedRegionToOriginal,
  originalRegionToDisplayed,
  planRender,
  straightenedRect,
  toCanvas,
  toOriginal,
} from '../../../src/edits/geometry.js';
import { foldEdits, isOriginal, ORIGINAL_STATE, type EditState } from '../../../src/edits/fold.js';
import { editListSchema } from '../../../src/edits/model.js';
import { composeTone, enhanceTone, histogramPercentile } from '../../../src/edits/tone.js';

const photo = { width: 4000, height: 3000 };
const state = (over: Partial<EditState>): EditState => ({ ...ORIGINAL_STATE, blurRegions: [], ...over });
const near = (a: object, b: object, digits = 6) => {
  for (const [key, value] of Object.entries(b)) expect((a as Record<string, number>)[key], key).toBeCloseTo(value as number, digits);
};

describe('edit list', () => {
  it('the empty list is the original, and undoing every edit gets back to it', () => {
    expect(isOriginal(foldEdits([]))).toBe(true);
    const edits = editListSchema.parse([
      { op: 'rotate', quarterTurns: 1 },
      { op: 'crop', box: { x1: 10, y1: 10, x2: 100, y2: 80 } },
      { op: 'enhance', on: true },
      { op: 'blur', box: { x1: 0, y1: 0, x2: 5, y2: 5 } },
    ]);
    expect(isOriginal(foldEdits(edits))).toBe(false);
    expect(isOriginal(foldEdits(edits.slice(0, 0)))).toBe(true);
  });

  it('quarter turns add up modulo four, in either direction', () => {
    expect(foldEdits([{ op: 'rotate', quarterTurns: 1 }, { op: 'rotate', quarterTurns: 1 }]).quarterTurns).toBe(2);
    expect(foldEdits([{ op: 'rotate', quarterTurns: -1 }]).quarterTurns).toBe(3);
    expect(foldEdits([{ op: 'rotate', quarterTurns: 3 }, { op: 'rotate', quarterTurns: 1 }]).quarterTurns).toBe(0);
  });

  it('a later crop replaces an earlier one, uncrop drops it; unblur removes the overlapping regions only', () => {
    const s = foldEdits([
      { op: 'crop', box: { x1: 0, y1: 0, x2: 10, y2: 10 } },
      { op: 'crop', box: { x1: 5, y1: 5, x2: 50, y2: 50 } },
      { op: 'blur', box: { x1: 0, y1: 0, x2: 10, y2: 10 } },
      { op: 'blur', box: { x1: 100, y1: 100, x2: 120, y2: 110 } },
      { op: 'unblur', box: { x1: 8, y1: 8, x2: 9, y2: 9 } },
    ]);
    expect(s.crop).toEqual({ x1: 5, y1: 5, x2: 50, y2: 50 });
    expect(s.blurRegions).toEqual([{ x1: 100, y1: 100, x2: 120, y2: 110 }]);
    expect(foldEdits([{ op: 'crop', box: { x1: 0, y1: 0, x2: 10, y2: 10 } }, { op: 'uncrop' }]).crop).toBeNull();
  });

  it('refuses boxes without area, straightening beyond the limit, and unknown operations', () => {
    expect(editListSchema.safeParse([{ op: 'crop', box: { x1: 5, y1: 0, x2: 5, y2: 10 } }]).success).toBe(false);
    expect(editListSchema.safeParse([{ op: 'straighten', degrees: 40 }]).success).toBe(false);
    expect(editListSchema.safeParse([{ op: 'rotate', quarterTurns: 0.5 }]).success).toBe(false);
    expect(editListSchema.safeParse([{ op: 'sharpen' }]).success).toBe(false);
  });
});

describe('geometry', () => {
  it('a 90-degree turn swaps width and height, 180 does not', () => {
    expect(planRender(state({ quarterTurns: 1 }), photo).output).toEqual({ width: 3000, height: 4000 });
    expect(planRender(state({ quarterTurns: 3 }), photo).output).toEqual({ width: 3000, height: 4000 });
    expect(planRender(state({ quarterTurns: 2 }), photo).output).toEqual({ width: 4000, height: 3000 });
    expect(planRender(state({ quarterTurns: 1 }), photo).extract).toBeNull();
  });

  it('a clockwise quarter turn puts the original top-left corner at the top-right', () => {
    const s = state({ quarterTurns: 1 });
    near(toCanvas(s, photo, { x: 0, y: 0 }), { x: 3000, y: 0 });
    near(toCanvas(s, photo, { x: 4000, y: 3000 }), { x: 0, y: 4000 });
  });

  it('canvas and original points map back and forth at any angle', () => {
    const s = state({ quarterTurns: 3, straightenDegrees: 4.5 });
    const p = { x: 1234, y: 567 };
    near(toOriginal(s, photo, toCanvas(s, photo, p)), p);
    const c = canvasSize(s, photo);
    expect(c.width).toBeGreaterThan(3000);
    expect(c.height).toBeGreaterThan(4000);
  });

  it('a crop box drawn on the displayed picture maps to original pixels', () => {
    // Unturned: the same box.
    expect(displayedCropToOriginal(ORIGINAL_STATE, photo, { x1: 100, y1: 200, x2: 1100, y2: 900 })).toEqual({ x1: 100, y1: 200, x2: 1100, y2: 900 });
    // Turned clockwise: the displayed top-left is the original bottom-left.
    const turned = state({ quarterTurns: 1 });
    near(displayedCropToOriginal(turned, photo, { x1: 0, y1: 0, x2: 1000, y2: 500 }), { x1: 0, y1: 2000, x2: 500, y2: 3000 });
    // Stored that way, the turned render cuts exactly the drawn box.
    const cropped = state({ quarterTurns: 1, crop: { x1: 0, y1: 2000, x2: 500, y2: 3000 } });
    expect(planRender(cropped, photo).extract).toEqual({ left: 0, top: 0, width: 1000, height: 500 });
    expect(planRender(cropped, photo).output).toEqual({ width: 1000, height: 500 });
  });

  it('a crop keeps the same region of the car when the photo is turned afterwards', () => {
    const crop = { x1: 1000, y1: 500, x2: 2000, y2: 1000 };
    const before = planRender(state({ crop }), photo);
    const after = planRender(state({ crop, quarterTurns: 1 }), photo);
    expect(before.output).toEqual({ width: 1000, height: 500 });
    expect(after.output).toEqual({ width: 500, height: 1000 });
    // Only the cropped part of the original (and a 2-pixel margin) is turned...
    expect(after.source).toEqual({ left: 998, top: 498, width: 1004, height: 504 });
    // ...and its clockwise turn puts the original rows 1002..498 in columns 0..504: the crop starts 2 in.
    expect(after.extract).toEqual({ left: 2, top: 2, width: 500, height: 1000 });
  });

  it('straightening trims the blank corners and keeps the aspect ratio', () => {
    const s = state({ straightenDegrees: 5 });
    const frame = straightenedRect(s, photo);
    expect(frame.width / frame.height).toBeCloseTo(4 / 3, 6);
    expect(frame.width).toBeLessThan(4000);
    // Every corner of the kept rectangle lies inside the turned original.
    for (const [x, y] of [[frame.left, frame.top], [frame.left + frame.width, frame.top], [frame.left, frame.top + frame.height], [frame.left + frame.width, frame.top + frame.height]] as const) {
      const p = toOriginal(s, photo, { x, y });
      expect(p.x).toBeGreaterThanOrEqual(-1e-6);
      expect(p.y).toBeGreaterThanOrEqual(-1e-6);
      expect(p.x).toBeLessThanOrEqual(4000 + 1e-6);
      expect(p.y).toBeLessThanOrEqual(3000 + 1e-6);
    }
    const plan = planRender(s, photo);
    expect(plan.rotateDegrees).toBe(5);
    expect(plan.extract!.left + plan.extract!.width).toBeLessThanOrEqual(Math.floor(canvasSize(s, photo).width));
  });

  it('a crop larger than the straightened picture is shrunk and moved inside it', () => {
    const s = state({ straightenDegrees: -3, crop: { x1: -500, y1: -500, x2: 3000, y2: 2000 } });
    const frame = straightenedRect(s, photo);
    const crop = cropRect(s, photo);
    expect(crop.left).toBeGreaterThanOrEqual(frame.left - 1e-9);
    expect(crop.top).toBeGreaterThanOrEqual(frame.top - 1e-9);
    expect(crop.width).toBeCloseTo(3500, 6);
  });

  it('a drawn crop round-trips at a straightening angle', () => {
    const s0 = state({ quarterTurns: 1, straightenDegrees: 2 });
    const drawn = { x1: 300, y1: 400, x2: 1500, y2: 1300 };
    const s1 = { ...s0, crop: displayedCropToOriginal(s0, photo, drawn) };
    const frame = straightenedRect(s0, photo);
    const crop = cropRect(s1, photo);
    near(crop, { left: frame.left + 300, top: frame.top + 400, width: 1200, height: 900 });
  });

  it('a blur region follows the photo: drawn on the display, stored in the original, drawn back over it', () => {
    const s = state({ quarterTurns: 1, crop: { x1: 0, y1: 0, x2: 2000, y2: 3000 } });
    const drawn = { x1: 100, y1: 200, x2: 400, y2: 300 };
    const stored = displayedRegionToOriginal(s, photo, drawn);
    near(originalRegionToDisplayed(s, photo, stored)!, drawn);
    const plan = planRender({ ...s, blurRegions: [stored] }, photo);
    expect(plan.blur).toEqual([{ left: 100, top: 200, width: 300, height: 100 }]);
    // A region cut off by the crop is not drawn.
    expect(planRender({ ...s, blurRegions: [{ x1: 3000, y1: 0, x2: 3100, y2: 50 }] }, photo).blur).toEqual([]);
  });
});

describe('tone', () => {
  it('stretches the levels between the percentiles, capped, and brightness scales it', () => {
    const histogram = new Array(256).fill(0);
    for (let v = 64; v <= 191; v++) histogram[v] = 10;
    expect(histogramPercentile(histogram, 0)).toBe(64);
    expect(histogramPercentile(histogram, 100)).toBe(191);
    const tone = enhanceTone(histogram, { lowPercentile: 0, highPercentile: 100, maxGain: 4 });
    expect(tone.a * 64 + tone.b).toBeCloseTo(0, 0);
    expect(tone.a * 191 + tone.b).toBeCloseTo(255, 0);
    expect(enhanceTone(histogram, { lowPercentile: 0, highPercentile: 100, maxGain: 1.5 }).a).toBe(1.5);
    const flat = new Array(256).fill(0);
    flat[100] = 50;
    expect(enhanceTone(flat, { lowPercentile: 1, highPercentile: 99, maxGain: 4 })).toEqual({ a: 1, b: 0 });
    expect(composeTone(null, 1.2)).toEqual({ a: 1.2, b: 0 });
  });
});
