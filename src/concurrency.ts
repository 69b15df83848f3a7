/**
 * Maps `items` through `fn` with at most `limit` calls in flight, keeping the results in
 * input order.
 *
 * @example
 * const sizes = await mapWithConcurrency(keys, 4, (key) => headObject(key));
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * Calls `fn` on each item of a (possibly asynchronous, possibly endless) sequence with at most
 * `limit` calls in flight, taking the next item only when a call ends: a stream of records is
 * read at the pace it is processed, never ahead of it. `fn` should not reject; if it does, the
 * rest is not taken and the rejection is thrown once the calls in flight have ended.
 *
 * @example
 * await forEachConcurrently(recordsOf(object), 16, async (record) => process(record));
 */
export async function forEachConcurrently<T>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const iterator =
    Symbol.asyncIterator in items
      ? items[Symbol.asyncIterator]()
      : (items as Iterable<T>)[Symbol.iterator]();
  let done = false;
  // Async generators queue concurrent `next` calls, so the workers may share the iterator.
  const worker = async (): Promise<void> => {
    while (!done) {
      const next = await iterator.next();
      if (next.done) {
        done = true;
        return;
      }
      try {
        await fn(next.value);
      } catch (error) {
        done = true;
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, limit) }, worker));
}
