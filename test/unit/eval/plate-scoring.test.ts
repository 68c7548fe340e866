import { describe, expect, it } from 'vitest';
import { isLotreelError } from '../../../src/core/errors.js';
import { parsePlateBoxes, plateTotals, scorePlates } from '../../../src/eval/plate-scoring.js';

const box = (x1: number, y1: number, x2: number, y2: number) => ({ x1, y1, x2, y2 });

describe('plate scoring', () => {
  it('reads plates.json as file -> boxes in either form, ignoring the plate text', () => {
    const boxes = parsePlateBoxes(JSON.stringify({ 'a.jpg': { box: [1, 2, 3, 4], text: 'AB12' }, 'b.jpg': { boxes: [[0, 0, 5, 5], [6, 6, 9, 9]] }, 'c.jpg': [1, 1, 2, 2] }));
    expect(boxes.get('a.jpg')).toEqual([box(1, 2, 3, 4)]);
    expect(boxes.get('b.jpg')).toHaveLength(2);
    expect(boxes.get('c.jpg')).toEqual([box(1, 1, 2, 2)]);
    for (const bad of ['{', JSON.stringify({ 'a.jpg': { box: [1, 2] } })]) {
      try {
        parsePlateBoxes(bad);
        expect.unreachable();
      } catch (error) {
        expect(isLotreelError(error, 'INVALID_ARGUMENT')).toBe(true);
      }
    }
  });

  it('finds a plate by IoU >= 0.3 or by covering 70% of it, and counts regions on no plate as false blurs', () => {
    const plate = box(100, 100, 200, 140);
    // IoU 0.5: found.
    expect(scorePlates([box(100, 100, 200, 120)], [plate])).toEqual({ labelled: 1, found: 1, falseBlurs: 0 });
    // A big region covering all of it (IoU below 0.3): found.
    expect(scorePlates([box(0, 0, 400, 300)], [plate]).found).toBe(1);
    // A sliver inside the plate finds nothing but is no false blur; one elsewhere is.
    expect(scorePlates([box(100, 100, 120, 110), box(500, 500, 600, 540)], [plate])).toEqual({ labelled: 1, found: 0, falseBlurs: 1 });
    expect(plateTotals([{ labelled: 1, found: 1, falseBlurs: 0 }, { labelled: 1, found: 0, falseBlurs: 1 }])).toMatchObject({ recall: 0.5, falseBlursPerPicture: 0.5 });
  });
});
