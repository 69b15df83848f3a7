/** Timing helpers: per-item latencies from `process.hrtime.bigint()`, and their summary. */

export interface Throughput {
  /** How many items were timed. */
  count: number;
  perSecond: number;
  p50Micros: number;
  p99Micros: number;
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
