/** Maps items through an async function with at most `limit` calls in flight; results keep their order. */
export async function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Runs tasks with at most `limit` in flight across all callers (one model session: 1). A waiting
 * foreground task goes before every waiting background one, each lane in its order; a running task is
 * never interrupted, and a finishing one hands its slot straight to the next, so a newcomer cannot
 * slip in between.
 */
export class Slots {
  readonly #limit: number;
  readonly #waiting: { start: () => Promise<void>; background: boolean }[] = [];
  readonly #inFlight = new Set<Promise<void>>();

  constructor(limit: number) {
    this.#limit = limit;
  }

  run<T>(work: () => Promise<T>, lane: 'foreground' | 'background' = 'foreground'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ background: lane === 'background', start: () => Promise.resolve().then(work).then(resolve, reject) });
      this.#next();
    });
  }

  /** Settles once no task runs or waits. */
  async idle(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.all(this.#inFlight);
  }

  #next(): void {
    while (this.#inFlight.size < this.#limit && this.#waiting.length > 0) {
      const foreground = this.#waiting.findIndex((w) => !w.background);
      const [task] = this.#waiting.splice(foreground >= 0 ? foreground : 0, 1);
      const running: Promise<void> = task.start().finally(() => {
        this.#inFlight.delete(running);
        this.#next();
      });
      this.#inFlight.add(running);
    }
  }
}
