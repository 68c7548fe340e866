/**
 * The full-size keyframe stills the analysis' decode writes (`<dir>/<timestampMs>.jpg`), for readers
 * that run while that decode still goes on: a car finished early copies its photos from there. A
 * reader waits until the still it asks for is complete on disk; a frame the writer never wrote (not an
 * analysed keyframe, a decode that ended or failed) gives null, and the reader decodes it itself.
 */
import { join } from 'node:path';

/** The still the analysis wrote for a frame, once written; null when it will not write one. */
export type StillAt = (timestampMs: number) => Promise<string | null>;

/** No stills (rate sampling, or none asked for): every photo is decoded on its own. */
export const noStills: StillAt = async () => null;

/**
 * If a still is not written within this time, it is decoded again: the decode is meant to write it
 * right after the analysed frame, this only keeps a reader from waiting on a writer that stalled.
 */
const STALL_GUARD_MS = 30_000;

export class KeyframeStills {
  readonly #written = new Set<number>();
  readonly #waiting = new Map<number, Array<(written: boolean) => void>>();
  #ended = false;

  /** `analysed(t)`: whether the analysis took the frame at t (only those are written). */
  constructor(
    readonly dir: string,
    readonly quality: number,
    private readonly analysed: (timestampMs: number) => boolean,
  ) {}

  /** The sampler's options for writing them, telling this tracker of each still written. */
  get sampling(): { dir: string; quality: number; onWritten: (timestampMs: number) => void } {
    return { dir: this.dir, quality: this.quality, onWritten: (t) => this.#wrote(t) };
  }

  /** The decode is over (done or failed): no further still comes. */
  end(): void {
    this.#ended = true;
    for (const wakers of this.#waiting.values()) for (const wake of wakers) wake(false);
    this.#waiting.clear();
  }

  readonly at: StillAt = async (timestampMs) => {
    const path = join(this.dir, `${timestampMs}.jpg`);
    if (this.#written.has(timestampMs)) return path;
    if (this.#ended || !this.analysed(timestampMs)) return null;
    let timer: NodeJS.Timeout | undefined;
    const written = await new Promise<boolean>((resolve) => {
      const wakers = this.#waiting.get(timestampMs) ?? [];
      wakers.push(resolve);
      this.#waiting.set(timestampMs, wakers);
      timer = setTimeout(() => resolve(false), STALL_GUARD_MS);
      timer.unref();
    });
    clearTimeout(timer);
    return written ? path : null;
  };

  #wrote(timestampMs: number): void {
    this.#written.add(timestampMs);
    for (const wake of this.#waiting.get(timestampMs) ?? []) wake(true);
    this.#waiting.delete(timestampMs);
  }
}
