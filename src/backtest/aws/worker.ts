import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { forEachConcurrently } from '../../concurrency.js';
import type { CompiledRule } from '../../rules/rule.js';
import { classifyCloudTrailKey } from '../../sources/cloudtrail-key.js';
import { LogFileEvaluator } from '../evaluate-log-file.js';
import { LogKeyFilter } from '../key-filter.js';
import type { LogFileRef } from '../log-file-ref.js';
import { logFileChunks } from '../read-log-file.js';
import type { BacktestReport } from '../report.js';
import { parseWorkerEvent, type BatchInput, type BatchItem } from './messages.js';
import { partialKey } from './result-keys.js';

/** What the worker returns to the map for one batch: small, the report itself is in S3. */
export interface BatchSummary {
  runId: string;
  /** `s3://results-bucket/runs/<run>/partials/<digest>.json`. */
  partial: string;
  /** Objects of the batch read, and those skipped by their key (digests, days, accounts, regions not asked for). */
  files: number;
  skipped: number;
  unreadableFiles: number;
  records: number;
  matchedEvents: number;
}

/** What a `BacktestBatchWorker` reads with. */
export interface BacktestBatchWorkerOptions {
  /** The rule pack, asked for once (the function package's `dist/rule-pack.json`). */
  rules: () => Promise<readonly CompiledRule[]>;
  /** The client that reads the trail's objects and writes the partial results. */
  s3: () => Promise<S3Client>;
  /**
   * Objects read at once (default 8): most CloudTrail files are a few KB, and an S3 GET's wait
   * is longer than their evaluation.
   */
  readConcurrency?: number;
}

/**
 * The worker of a backtest on AWS: one batch of the Distributed Map's S3 listing through the
 * same `LogFileEvaluator` a local backtest runs, its files counted in one `EvaluationBatch`
 * into one partial result, written to the results bucket under a key named by the batch's object keys (so a
 * batch run again overwrites its own partial). Objects that are not log files by their key
 * (CloudTrail's digests and Insights files) and those outside the query's days, accounts and
 * regions are skipped without a read, as a local backtest's listing leaves them out.
 *
 * @example
 * const worker = new BacktestBatchWorker({ rules: () => readRulePack(file), s3: () => clients.s3() });
 * const summary = await worker.run(event); // { partial: 's3://…/partials/….json', files: 200, … }
 */
export class BacktestBatchWorker {
  private rules?: Promise<readonly CompiledRule[]>;
  /** The evaluator of the last query: a warm container serves the batches of one run. */
  private evaluator?: { query: string; evaluator: LogFileEvaluator };

  constructor(private readonly options: BacktestBatchWorkerOptions) {}

  /**
   * Evaluates one batch and writes its partial result. Rejects with a `BacktestInputError` for
   * input that is not a batch, a `BacktestQueryError` for a query the rules cannot run, and the
   * S3 error when the partial cannot be written (the state machine retries the batch).
   */
  async run(event: unknown): Promise<BatchSummary> {
    const { Items, BatchInput: batch } = parseWorkerEvent(event);
    const rules = await (this.rules ??= this.options.rules());
    const evaluator = this.evaluatorFor(batch, rules);
    const keys = new LogKeyFilter(batch.query);
    const read = Items.filter((item) => isRead(item, keys));
    const s3 = this.options.s3;
    const files = evaluator.batch();
    await forEachConcurrently(read, this.options.readConcurrency ?? 8, async (item) => {
      const ref: LogFileRef = { kind: 's3', bucket: batch.bucket, key: item.Key, bytes: item.Size };
      await files.add(ref, logFileChunks(ref, s3));
    });
    const report = await files.report();
    const key = partialKey(
      batch.resultsPrefix,
      Items.map((item) => item.Key),
    );
    await writePartial(await s3(), batch.resultsBucket, key, report);
    return {
      runId: batch.runId,
      partial: `s3://${batch.resultsBucket}/${key}`,
      files: read.length,
      skipped: Items.length - read.length,
      unreadableFiles: report.totals.unreadableFiles,
      records: report.totals.records,
      matchedEvents: report.totals.matchedEvents,
    };
  }

  private evaluatorFor(batch: BatchInput, rules: readonly CompiledRule[]): LogFileEvaluator {
    const query = JSON.stringify(batch.query);
    if (this.evaluator?.query !== query)
      this.evaluator = { query, evaluator: new LogFileEvaluator({ rules, query: batch.query }) };
    return this.evaluator.evaluator;
  }
}

/**
 * Whether an object of the listing is read: not a folder marker, not a digest or Insights
 * file, and of a day, account and region the query asks for.
 */
function isRead(item: BatchItem, keys: LogKeyFilter): boolean {
  if (item.Key.endsWith('/')) return false;
  if (classifyCloudTrailKey(item.Key).kind === 'not-events') return false;
  return keys.admitsKey(item.Key);
}

async function writePartial(
  s3: S3Client,
  bucket: string,
  key: string,
  report: BacktestReport,
): Promise<void> {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(report),
      ContentType: 'application/json',
    }),
  );
}
