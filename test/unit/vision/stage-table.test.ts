import { describe, expect, it } from 'vitest';
import { formatStageTable } from '../../../benchmarks/stage-table.js';

describe('formatStageTable', () => {
  it('prints one aligned row per stage and batch size with frames/s and each sub-step', () => {
    const table = formatStageTable([
      { stage: 'yolox', batchSize: 1, device: 'cpu', frames: 64, framesPerSecond: 50, split: { preprocess: 0.5, inference: 19 } },
      { stage: 'yolox', batchSize: 16, device: 'cuda', frames: 64, framesPerSecond: 1234.56, split: { preprocess: 0.5, inference: 0.25 }, note: 'native letterbox' },
    ]).split('\n');
    expect(table).toHaveLength(4);
    expect(table[0]).toMatch(/^stage\s+device\s+batch\s+frames\/s\s+ms\/frame\s+preprocess ms\s+inference ms\s+note$/);
    expect(table[2].split(/\s+/)).toEqual(['yolox', 'cpu', '1', '50.0', '20.00', '0.50', '19.00']);
    expect(table[3].split(/\s+/)).toEqual(['yolox', 'cuda', '16', '1234.6', '0.81', '0.50', '0.25', 'native', 'letterbox']);
  });
});
