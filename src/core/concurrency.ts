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

/** Runs tasks with at most a fixed number in flight across all callers; the others wait their turn, in order. */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

export function limiter(limit: number): Limiter {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    // A finishing task hands its slot straight to the first waiting one, so a newcomer cannot slip in between.
    if (running < limit) running++;
    else await new Promise<void>((resolve) => waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}

/**
 * Runs tasks one at a time (one model session); a waiting foreground task goes before every waiting
 * background one, each lane in its order. A task that is running is never interrupted.
 */
export class SerialLanes {
  readonly #waiting: { start: () => Promise<void>; background: boolean }[] = [];
  #running: Promise<void> | null = null;

  run<T>(work: () => Promise<T>, lane: 'foreground' | 'background' = 'foreground'): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ background: lane === 'background', start: () => Promise.resolve().then(work).then(resolve, reject) });
      this.#next();
    });
  }

  /** Settles once no task runs or waits. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }

  #next(): void {
    if (this.#running) return;
    const foreground = this.#waiting.findIndex((w) => !w.background);
    const [task] = this.#waiting.splice(foreground >= 0 ? foreground : 0, 1);
    if (!task) return;
    this.#running = task.start().finally(() => {
      this.#running = null;
      this.#next();
    });
  }
}
