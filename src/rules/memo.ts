/** How often a memo answered from what it kept, and how much it keeps. */
export interface MemoCounts {
  name: string;
  hits: number;
  misses: number;
  size: number;
}

/**
 * Values worked out once per key and kept, at most `limit` of them: keys that come from
 * events (an IP address, a user agent) must not grow memory without end, so the oldest key
 * is forgotten when a new one would pass the limit. Counts hits and misses, which
 * `npm run bench` reports, so whether a memo earns its keep is measured, not assumed.
 *
 * @example
 * const parsed = new BoundedMemo<string, IpRange | undefined>('ip ranges', 4096);
 * parsed.get('10.0.0.0/8', parseIpRange); // parsed once
 * parsed.counts(); // { name: 'ip ranges', hits: 0, misses: 1, size: 1 }
 */
export class BoundedMemo<K, V> {
  private readonly values = new Map<K, V>();
  private hits = 0;
  private misses = 0;

  constructor(
    readonly name: string,
    private readonly limit: number,
  ) {}

  /** The value kept for `key`, or `make(key)`, kept for next time. */
  get(key: K, make: (key: K) => V): V {
    const kept = this.values.get(key);
    if (kept !== undefined || this.values.has(key)) {
      this.hits += 1;
      return kept as V;
    }
    this.misses += 1;
    const value = make(key);
    if (this.values.size >= this.limit) this.values.delete(this.values.keys().next().value as K);
    this.values.set(key, value);
    return value;
  }

  counts(): MemoCounts {
    return { name: this.name, hits: this.hits, misses: this.misses, size: this.values.size };
  }
}
