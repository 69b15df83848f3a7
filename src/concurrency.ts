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
