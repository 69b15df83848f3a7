import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { LogFileEvaluator } from '../../src/backtest/evaluate-log-file.js';
import { renderHtmlReport } from '../../src/backtest/html.js';
import { LogKeyFilter } from '../../src/backtest/key-filter.js';
import { emptyReport, mergeReports } from '../../src/backtest/merge.js';
import { logFileChunks } from '../../src/backtest/read-log-file.js';
import type { BacktestQuery, BacktestReport } from '../../src/backtest/report.js';
import { backtestReducerHandler, backtestWorkerHandler } from '../../src/backtest/aws/handlers.js';
import type { BatchItem, WorkerEvent } from '../../src/backtest/aws/messages.js';
import { partialsPrefix, runPrefix } from '../../src/backtest/aws/result-keys.js';
import { readRulePack } from '../../src/rules/pack.js';
import type { CompiledRule } from '../../src/rules/rule.js';
import { organization, organizationTree } from '../backtest/run-support.js';
import { region, useMoto } from './harness.js';

let s3: S3Client;
let rules: CompiledRule[];
const trailBucket = `steward-backtest-trail-${randomUUID().slice(0, 8)}`;
const resultsBucket = `steward-backtest-results-${randomUUID().slice(0, 8)}`;
const source = `s3://${trailBucket}/AWSLogs/${organization}/`;
/** A file at a log file's key that is not gzip: unreadable, in both evaluations alike. */
const brokenKey = `AWSLogs/${organization}/111122223333/CloudTrail/us-east-1/2026/10/02/111122223333_CloudTrail_us-east-1_20261002T1200Z_broken.json.gz`;
/** CloudTrail's digest of the same folder: no API calls, skipped without a read. */
const digestKey = `AWSLogs/${organization}/111122223333/CloudTrail-Digest/us-east-1/2026/10/02/111122223333_CloudTrail-Digest_us-east-1_20261002T1200Z.json.gz`;

beforeAll(async () => {
  await useMoto();
  s3 = new S3Client({ region, forcePathStyle: true });
  rules = await readRulePack(process.env.STEWARD_RULE_PACK ?? '');
  await s3.send(new CreateBucketCommand({ Bucket: trailBucket }));
  await s3.send(new CreateBucketCommand({ Bucket: resultsBucket }));
  for (const { key, bytes } of organizationTree(3))
    await s3.send(new PutObjectCommand({ Bucket: trailBucket, Key: key, Body: bytes }));
  await s3.send(
    new PutObjectCommand({ Bucket: trailBucket, Key: brokenKey, Body: '{"Records": [' }),
  );
  await s3.send(
    new PutObjectCommand({
      Bucket: trailBucket,
      Key: digestKey,
      Body: gzipSync(JSON.stringify({ digestStartTime: '2026-10-02T11:00:00Z' })),
    }),
  );
});

/** The prefix's objects as the map's ItemReader lists them and its ItemSelector keeps them. */
async function listedItems(prefix: string): Promise<BatchItem[]> {
  const items: BatchItem[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: trailBucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? [])
      items.push({ Key: object.Key ?? '', Size: object.Size ?? 0 });
    token = page.NextContinuationToken;
  } while (token !== undefined);
  return items;
}

/** The map's batches of `size` items, each with the run's BatchInput. */
function batchesOf(
  items: readonly BatchItem[],
  size: number,
  runId: string,
  query: BacktestQuery,
): WorkerEvent[] {
  const batches: WorkerEvent[] = [];
  for (let start = 0; start < items.length; start += size)
    batches.push({
      Items: items.slice(start, start + size),
      BatchInput: {
        runId,
        bucket: trailBucket,
        query,
        resultsBucket,
        resultsPrefix: runPrefix(runId),
      },
    });
  return batches;
}

/** One LogFileEvaluator over the same S3 objects, one after the other, merged. */
async function localReport(query: BacktestQuery, keys: readonly string[]): Promise<BacktestReport> {
  const evaluator = new LogFileEvaluator({ rules, query });
  let report = emptyReport(query, rules);
  for (const key of keys) {
    const ref = { kind: 's3' as const, bucket: trailBucket, key, bytes: 0 };
    report = mergeReports(
      report,
      await evaluator.evaluate(
        ref,
        logFileChunks(ref, async () => s3),
      ),
    );
  }
  return report;
}

async function objectText(bucket: string, key: string): Promise<string> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await Body?.transformToString('utf8')) ?? '';
}

describe('backtest on AWS: worker and reducer against moto S3', () => {
  it('merges the batches’ partial results into the report a local evaluation of the same files gives', async () => {
    const runId = `run-${randomUUID()}`;
    const query: BacktestQuery = { sources: [source] };
    const items = await listedItems(`AWSLogs/${organization}/`);
    expect(items).toHaveLength(14);
    const worker = backtestWorkerHandler();
    const batches = batchesOf(items, 5, runId, query);
    const summaries = [];
    for (const batch of batches) summaries.push(await worker(batch));
    // A batch the map runs again overwrites its own partial: nothing is counted twice.
    await worker(batches[1]);

    expect(summaries.map((summary) => summary.files + summary.skipped)).toEqual([5, 5, 4]);
    expect(summaries.reduce((sum, summary) => sum + summary.skipped, 0)).toBe(1);
    const partials = await s3.send(
      new ListObjectsV2Command({ Bucket: resultsBucket, Prefix: partialsPrefix(runPrefix(runId)) }),
    );
    expect(partials.KeyCount).toBe(3);

    const reduced = await backtestReducerHandler()({
      runId,
      query,
      resultsBucket,
      resultsPrefix: runPrefix(runId),
    });
    const report = JSON.parse(await objectText(resultsBucket, `runs/${runId}/report.json`));
    const local = await localReport(
      query,
      items.map((item) => item.Key).filter((key) => key !== digestKey),
    );
    expect(report).toEqual(local);
    expect(local.totals).toMatchObject({ files: 12, unreadableFiles: 1, records: 144 });
    expect(local.rules.find((rule) => rule.rule === 'cloudtrail-logging-stopped')?.matches).toBe(
      36,
    );
    expect(await objectText(resultsBucket, `runs/${runId}/report.html`)).toBe(
      renderHtmlReport(local),
    );
    expect(reduced).toMatchObject({
      runId,
      report: `s3://${resultsBucket}/runs/${runId}/report.json`,
      html: `s3://${resultsBucket}/runs/${runId}/report.html`,
      partials: 3,
      failedBatches: 0,
      totals: local.totals,
    });
  });

  it('skips by key the days, accounts and regions a query leaves out, as a local listing does', async () => {
    const runId = `run-${randomUUID()}`;
    const query: BacktestQuery = {
      sources: [source],
      since: '2026-10-02T00:00:00.000Z',
      until: '2026-10-03T00:00:00.000Z',
      accounts: ['444455556666'],
    };
    const items = await listedItems(`AWSLogs/${organization}/`);
    const worker = backtestWorkerHandler();
    const summaries = [];
    for (const batch of batchesOf(items, 4, runId, query)) summaries.push(await worker(batch));
    const filter = new LogKeyFilter(query);
    const admitted = items
      .map((item) => item.Key)
      .filter((key) => key !== digestKey && filter.admitsKey(key));
    // 444455556666's two regions, on 10-02 and the day after (files of late events).
    expect(admitted).toHaveLength(4);
    expect(summaries.reduce((sum, summary) => sum + summary.files, 0)).toBe(4);

    await backtestReducerHandler()({
      runId,
      query,
      resultsBucket,
      resultsPrefix: runPrefix(runId),
    });
    const report = JSON.parse(await objectText(resultsBucket, `runs/${runId}/report.json`));
    expect(report).toEqual(await localReport(query, admitted));
    expect(report.totals.firstEvent >= '2026-10-02').toBe(true);
  });

  it('counts the objects of a batch the map gave up on as unreadable, with its error', async () => {
    const runId = `run-${randomUUID()}`;
    const query: BacktestQuery = { sources: [source] };
    const failedItems = [
      { Key: 'AWSLogs/x/1.json.gz', Size: 1 },
      { Key: 'AWSLogs/x/2.json.gz', Size: 2 },
    ];
    const [failedBatch] = batchesOf(failedItems, 2, runId, query);
    const prefix = `${runPrefix(runId)}map/`;
    await s3.send(
      new PutObjectCommand({
        Bucket: resultsBucket,
        Key: `${prefix}FAILED_0.json`,
        Body: JSON.stringify([
          {
            ExecutionArn: 'arn:aws:states:us-east-1:123456789012:execution:x:1',
            Input: JSON.stringify(failedBatch),
            Error: 'Lambda.TooManyRequestsException',
            Cause: 'Rate exceeded',
            Status: 'FAILED',
          },
        ]),
      }),
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: resultsBucket,
        Key: `${prefix}manifest.json`,
        Body: JSON.stringify({
          DestinationBucket: resultsBucket,
          ResultFiles: { FAILED: [{ Key: `${prefix}FAILED_0.json`, Size: 1 }], SUCCEEDED: [] },
        }),
      }),
    );
    const reduced = await backtestReducerHandler()({
      runId,
      query,
      resultsBucket,
      resultsPrefix: runPrefix(runId),
      map: { ResultWriterDetails: { Bucket: resultsBucket, Key: `${prefix}manifest.json` } },
    });
    expect(reduced).toMatchObject({ partials: 0, failedBatches: 1 });
    const report = JSON.parse(await objectText(resultsBucket, `runs/${runId}/report.json`));
    expect(report.totals).toMatchObject({ files: 0, unreadableFiles: 2 });
    expect(report.errors).toEqual(
      failedItems.map((item) => ({
        where: `s3://${trailBucket}/${item.Key}`,
        message: 'batch failed: Lambda.TooManyRequestsException: Rate exceeded',
      })),
    );
    expect(report.rules).toHaveLength(rules.length);
  });

  it('refuses input that is not a batch, naming the field', async () => {
    await expect(
      backtestWorkerHandler()({ Items: [{ Key: 'a.json.gz' }], BatchInput: {} }),
    ).rejects.toThrow('backtest input Items[0].Size: expected a byte count, got undefined');
    await expect(
      backtestWorkerHandler()({
        Items: [],
        BatchInput: { runId: 'r', bucket: 'b', query: { sources: 'x' } },
      }),
    ).rejects.toThrow(
      'backtest input BatchInput.query.sources: expected an array of strings, got a string',
    );
    await expect(backtestReducerHandler()({ runId: 'r' })).rejects.toThrow(
      'backtest input query: expected an object, got undefined',
    );
  });

  it('names a partial result that cannot be merged', async () => {
    const runId = `run-${randomUUID()}`;
    const key = `${partialsPrefix(runPrefix(runId))}bad.json`;
    await s3.send(new PutObjectCommand({ Bucket: resultsBucket, Key: key, Body: '{"version": 2' }));
    await expect(
      backtestReducerHandler()({
        runId,
        query: { sources: [source] },
        resultsBucket,
        resultsPrefix: runPrefix(runId),
      }),
    ).rejects.toThrow(`backtest input s3://${resultsBucket}/${key}: cannot be read: `);
  });
});
