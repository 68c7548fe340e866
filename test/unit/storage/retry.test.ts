/** The pure parts of S3 retries and multipart sizing: which answers are retried, how long to wait, how big a part is. */
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, isRetryableAnswer, withRetries } from '../../../src/storage/retry.js';
import { MIN_PART_BYTES, partSizeFor } from '../../../src/storage/s3-multipart.js';

describe('S3 retries', () => {
  it('retries server trouble and throttling, never a refusal', () => {
    for (const [status, code] of [[500, 'InternalError'], [502, undefined], [503, 'SlowDown'], [504, undefined], [429, undefined], [400, 'RequestTimeout']] as const) {
      expect(isRetryableAnswer(status, code), `${status} ${code}`).toBe(true);
    }
    for (const [status, code] of [[400, 'InvalidPart'], [403, 'SignatureDoesNotMatch'], [404, 'NoSuchKey'], [501, 'NotImplemented'], [409, undefined]] as const) {
      expect(isRetryableAnswer(status, code), `${status} ${code}`).toBe(false);
    }
  });

  it('waits exponentially longer, capped, with jitter between half and all of the wait', () => {
    const policy = { attempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelayMs(policy, n, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(200);
  });

  it('stops at the first success, a refused error, or the last try', async () => {
    const policy = { attempts: 3, baseDelayMs: 1, maxDelayMs: 1 };
    let tries = 0;
    expect(await withRetries(policy, async (n) => (n < 2 ? Promise.reject(new Error('again')) : n), () => true)).toBe(2);
    await expect(withRetries(policy, async () => ++tries && Promise.reject(new Error(`try ${tries}`)), () => true)).rejects.toThrow('try 3');
    tries = 0;
    await expect(withRetries(policy, async () => ++tries && Promise.reject(new Error('no')), () => false)).rejects.toThrow('no');
    expect(tries).toBe(1);
  });
});

describe('multipart part size', () => {
  it('is the configured size, raised so that no file needs more than 10,000 parts', () => {
    expect(partSizeFor(8 * 1024 ** 3, 64 * 1024 ** 2)).toBe(64 * 1024 ** 2);
    const huge = 1024 ** 4; // 1 TiB
    expect(Math.ceil(huge / partSizeFor(huge, MIN_PART_BYTES))).toBeLessThanOrEqual(10_000);
  });
});
