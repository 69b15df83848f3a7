import { maxDistinctKept, type CountedValues } from './report.js';

/**
 * The values a count keeps when there are more than it can hold: the smallest by code unit
 * order. Whatever the order values arrive in, and however partial counts are grouped, the
 * values kept are the same, and each kept value's count is exact: a value among the smallest
 * of all is among the smallest of every part that saw it.
 */
function keptFirst(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `counts` as a report holds them: at most `limit` values, the smallest kept, in key order, the
 * counts of the others added to `other`.
 */
function bounded(
  counts: Map<string, number>,
  limit: number,
): { counts: Record<string, number>; other: number; dropped: boolean } {
  const keys = [...counts.keys()].sort(keptFirst);
  let other = 0;
  for (const key of keys.slice(limit)) other += counts.get(key) as number;
  const kept = keys.slice(0, limit).map((key) => [key, counts.get(key) as number] as const);
  return { counts: Object.fromEntries(kept), other, dropped: keys.length > limit };
}

/**
 * A count with nothing counted yet.
 *
 * @example
 * const resources = emptyCounts(); // { counts: {}, distinct: 0, otherCount: 0, capped: false }
 */
export function emptyCounts(): CountedValues {
  return { counts: {}, distinct: 0, otherCount: 0, capped: false };
}

/**
 * Two counts as one: every kept value's counts added, the `limit` smallest values kept, the
 * rest counted in `otherCount`. Past the limit `distinct` is `limit + 1`, the most that is known
 * for sure whichever way partial counts were grouped.
 *
 * @example
 * mergeCountedValues(a, b).counts['i-0123']; // a's count plus b's
 */
export function mergeCountedValues(
  a: CountedValues,
  b: CountedValues,
  limit = maxDistinctKept,
): CountedValues {
  const sums = new Map<string, number>(Object.entries(a.counts));
  for (const [value, count] of Object.entries(b.counts))
    sums.set(value, (sums.get(value) ?? 0) + count);
  const { counts, other, dropped } = bounded(sums, limit);
  const capped = a.capped || b.capped || dropped;
  return {
    counts,
    distinct: capped ? limit + 1 : Object.keys(counts).length,
    otherCount: a.otherCount + b.otherCount + other,
    capped,
  };
}

/**
 * Counts values as they are seen, holding at most about twice `limit` of them: past that, the
 * count is cut to the `limit` smallest, and a value above the largest of those is only counted
 * as other from then on. `counted()` is what `mergeCountedValues` would make of the same values
 * counted one by one.
 *
 * @example
 * const actors = new ValueCounter();
 * actors.add('arn:aws:iam::111122223333:user/alice');
 * actors.counted().counts; // { 'arn:aws:iam::111122223333:user/alice': 1 }
 */
export class ValueCounter {
  private readonly counts = new Map<string, number>();
  private other = 0;
  /** Set once values were dropped: the largest value still kept. */
  private ceiling?: string;

  constructor(private readonly limit = maxDistinctKept) {}

  add(value: string): void {
    if (this.ceiling !== undefined && value > this.ceiling) {
      this.other += 1;
      return;
    }
    this.counts.set(value, (this.counts.get(value) ?? 0) + 1);
    if (this.counts.size > 2 * this.limit) this.cut();
  }

  counted(): CountedValues {
    const { counts, other, dropped } = bounded(this.counts, this.limit);
    const capped = dropped || this.ceiling !== undefined;
    return {
      counts,
      distinct: capped ? this.limit + 1 : this.counts.size,
      otherCount: this.other + other,
      capped,
    };
  }

  private cut(): void {
    const keys = [...this.counts.keys()].sort(keptFirst);
    for (const key of keys.slice(this.limit)) {
      this.other += this.counts.get(key) as number;
      this.counts.delete(key);
    }
    this.ceiling = keys[this.limit - 1];
  }
}
