import { describe, expect, it } from 'vitest';
import { parseLabels } from '../../../src/eval/labels.js';
import { scoreSegmentation, segmentationSection, type SegmentationOutcome } from '../../../src/eval/segmentation-section.js';
import type { ItemOutcome } from '../../../src/eval/sections.js';

const seg = (startMs: number, endMs: number) => ({ startMs, endMs });
const item = (segmentation: SegmentationOutcome): ItemOutcome => ({ file: 'v.mp4', kind: 'video', cars: [], ms: 1, extra: { segmentation } });

describe('segmentation figures', () => {
  const twoCarsRight: SegmentationOutcome = {
    purpose: 'reporting',
    labelled: [[[0, 10_000]], [[12_000, 20_000]]],
    found: [
      { segments: [seg(300, 9800)], photoTimesMs: [1000, 5000] },
      { segments: [seg(12_500, 20_000)], photoTimesMs: [11_000, 15_000] },
    ],
  };
  const oneCarSplit: SegmentationOutcome = {
    purpose: 'tuning',
    labelled: [[[0, 15_000]]],
    found: [
      { segments: [seg(0, 7000)], photoTimesMs: [1000] },
      { segments: [seg(7000, 15_000)], photoTimesMs: [9000] },
    ],
  };

  it('scores count, each labelled edge against the matched car, and photos outside their car', () => {
    expect(scoreSegmentation(twoCarsRight)).toEqual({ exact: true, edgeErrorsMs: [300, 200, 500, 0], strayPhotos: 1, photos: 4 });
    expect(scoreSegmentation(oneCarSplit)).toMatchObject({ exact: false, edgeErrorsMs: [0, 0], strayPhotos: 0 });
  });

  it('reports tuning and reporting items apart', () => {
    const figures = segmentationSection.figures([item(twoCarsRight), item(oneCarSplit)]);
    const value = (name: string) => figures.find((f) => f.name === name);
    expect(value('car count exact (reporting)')).toMatchObject({ value: 1, detail: '1/1' });
    expect(value('car count exact (tuning)')).toMatchObject({ value: 0, detail: '0/1' });
    expect(value('boundary error mean ms (reporting)')?.value).toBe(250);
    expect(value('boundary error max ms (reporting)')?.value).toBe(500);
    expect(value('stray photos (reporting)')).toMatchObject({ value: 0.25, detail: '1/4' });
  });

  it('reads labelled segments and the purpose from labels.json', () => {
    const labels = parseLabels(JSON.stringify({ items: [{ file: 'lot.mp4', purpose: 'tuning', cars: [{ make: 'Ford', segments: [[0, 5000], [9000, 12000]] }] }] }));
    expect(labels.items[0]).toMatchObject({ purpose: 'tuning', cars: [{ segments: [[0, 5000], [9000, 12000]] }] });
    expect(() => parseLabels(JSON.stringify({ items: [{ file: 'lot.mp4', purpose: 'both', cars: [] }] }))).toThrow(/purpose/);
  });
});
