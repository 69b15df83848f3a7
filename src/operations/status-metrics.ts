import {
  GetMetricDataCommand,
  ListMetricsCommand,
  type CloudWatchClient,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import { metricDimensions, type DimensionName, type MetricName } from '../telemetry/names.js';
import { StatusPartError } from './status-errors.js';

/** The time a status looks back over. */
export interface MetricWindow {
  start: Date;
  end: Date;
}

/** One metric with one set of dimension values, summed over the window. */
export interface MetricSum {
  metric: MetricName;
  dimensions: Partial<Record<DimensionName, string>>;
  sum: number;
}

/** GetMetricData takes at most 500 queries a call. */
const queriesPerCall = 500;

/**
 * The period that makes the whole window one datapoint (or two, where CloudWatch aligns
 * periods to the clock): a whole number of minutes, and of the coarser steps CloudWatch
 * requires for data older than 15 and 63 days.
 */
function periodOf(window: MetricWindow): number {
  const seconds = Math.ceil((window.end.getTime() - window.start.getTime()) / 1000);
  const step = seconds <= 15 * 86_400 ? 60 : seconds <= 63 * 86_400 ? 300 : 3_600;
  return Math.max(step, Math.ceil(seconds / step) * step);
}

/** True when `names` is one of the dimension sets `metric` is written with (and not the total). */
function isWrittenSet(metric: MetricName, names: readonly string[]): boolean {
  const sorted = [...names].sort().join(',');
  return metricDimensions[metric].some(
    (set) => set.length > 0 && [...set].sort().join(',') === sorted,
  );
}

/** The series of `metric` in `namespace`, with each dimension set it is written with but the total. */
async function seriesOf(
  cloudWatch: CloudWatchClient,
  namespace: string,
  metric: MetricName,
): Promise<MetricSum['dimensions'][]> {
  const found = new Map<string, MetricSum['dimensions']>();
  let NextToken: string | undefined;
  do {
    const page = await cloudWatch.send(
      new ListMetricsCommand({ Namespace: namespace, MetricName: metric, NextToken }),
    );
    for (const listed of page.Metrics ?? []) {
      const pairs = (listed.Dimensions ?? []).flatMap(({ Name, Value }) =>
        Name === undefined || Value === undefined ? [] : [[Name, Value] as const],
      );
      if (
        !isWrittenSet(
          metric,
          pairs.map(([name]) => name),
        )
      )
        continue;
      const dimensions = Object.fromEntries(pairs) as MetricSum['dimensions'];
      found.set(JSON.stringify([...pairs].sort()), dimensions);
    }
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
  return [...found.values()];
}

/**
 * Sums `metrics` over `window` in `namespace`, one sum per set of dimension values they are
 * written with (`metricDimensions`), as ListMetrics finds them; the totals over no dimension
 * are left out, since each is the sum of any one of its sets. Series with no data in the window
 * sum to 0. A refusal throws `StatusPartError` naming the namespace.
 *
 * @example
 * const sums = await metricSums(cloudWatch, 'steward/prod', { start, end }, ['Matches', 'Actions']);
 */
export async function metricSums(
  cloudWatch: CloudWatchClient,
  namespace: string,
  window: MetricWindow,
  metrics: readonly MetricName[],
): Promise<MetricSum[]> {
  try {
    const sums: MetricSum[] = [];
    for (const metric of metrics)
      for (const dimensions of await seriesOf(cloudWatch, namespace, metric))
        sums.push({ metric, dimensions, sum: 0 });
    const period = periodOf(window);
    for (let first = 0; first < sums.length; first += queriesPerCall)
      await addSums(cloudWatch, namespace, window, period, sums, first);
    return sums;
  } catch (error) {
    throw new StatusPartError(
      'metrics',
      `cannot read the metrics of namespace ${namespace}`,
      error,
    );
  }
}

/** Adds to `sums[first…first + 500]` what one GetMetricData (and its pages) answers for them. */
async function addSums(
  cloudWatch: CloudWatchClient,
  namespace: string,
  window: MetricWindow,
  period: number,
  sums: MetricSum[],
  first: number,
): Promise<void> {
  const queries: MetricDataQuery[] = sums
    .slice(first, first + queriesPerCall)
    .map((sum, offset) => ({
      Id: `m${first + offset}`,
      MetricStat: {
        Metric: {
          Namespace: namespace,
          MetricName: sum.metric,
          Dimensions: Object.entries(sum.dimensions).map(([Name, Value]) => ({ Name, Value })),
        },
        Period: period,
        Stat: 'Sum',
      },
    }));
  let NextToken: string | undefined;
  do {
    const page = await cloudWatch.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: window.start,
        EndTime: window.end,
        NextToken,
      }),
    );
    for (const result of page.MetricDataResults ?? []) {
      const sum = sums[Number(result.Id?.slice(1))];
      if (sum === undefined) continue;
      for (const value of result.Values ?? []) sum.sum += value;
    }
    NextToken = page.NextToken;
  } while (NextToken !== undefined);
}
