import { metrics, type MetricName } from './names.js';
import type { DimensionValues, MetricEntry } from './emf.js';

/**
 * An invocation's metrics as they are counted: one running count, or one list of samples, per
 * metric and dimension values, so memory grows with the distinct dimension values (rules,
 * statuses, sources), never with the events.
 *
 * @example
 * const tally = new MetricTally();
 * tally.add('Matches', { Rule: 'ec2-open-ssh' });
 * emfDocuments('steward/prod', tally.entries(), Date.now());
 */
export class MetricTally {
  private readonly tallied = new Map<string, Tallied>();

  /** Adds `value` to a count (1 by default), or one sample to a metric of another unit. */
  add(metric: MetricName, dimensions: DimensionValues, value = 1): void {
    const key = keyOf(metric, dimensions);
    let tallied = this.tallied.get(key);
    if (tallied === undefined) {
      tallied = { metric, dimensions, count: 0, samples: [] };
      this.tallied.set(key, tallied);
    }
    if (metrics[metric] === 'Count') tallied.count += value;
    else tallied.samples.push(value);
  }

  /** What was tallied: a count's entry once, a sampled metric's with all its samples. */
  entries(): MetricEntry[] {
    return [...this.tallied.values()].map(({ metric, dimensions, count, samples }) => ({
      metric,
      dimensions,
      value: metrics[metric] === 'Count' ? count : samples,
    }));
  }

  /** A count's sum (a sampled metric's number of samples) over its dimension values `where` keeps. */
  total(metric: MetricName, where: (dimensions: DimensionValues) => boolean = () => true): number {
    let sum = 0;
    for (const tallied of this.tallied.values())
      if (tallied.metric === metric && where(tallied.dimensions))
        sum += metrics[metric] === 'Count' ? tallied.count : tallied.samples.length;
    return sum;
  }
}

interface Tallied {
  metric: MetricName;
  dimensions: DimensionValues;
  count: number;
  samples: number[];
}

/** A key that tells metric and dimension values apart (a NUL never occurs in either). */
function keyOf(metric: MetricName, dimensions: DimensionValues): string {
  let key = metric;
  for (const [name, value] of Object.entries(dimensions)) key += `\u0000${name}\u0000${value}`;
  return key;
}
