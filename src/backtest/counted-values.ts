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
  return boundedSorted(
    [...counts].sort(([a], [b]) => keptFirst(a, b)),
    limit,
  );
}

/** `bounded` of entries already in key order. */
function boundedSorted(
  sorted: readonly (readonly [string, number])[],
  limit: number,
): { counts: Record<string, number>; other: number; dropped: boolean } {
  const counts: Record<string, number> = {};
  let other = 0;
  for (const [i, [key, count]] of sorted.entries()) {
    if (i < limit) counts[key] = count;
    else other += count;
  }
  return { counts, other, dropped: sorted.length > limit };
}

/**
 * A report's counts in key order. A report keeps them in that order, and JSON and structured
 * cloning keep it too, except for keys that look like array indexes, which objects put first:
 * only then are they sorted again.
 */
function inKeyOrder(counts: Readonly<Record<string, number>>): [string, number][] {
  const entries = Object.entries(counts);
  const ordered = entries.every(
    ([key], i) => i === 0 || keptFirst((entries[i - 1] as [string, number])[0], key) < 0,
  );
  return ordered ? entries : entries.sort(([a], [b]) => keptFirst(a, b));
}

/** Two lists of counts in key order as one, in key order, a key in both counted once with the sum. */
function mergeSorted(
  a: readonly [string, number][],
  b: readonly [string, number][],
): [string, number][] {
  const merged: [string, number][] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const [aKey, aCount] = a[i] as [string, number];
    const [bKey, bCount] = b[j] as [string, number];
    const order = keptFirst(aKey, bKey);
    if (order <= 0) i += 1;
    if (order >= 0) j += 1;
    merged.push(order < 0 ? [aKey, aCount] : order > 0 ? [bKey, bCount] : [aKey, aCount + bCount]);
  }
  for (; i < a.length; i += 1) merged.push(a[i] as [string, number]);
  for (; j < b.length; j += 1) merged.push(b[j] as [string, number]);
  return merged;
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
  const sums = mergeSorted(inKeyOrder(a.counts), inKeyOrder(b.counts));
  const { counts, other, dropped } = boundedSorted(sums, limit);
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
