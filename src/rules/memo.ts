/** How often a memo answered from what it kept, and how much it keeps. */
export interface MemoCounts {
  name: string;
  hits: number;
  misses: number;
  size: number;
}

/**
 * Values worked out once per key and kept, at most `limit` of them: keys that come from
 * events (an IP address, a user agent) must not grow memory without end, so the older
 * half is forgotten when a new key would pass the limit. Counts hits and misses, which
 * `npm run bench` reports, so whether a memo earns its keep is measured, not assumed.
 *
 * @example
 * const compiled = new BoundedMemo<string, RegExp>('patterns', 4096);
 * compiled.get(':root$', (source) => new RegExp(source)); // compiled once
 * compiled.counts(); // { name: 'patterns', hits: 0, misses: 1, size: 1 }
 */
export class BoundedMemo<K, V> {
  private readonly values = new Map<K, V>();
  private hits = 0;
  private misses = 0;

  constructor(
    readonly name: string,
    private readonly limit: number,
  ) {}

  /**
   * The value kept for `key`, or `make(key, argument)`, kept for next time. `argument` spares
   * hot callers a new closure per call.
   */
  get<A>(key: K, make: (key: K, argument: A) => V, argument?: A): V {
    const kept = this.values.get(key);
    if (kept !== undefined || this.values.has(key)) {
      this.hits += 1;
      return kept as V;
    }
    this.misses += 1;
    const value = make(key, argument as A);
    if (this.values.size >= this.limit) this.forgetOldestHalf();
    this.values.set(key, value);
    return value;
  }

  /**
   * Forgets the older half at once: deleting one key per insertion would leave the map's
   * deleted entries for every later walk from the oldest to step over.
   */
  private forgetOldestHalf(): void {
    let forget = Math.ceil(this.values.size / 2);
    for (const key of this.values.keys()) {
      if (forget-- === 0) break;
      this.values.delete(key);
    }
  }

  /** The values kept, oldest first. */
  kept(): IterableIterator<V> {
    return this.values.values();
  }

  counts(): MemoCounts {
    return { name: this.name, hits: this.hits, misses: this.misses, size: this.values.size };
  }
}
