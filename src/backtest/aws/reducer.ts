import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { messageOf } from '../../errors.js';
import { arrayAt, isObject, objectAt, stringAt } from '../../json/fields.js';
import type { CompiledRule } from '../../rules/rule.js';
import { renderHtmlReport } from '../html.js';
import { mergeErrors } from '../kept-errors.js';
import { emptyReport, mergeReports } from '../merge.js';
import type { BacktestReport, BacktestTotals } from '../report.js';
import { BacktestInputError } from './errors.js';
import { parseReducerEvent, parseWorkerEvent, type ReducerEvent } from './messages.js';
import { partialsPrefix, reportKeys } from './result-keys.js';

/** What the reducer returns to the state machine: where the report is, and its totals. */
export interface ReducedRun {
  runId: string;
  /** `s3://results-bucket/runs/<run>/report.json` and `.html`. */
  report: string;
  html: string;
  partials: number;
  /** Batches the map gave up on (their objects are counted as unreadable files). */
  failedBatches: number;
  totals: BacktestTotals;
  /** Matches per rule, in the pack's order. */
  matches: Record<string, number>;
}

/** What a `BacktestReducer` reads with. */
export interface BacktestReducerOptions {
  /** The rule pack: the report lists every rule the query covers, fired or not. */
  rules: () => Promise<readonly CompiledRule[]>;
  s3: () => Promise<S3Client>;
}

/**
 * The reducer of a backtest on AWS: lists a run's partial results and merges them as they are
 * read (one partial in memory at a time besides the total), adds the batches the map run gave
 * up on as unreadable files, and writes the run's `report.json` and `report.html` (the same
 * JSON and page a local backtest writes) next to them.
 *
 * @example
 * const reducer = new BacktestReducer({ rules: () => readRulePack(file), s3: () => clients.s3() });
 * const { report } = await reducer.run(event); // 's3://…/runs/<run>/report.json'
 */
export class BacktestReducer {
  constructor(private readonly options: BacktestReducerOptions) {}

  /**
   * Merges the run's partials and writes its report. Rejects with a `BacktestInputError` for
   * input that is not a run, or naming the partial that cannot be read or merged.
   */
  async run(event: unknown): Promise<ReducedRun> {
    const run = parseReducerEvent(event);
    const s3 = await this.options.s3();
    let report = emptyReport(run.query, await this.options.rules());
    let partials = 0;
    for await (const key of listKeys(s3, run.resultsBucket, partialsPrefix(run.resultsPrefix))) {
      report = merged(
        report,
        await readJson(s3, run.resultsBucket, key),
        `s3://${run.resultsBucket}/${key}`,
      );
      partials += 1;
    }
    let failedBatches = 0;
    for await (const failure of failedBatchReports(s3, run, report)) {
      report = mergeReports(report, failure);
      failedBatches += 1;
    }
    const keys = reportKeys(run.resultsPrefix);
    await put(
      s3,
      run.resultsBucket,
      keys.json,
      JSON.stringify(report, null, 2),
      'application/json',
    );
    await put(
      s3,
      run.resultsBucket,
      keys.html,
      renderHtmlReport(report),
      'text/html; charset=utf-8',
    );
    return {
      runId: run.runId,
      report: `s3://${run.resultsBucket}/${keys.json}`,
      html: `s3://${run.resultsBucket}/${keys.html}`,
      partials,
      failedBatches,
      totals: report.totals,
      matches: Object.fromEntries(report.rules.map((rule) => [rule.rule, rule.matches])),
    };
  }
}

function merged(total: BacktestReport, partial: unknown, where: string): BacktestReport {
  try {
    return mergeReports(total, partial as BacktestReport);
  } catch (cause) {
    throw new BacktestInputError(where, `cannot be merged: ${messageOf(cause)}`, { cause });
  }
}

/**
 * The batches the map run gave up on, from its `ResultWriter` manifest: each as a report of
 * its objects as unreadable files, with the batch's error. None when the map wrote no manifest.
 */
async function* failedBatchReports(
  s3: S3Client,
  run: ReducerEvent,
  like: BacktestReport,
): AsyncGenerator<BacktestReport> {
  const details = run.map?.ResultWriterDetails;
  if (details === undefined) return;
  const manifest = await readJson(s3, details.Bucket, details.Key);
  const failed =
    arrayAt(objectAt(isObject(manifest) ? manifest : undefined, 'ResultFiles'), 'FAILED') ?? [];
  for (const file of failed) {
    const key = isObject(file) ? stringAt(file, 'Key') : undefined;
    if (key === undefined) continue;
    const executions = await readJson(s3, details.Bucket, key);
    for (const execution of Array.isArray(executions) ? executions : [])
      yield failedBatchReport(execution, like);
  }
}

function failedBatchReport(execution: unknown, like: BacktestReport): BacktestReport {
  const record = isObject(execution) ? execution : {};
  const reason = [stringAt(record, 'Error'), stringAt(record, 'Cause')]
    .filter((part) => part !== undefined)
    .join(': ');
  const message = `batch failed: ${reason || 'no error given'}`;
  let where: string[];
  try {
    const { Items, BatchInput } = parseWorkerEvent(JSON.parse(stringAt(record, 'Input') ?? ''));
    where = Items.map((item) => `s3://${BatchInput.bucket}/${item.Key}`);
  } catch {
    where = [stringAt(record, 'ExecutionArn') ?? 'a batch of the map run'];
  }
  const empty = emptyReport(
    like.query,
    like.rules.map((rule) => ({ id: rule.rule, mode: rule.mode })),
  );
  return {
    ...empty,
    totals: { ...empty.totals, unreadableFiles: where.length },
    ...mergeErrors(
      where.map((name) => ({ where: name, message })),
      0,
      [],
      0,
    ),
  };
}

async function* listKeys(s3: S3Client, bucket: string, prefix: string): AsyncGenerator<string> {
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) if (object.Key !== undefined) yield object.Key;
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token !== undefined);
}

async function readJson(s3: S3Client, bucket: string, key: string): Promise<unknown> {
  const where = `s3://${bucket}/${key}`;
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (Body === undefined) throw new Error('the object has no body');
    return JSON.parse(await Body.transformToString('utf8'));
  } catch (cause) {
    throw new BacktestInputError(where, `cannot be read: ${messageOf(cause)}`, { cause });
  }
}

async function put(
  s3: S3Client,
  bucket: string,
  key: string,
  body: string,
  contentType: string,
): Promise<void> {
  await s3.send(
    new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
  );
}
