import {
  PutMetricDataCommand,
  type CloudWatchClient,
  type MetricDatum,
  type StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import { isObject, type JsonObject } from '../../src/json/fields.js';

/**
 * What CloudWatch Logs does with the embedded metric format (EMF) documents a function writes
 * to its log stream, which moto does not do: each line that is a JSON object with
 * `_aws.CloudWatchMetrics` becomes metric data, one datum per metric for each of its
 * directive's dimension sets, the dimension values and the metric values read from the
 * document's own members. Lines of any other kind (log lines) are left alone.
 */

/** The metric data of one directive of one document, for `PutMetricData` in its namespace. */
export interface EmfMetricData {
  namespace: string;
  metricData: MetricDatum[];
}

/** A line held an EMF document CloudWatch would refuse: `where` names the line and member. */
export class EmfDocumentError extends Error {
  constructor(
    readonly where: string,
    problem: string,
  ) {
    super(`EMF document at ${where}: ${problem}`);
    this.name = 'EmfDocumentError';
  }
}

function parsedLine(line: string): JsonObject | undefined {
  if (!line.trimStart().startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function stringArray(value: unknown, where: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
    throw new EmfDocumentError(where, 'expected an array of strings');
  return value as string[];
}

/** The values a metric member holds: one number, or an array of up to 100. */
function metricValues(value: unknown, where: string): number[] {
  const values = Array.isArray(value) ? (value as unknown[]) : [value];
  if (values.length === 0 || values.length > 100)
    throw new EmfDocumentError(where, `expected 1 to 100 values, got ${values.length}`);
  if (values.some((each) => typeof each !== 'number' || !Number.isFinite(each)))
    throw new EmfDocumentError(where, `expected a number or an array of numbers`);
  return values as number[];
}

/** The metric data of one document, by directive. */
function documentData(document: JsonObject, where: string): EmfMetricData[] {
  const aws = document._aws;
  if (!isObject(aws)) throw new EmfDocumentError(`${where} _aws`, 'expected an object');
  const timestamp = aws.Timestamp;
  if (typeof timestamp !== 'number' || !Number.isInteger(timestamp))
    throw new EmfDocumentError(`${where} _aws.Timestamp`, 'expected epoch milliseconds');
  if (!Array.isArray(aws.CloudWatchMetrics))
    throw new EmfDocumentError(`${where} _aws.CloudWatchMetrics`, 'expected an array');
  return aws.CloudWatchMetrics.map((directive: unknown, index) => {
    const at = `${where} _aws.CloudWatchMetrics[${index}]`;
    if (!isObject(directive) || typeof directive.Namespace !== 'string')
      throw new EmfDocumentError(at, 'expected an object with a Namespace');
    if (!Array.isArray(directive.Dimensions) || !Array.isArray(directive.Metrics))
      throw new EmfDocumentError(at, 'expected Dimensions and Metrics arrays');
    const sets = directive.Dimensions.map((set, setIndex) =>
      stringArray(set, `${at}.Dimensions[${setIndex}]`).map((name) => {
        const value = document[name];
        if (typeof value !== 'string')
          throw new EmfDocumentError(`${where} ${name}`, 'a dimension must be a string member');
        return { Name: name, Value: value };
      }),
    );
    const metricData = directive.Metrics.flatMap((metric: unknown, metricIndex) => {
      const metricAt = `${at}.Metrics[${metricIndex}]`;
      if (!isObject(metric) || typeof metric.Name !== 'string')
        throw new EmfDocumentError(metricAt, 'expected an object with a Name');
      const values = metricValues(document[metric.Name], `${where} ${metric.Name}`);
      return sets.map((dimensions): MetricDatum => ({
        MetricName: metric.Name as string,
        Dimensions: dimensions,
        Timestamp: new Date(timestamp),
        Values: values,
        ...(typeof metric.Unit === 'string' ? { Unit: metric.Unit as StandardUnit } : {}),
      }));
    });
    return { namespace: directive.Namespace, metricData };
  });
}

/**
 * The metric data CloudWatch would extract from `logText` (a function's stdout, one entry a
 * line). A line that is an EMF document CloudWatch would refuse throws `EmfDocumentError`
 * naming the line and the member, rather than publishing nothing as CloudWatch would.
 *
 * @example
 * const [first] = emfMetricData(stdout); // { namespace: 'steward/prod', metricData: [...] }
 */
export function emfMetricData(logText: string): EmfMetricData[] {
  return logText.split('\n').flatMap((line, index) => {
    const document = parsedLine(line);
    if (document === undefined || !('_aws' in document)) return [];
    return documentData(document, `line ${index + 1}`);
  });
}

/** PutMetricData takes at most 1,000 data a call. */
const dataPerCall = 1_000;

/**
 * Publishes what `emfMetricData` extracts from `logText` with `PutMetricData`, as CloudWatch
 * Logs would for a function's log stream; returns how many data were put.
 *
 * @example
 * await publishEmf(new CloudWatchClient({ region }), stdout);
 */
export async function publishEmf(cloudWatch: CloudWatchClient, logText: string): Promise<number> {
  let put = 0;
  for (const { namespace, metricData } of emfMetricData(logText))
    for (let first = 0; first < metricData.length; first += dataPerCall) {
      const batch = metricData.slice(first, first + dataPerCall);
      await cloudWatch.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: batch }));
      put += batch.length;
    }
  return put;
}
