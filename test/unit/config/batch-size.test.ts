import { describe, expect, it } from 'vitest';
import { parseAnalysisSettings } from '../../../src/config/config.js';
import { isLotreelError } from '../../../src/core/errors.js';

describe('per-model batch size', () => {
  it('YOLOX follows batchSize unless it has its own', () => {
    expect(parseAnalysisSettings().yoloxBatchSize).toBeUndefined();
    expect(parseAnalysisSettings({ batchSize: 4, yoloxBatchSize: 16 })).toMatchObject({ batchSize: 4, yoloxBatchSize: 16 });
  });

  it.each([0, 65, 2.5, '8'])('rejects yoloxBatchSize %j', (value) => {
    try {
      parseAnalysisSettings({ yoloxBatchSize: value });
      expect.unreachable();
    } catch (error) {
      expect(isLotreelError(error, 'INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toContain('yoloxBatchSize');
    }
  });
});
