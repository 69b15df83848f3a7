import { arrayAt, describeValue, isObject, stringAt, type JsonObject } from '../../json/fields.js';
import type { BacktestQuery } from '../report.js';
import { BacktestInputError } from './errors.js';

/**
 * What the state machine is started with: the trail's bucket and prefix its Distributed Map
 * lists, the query, and where this run's results go in the results bucket.
 *
 * @example
 * const input: BacktestRunInput = { runId, bucket: 'trail', prefix: 'AWSLogs/', query, resultsPrefix: `runs/${runId}/`, maxConcurrency: 1000 };
 */
export interface BacktestRunInput {
  runId: string;
  bucket: string;
  prefix: string;
  query: BacktestQuery;
  resultsPrefix: string;
  /** The Distributed Map's MaxConcurrency; the state machine's default (100) when absent. */
  maxConcurrency?: number;
}

/** What every batch of the map carries besides its items (the map's `ItemBatcher.BatchInput`). */
export interface BatchInput {
  runId: string;
  bucket: string;
  query: BacktestQuery;
  resultsBucket: string;
  resultsPrefix: string;
}

/** One S3 object of a batch, as the map's `ItemSelector` keeps it from the listing. */
export interface BatchItem {
  Key: string;
  Size: number;
}

/** The worker function's input: one batch of the map. */
export interface WorkerEvent {
  Items: BatchItem[];
  BatchInput: BatchInput;
}

/** Where the map run wrote its own results (`ResultWriter`): a manifest of its result files. */
export interface MapRunOutput {
  MapRunArn?: string;
  ResultWriterDetails?: { Bucket: string; Key: string };
}

/** The reducer function's input: the run, and what the map said of itself. */
export interface ReducerEvent {
  runId: string;
  query: BacktestQuery;
  resultsBucket: string;
  resultsPrefix: string;
  map?: MapRunOutput;
}

/**
 * The worker's input, checked: every field the worker reads, with the right type.
 *
 * @example
 * const { Items, BatchInput } = parseWorkerEvent(event); // or a BacktestInputError naming the field
 */
export function parseWorkerEvent(value: unknown): WorkerEvent {
  const event = objectOf(value, 'event');
  const items = arrayAt(event, 'Items');
  if (items === undefined)
    throw new BacktestInputError('Items', `expected an array, got ${describeValue(event.Items)}`);
  return {
    Items: items.map((item, index) => parseItem(item, `Items[${index}]`)),
    BatchInput: parseBatchInput(event.BatchInput),
  };
}

/**
 * The reducer's input, checked.
 *
 * @example
 * const { runId, resultsBucket, resultsPrefix } = parseReducerEvent(event);
 */
export function parseReducerEvent(value: unknown): ReducerEvent {
  const event = objectOf(value, 'event');
  const parsed: ReducerEvent = {
    runId: text(event, 'runId', ''),
    query: parseQuery(event.query, 'query'),
    resultsBucket: text(event, 'resultsBucket', ''),
    resultsPrefix: text(event, 'resultsPrefix', ''),
  };
  if (event.map === undefined || event.map === null) return parsed;
  const map = objectOf(event.map, 'map');
  const details = map.ResultWriterDetails;
  return {
    ...parsed,
    map: {
      ...(stringAt(map, 'MapRunArn') === undefined
        ? {}
        : { MapRunArn: text(map, 'MapRunArn', 'map.') }),
      ...(details === undefined
        ? {}
        : {
            ResultWriterDetails: {
              Bucket: text(
                objectOf(details, 'map.ResultWriterDetails'),
                'Bucket',
                'map.ResultWriterDetails.',
              ),
              Key: text(
                objectOf(details, 'map.ResultWriterDetails'),
                'Key',
                'map.ResultWriterDetails.',
              ),
            },
          }),
    },
  };
}

/**
 * A backtest query as JSON gave it, checked field by field.
 *
 * @example
 * parseQuery({ sources: ['s3://trail/AWSLogs/'], since: '2026-10-01' }, 'BatchInput.query');
 */
export function parseQuery(value: unknown, where: string): BacktestQuery {
  const query = objectOf(value, where);
  const sources = strings(query, 'sources', where);
  if (sources === undefined)
    throw new BacktestInputError(`${where}.sources`, 'expected an array of strings, got undefined');
  const parsed: BacktestQuery = { sources };
  for (const name of ['since', 'until', 'facts'] as const) {
    if (query[name] === undefined) continue;
    parsed[name] = text(query, name, `${where}.`);
  }
  for (const name of ['accounts', 'regions', 'ruleIds'] as const) {
    const list = strings(query, name, where);
    if (list !== undefined) parsed[name] = list;
  }
  return parsed;
}

function parseBatchInput(value: unknown): BatchInput {
  const input = objectOf(value, 'BatchInput');
  return {
    runId: text(input, 'runId', 'BatchInput.'),
    bucket: text(input, 'bucket', 'BatchInput.'),
    query: parseQuery(input.query, 'BatchInput.query'),
    resultsBucket: text(input, 'resultsBucket', 'BatchInput.'),
    resultsPrefix: text(input, 'resultsPrefix', 'BatchInput.'),
  };
}

function parseItem(value: unknown, where: string): BatchItem {
  const item = objectOf(value, where);
  const size = item.Size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw new BacktestInputError(
      `${where}.Size`,
      `expected a byte count, got ${describeValue(size)}`,
    );
  return { Key: text(item, 'Key', `${where}.`), Size: size };
}

function objectOf(value: unknown, where: string): JsonObject {
  if (!isObject(value))
    throw new BacktestInputError(where, `expected an object, got ${describeValue(value)}`);
  return value;
}

function text(object: JsonObject, key: string, prefix: string): string {
  const value = stringAt(object, key);
  if (value === undefined)
    throw new BacktestInputError(
      `${prefix}${key}`,
      `expected a non-empty string, got ${describeValue(object[key])}`,
    );
  return value;
}

function strings(object: JsonObject, key: string, where: string): string[] | undefined {
  const value = object[key];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== 'string'))
    throw new BacktestInputError(
      `${where}.${key}`,
      `expected an array of strings, got ${describeValue(value)}`,
    );
  return value as string[];
}
