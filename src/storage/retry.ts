/**
 * Bounded retries with exponential backoff for object-store requests: which failures are worth
 * another try (the server's 5xx, 429 and SlowDown, timeouts, dropped connections) and how long to wait.
 * Pure but for the waiting.
 */
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** Tries in all, the first included (1: no retry). */
  attempts: number;
  /** Wait before the second try; doubled before each next one, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_S3_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 250, maxDelayMs: 8000 };

/** S3 error codes that say "try again" whatever their status (RequestTimeout comes as 400). */
const RETRYABLE_CODES = new Set(['SlowDown', 'RequestTimeout', 'InternalError', 'ServiceUnavailable', 'RequestTimeTooSkewed']);

export function isRetryableAnswer(status: number, code: string | undefined): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504 || (code !== undefined && RETRYABLE_CODES.has(code));
}

/** The wait after `failedAttempts` failures (1, 2, ...): exponential, capped, with jitter in [50 %, 100 %] so clients spread out. */
export function backoffDelayMs(policy: RetryPolicy, failedAttempts: number, random: () => number = Math.random): number {
  const full = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedAttempts - 1));
  return Math.round(full * (0.5 + random() / 2));
}

/** Runs `attempt` until it succeeds, fails with an error `retryable` refuses, or the tries run out (the last error is thrown). */
export async function withRetries<T>(policy: RetryPolicy, attempt: (tryNumber: number) => Promise<T>, retryable: (error: unknown) => boolean): Promise<T> {
  for (let tryNumber = 1; ; tryNumber++) {
    try {
      return await attempt(tryNumber);
    } catch (error) {
      if (tryNumber >= policy.attempts || !retryable(error)) throw error;
      await sleep(backoffDelayMs(policy, tryNumber));
    }
  }
}
