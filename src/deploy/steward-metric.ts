import { metricDimensions, type DimensionName, type MetricName } from '../telemetry/names.js';

/** A CloudWatch metric as an alarm or a dashboard widget names it. */
export interface MetricReference {
  namespace: string;
  metricName: string;
  /** Dimension names and values, in the order they were given. */
  dimensions: Readonly<Record<string, string>>;
}

/**
 * A metric of steward's named with dimensions the functions do not write it with: CloudWatch
 * would hold no data for it, and an alarm on it would never fire.
 */
export class UndeclaredMetricError extends Error {
  constructor(
    readonly metricName: MetricName,
    readonly dimensionNames: readonly string[],
  ) {
    super(
      `${metricName} is not written with the dimensions [${dimensionNames.join(', ')}]: its dimension sets are ${metricDimensions[
        metricName
      ]
        .map((set) => `[${set.join(', ')}]`)
        .join(', ')}`,
    );
    this.name = 'UndeclaredMetricError';
  }
}

/**
 * One of steward's metrics (`src/telemetry/names.ts`) in a namespace, with dimension values
 * for exactly one of the dimension sets it is written with; anything else throws, so the
 * stack can only watch what the functions write.
 *
 * @example
 * stewardMetric('steward/prod', 'Actions', { Rule: 'ec2-running-without-owner', Status: 'failed' });
 * stewardMetric('steward/prod', 'Matches'); // the total over all rules
 */
export function stewardMetric(
  namespace: string,
  metricName: MetricName,
  dimensions: Partial<Record<DimensionName, string>> = {},
): MetricReference {
  const given = Object.entries(dimensions).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  const names = given.map(([name]) => name);
  const declared = metricDimensions[metricName].some(
    (set) => set.length === names.length && set.every((name) => names.includes(name)),
  );
  if (!declared) throw new UndeclaredMetricError(metricName, names);
  return { namespace, metricName, dimensions: Object.fromEntries(given) };
}
