/**
 * Reads ahead of a consumer by up to `depth` items, so the producer (the decoder) keeps working while
 * the consumer (inference) is busy. Bounded: memory holds at most `depth` items.
 */
export async function* prefetch<T>(source: AsyncIterable<T>, depth: number): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const pending: Promise<IteratorResult<T>>[] = [];
  try {
    for (let i = 0; i < depth; i++) pending.push(iterator.next());
    for (;;) {
      const result = await pending.shift()!;
      if (result.done) return;
      pending.push(iterator.next());
      yield result.value;
    }
  } finally {
    // Stop the producer (kills a decoder) and swallow what was already in flight.
    await Promise.allSettled(pending);
    await iterator.return?.();
  }
}
