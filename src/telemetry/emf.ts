/**
 * CloudWatch embedded metric format: the JSON documents a function writes to its log, which
 * CloudWatch turns into metrics without an API call. One document per distinct set of
 * dimension values, with the dimension sets `metricDimensions` gives each metric, so an
 * invocation's metrics are a handful of lines however many events it had.
 */
import { StewardError } from '../errors.js';
import { metricDimensions, metrics, type DimensionName, type MetricName } from './names.js';

/** What CloudWatch takes in one metric value array (the format's limit). */
export const maxValuesPerMetric = 100;

/** The dimension values a metric was seen with: exactly the dimensions its sets name. */
export type DimensionValues = Partial<Record<DimensionName, string>>;

/**
 * A metric over one invocation with its dimension values, and its value or values. Entries of
 * one metric and dimension values are merged: a count (unit `Count`) is summed, any other
 * metric's values are samples, kept each.
 */
export interface MetricEntry {
  metric: MetricName;
  dimensions: DimensionValues;
  value: number | readonly number[];
}

/** One metric directive of a document: a namespace, its dimension sets, and the metrics they apply to. */
export interface MetricDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: MetricName; Unit: string }[];
}

/** One embedded-metric-format document: `_aws` metadata, then dimension values and metric values at its root. */
export interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: MetricDirective[] };
  [member: string]: unknown;
}

/**
 * An entry that cannot be written as the format requires: a dimension missing, one its metric
 * does not have, or a value CloudWatch refuses.
 *
 * @example
 * throw new MetricEntryError('Actions', 'dimension Status is missing');
 */
export class MetricEntryError extends StewardError {
  constructor(
    readonly metric: string,
    reason: string,
  ) {
    super(`metric ${metric}: ${reason}`);
    this.name = 'MetricEntryError';
  }
}

/**
 * The dimension names a metric's entries must give values for: every dimension any of its sets
 * names, in a stable order.
 *
 * @example
 * dimensionsOf('Actions'); // ['Rule', 'Status']
 */
export function dimensionsOf(metric: MetricName): DimensionName[] {
  return [...new Set(metricDimensions[metric].flat())];
}

/**
 * The documents that write these entries, stamped `timestamp` (epoch milliseconds): entries of
 * one metric and dimension values merged, one document per distinct set of dimension values
 * (with one directive per distinct list of dimension sets in it), and a document more for each
 * further 100 samples of a metric. Throws `MetricEntryError` for an entry whose dimensions are
 * not exactly its metric's, or whose value is not a finite number.
 *
 * @example
 * emfDocuments('steward/prod', [
 *   { metric: 'Actions', dimensions: { Rule: 'ec2-open-ssh', Status: 'failed' }, value: 2 },
 * ], Date.now());
 * // [{ _aws: { …, CloudWatchMetrics: [{ Namespace: 'steward/prod', Dimensions: [['Rule', 'Status'], ['Status']], … }] },
 * //    Rule: 'ec2-open-ssh', Status: 'failed', Actions: 2 }]
 */
export function emfDocuments(
  namespace: string,
  entries: Iterable<MetricEntry>,
  timestamp: number,
): EmfDocument[] {
  const groups = new Map<string, DocumentGroup>();
  for (const entry of entries) {
    const values = dimensionValuesOf(entry);
    const key = JSON.stringify(values);
    let group = groups.get(key);
    if (group === undefined) {
      group = { dimensions: Object.fromEntries(values), counts: new Map(), samples: new Map() };
      groups.set(key, group);
    }
    addValue(group, entry);
  }
  const documents: EmfDocument[] = [];
  for (const group of groups.values()) documents.push(...documentsOf(namespace, group, timestamp));
  return documents;
}

/** The entries of one set of dimension values, merged. */
interface DocumentGroup {
  dimensions: Record<string, string>;
  counts: Map<MetricName, number>;
  samples: Map<MetricName, number[]>;
}

/** The entry's dimension values in its metric's order, checked against the metric's sets. */
function dimensionValuesOf(entry: MetricEntry): [DimensionName, string][] {
  const names = dimensionsOf(entry.metric);
  for (const given of Object.keys(entry.dimensions))
    if (!names.includes(given as DimensionName))
      throw new MetricEntryError(entry.metric, `it has no dimension ${given}`);
  return names.map((name) => {
    const value = entry.dimensions[name];
    if (value === undefined || value === '')
      throw new MetricEntryError(entry.metric, `dimension ${name} is missing`);
    return [name, value];
  });
}

function addValue(group: DocumentGroup, { metric, value }: MetricEntry): void {
  const values = typeof value === 'number' ? [value] : value;
  for (const one of values)
    if (!Number.isFinite(one))
      throw new MetricEntryError(metric, `${String(one)} is not a finite number`);
  if (metrics[metric] === 'Count') {
    group.counts.set(
      metric,
      values.reduce((sum, one) => sum + one, group.counts.get(metric) ?? 0),
    );
    return;
  }
  const samples = group.samples.get(metric);
  if (samples === undefined) group.samples.set(metric, [...values]);
  else samples.push(...values);
}

/** One group's documents: the first carries every count, each carries up to 100 samples of each metric. */
function documentsOf(namespace: string, group: DocumentGroup, timestamp: number): EmfDocument[] {
  const documents: EmfDocument[] = [];
  const rounds = Math.max(
    group.counts.size > 0 ? 1 : 0,
    ...[...group.samples.values()].map((samples) => Math.ceil(samples.length / maxValuesPerMetric)),
  );
  for (let round = 0; round < rounds; round++) {
    const values: [MetricName, number | number[]][] =
      round === 0 ? [...group.counts.entries()] : [];
    for (const [metric, samples] of group.samples) {
      const part = samples.slice(round * maxValuesPerMetric, (round + 1) * maxValuesPerMetric);
      if (part.length > 0) values.push([metric, part.length === 1 ? (part[0] as number) : part]);
    }
    if (values.length === 0) continue;
    documents.push({
      _aws: {
        Timestamp: timestamp,
        CloudWatchMetrics: directivesOf(
          namespace,
          values.map(([metric]) => metric),
        ),
      },
      ...group.dimensions,
      ...Object.fromEntries(values),
    });
  }
  return documents;
}

/** One directive per distinct list of dimension sets among the metrics. */
function directivesOf(namespace: string, names: readonly MetricName[]): MetricDirective[] {
  const directives = new Map<string, MetricDirective>();
  for (const name of names) {
    const sets = metricDimensions[name].map((set) => [...set]);
    const key = JSON.stringify(sets);
    let directive = directives.get(key);
    if (directive === undefined) {
      directive = { Namespace: namespace, Dimensions: sets, Metrics: [] };
      directives.set(key, directive);
    }
    directive.Metrics.push({ Name: name, Unit: metrics[name] });
  }
  return [...directives.values()];
}
