/**
 * Timing helpers: whole passes timed by their wall time (the throughput figures), and per-item
 * latencies for the slow baseline, where one `process.hrtime.bigint()` per item is noise.
 */

export interface Throughput {
  /** How many items were timed. */
  count: number;
  perSecond: number;
  p50Micros: number;
  p99Micros: number;
}

/**
 * Items per second of one pass of `task` over every item, one item at a time, timed as a
 * whole: a clock read per item would cost as much as the small tasks it times. An item whose
 * task returns a promise is awaited before the next; one whose task is done when it returns is
 * not, so the pass pays no microtask the task itself does not need (`RuleIndex.matchNow`).
 *
 * @example
 * const perSecond = await timePass(events, (event) => ruleIndex.match(event, { stubs }));
 */
export async function timePass<T>(
  items: readonly T[],
  task: (item: T) => unknown,
): Promise<number> {
  const start = process.hrtime.bigint();
  for (const item of items) {
    const done = task(item);
    if (done instanceof Promise) await done;
  }
  return items.length / (Number(process.hrtime.bigint() - start) / 1e9);
}

/**
 * `timePass` for a task that returns no promise (`JSON.parse`), so the floor it measures pays
 * no microtask per item that the task itself does not.
 *
 * @example
 * const floor = timeSyncPass(texts, (text) => JSON.parse(text));
 */
export function timeSyncPass<T>(items: readonly T[], task: (item: T) => unknown): number {
  const start = process.hrtime.bigint();
  let kept: unknown;
  for (const item of items) kept = task(item);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (kept === undefined && items.length > 0) throw new Error('the timed task returned nothing');
  return items.length / seconds;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1);
  return sorted[Math.max(0, index)] as number;
}

/**
 * Runs `task` over `items` one at a time, timing each, until all are done or `budgetMs` has
 * passed (at least `minimum` items). Throughput is items over the wall time of the loop.
 */
export async function timeEach<T>(
  items: readonly T[],
  task: (item: T) => Promise<unknown>,
  options: { budgetMs?: number; minimum?: number } = {},
): Promise<Throughput> {
  const budgetNanos = (options.budgetMs ?? Number.POSITIVE_INFINITY) * 1e6;
  const minimum = options.minimum ?? 1;
  const latencies = new Float64Array(items.length);
  const start = process.hrtime.bigint();
  let count = 0;
  for (const item of items) {
    const before = process.hrtime.bigint();
    await task(item);
    const after = process.hrtime.bigint();
    latencies[count++] = Number(after - before) / 1e3;
    if (count >= minimum && Number(after - start) > budgetNanos) break;
  }
  const elapsedSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  const sorted = latencies.subarray(0, count).sort();
  return {
    count,
    perSecond: count / elapsedSeconds,
    p50Micros: percentile(sorted, 0.5),
    p99Micros: percentile(sorted, 0.99),
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Rows as a markdown table (the first row is the header), so a run can go into BENCHMARKS.md. */
export function markdownTable(rows: readonly (readonly string[])[]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [header, ...body] = rows;
  return [header ?? [], widths.map((width) => '-'.repeat(width)), ...body].map(line).join('\n');
}
