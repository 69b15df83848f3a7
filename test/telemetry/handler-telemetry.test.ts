import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CloudTrailClient,
  CreateTrailCommand,
  GetTrailStatusCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchIncompleteError, lambdaHandler } from '../../src/lambda.js';
import type { PipelineReport } from '../../src/pipeline.js';
import {
  metricDimensions,
  metrics,
  type DimensionName,
  type MetricName,
} from '../../src/telemetry/names.js';
import { makeAwslogsEvent, makeDataMessage } from '../fixtures/sources/make-awslogs.js';
import { repoPath, rulePackFileOf } from '../support/files.js';
import { startMoto, type MotoServer } from '../support/moto.js';

const account = '123456789012';
const region = 'us-east-1';
const logGroup = `aws-cloudtrail-logs-${account}`;
const namespace = 'steward/test';
const at = Date.UTC(2026, 11, 1, 6, 0, 0);

function contextOf(requestId: string): Context {
  return {
    awsRequestId: requestId,
    functionName: 'steward-test-cloudwatchLogs',
    functionVersion: '$LATEST',
    memoryLimitInMB: '512',
    invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:steward-test-cloudwatchLogs`,
  } as Context;
}

/** A StopLogging record of CloudTrail's own log group, on the named trail. */
function stopLogging(eventId: string, trail: string): Record<string, unknown> {
  return {
    eventVersion: '1.10',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAEXAMPLEMALLORY001',
      arn: `arn:aws:iam::${account}:user/mallory`,
      accountId: account,
    },
    eventTime: '2026-12-01T05:59:00Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: region,
    sourceIPAddress: '198.51.100.77',
    requestParameters: { name: trail },
    responseElements: null,
    eventID: eventId,
    readOnly: false,
    eventType: 'AwsApiCall',
    recipientAccountId: account,
  };
}

function batchOf(...records: Record<string, unknown>[]) {
  return makeAwslogsEvent(
    makeDataMessage(
      logGroup,
      records.map((record, index) => ({
        id: `3${String(index).padStart(55, '0')}`,
        timestamp: at,
        message: JSON.stringify(record),
      })),
    ),
  );
}

/** One invocation's lines: Powertools' log lines and the metric documents, parsed. */
interface Written {
  logs: Record<string, unknown>[];
  documents: Record<string, unknown>[];
}

/** A handler of its own, whose telemetry reads `env` and writes to the lines returned. */
function handlerWith(env: NodeJS.ProcessEnv) {
  const lines: string[] = [];
  const handler = lambdaHandler('cloudwatchLogs', {
    telemetry: { env, sink: (line) => lines.push(line), now: () => at },
  });
  return {
    handler,
    /** The lines written since the last call, every one a JSON document. */
    written(): Written {
      const parsed = lines.splice(0).map((line) => JSON.parse(line) as Record<string, unknown>);
      return {
        logs: parsed.filter((line) => !('_aws' in line)),
        documents: parsed.filter((line) => '_aws' in line),
      };
    },
  };
}

/**
 * The rules of the embedded metric format, as CloudWatch applies them: every dimension a set
 * names and every metric a directive names is a member of the document, a dimension value a
 * non-empty string, a metric value a number or at most 100 numbers; at most 30 dimensions a
 * set, 100 metrics a directive.
 */
function checkEmf(document: Record<string, unknown>): void {
  const aws = document._aws as { Timestamp: unknown; CloudWatchMetrics: unknown };
  expect(typeof aws.Timestamp).toBe('number');
  expect(Array.isArray(aws.CloudWatchMetrics)).toBe(true);
  for (const directive of aws.CloudWatchMetrics as Record<string, unknown>[]) {
    expect(typeof directive.Namespace).toBe('string');
    const sets = directive.Dimensions as string[][];
    for (const set of sets) {
      expect(set.length).toBeLessThanOrEqual(30);
      for (const name of set) {
        expect(typeof document[name], `dimension ${name}`).toBe('string');
        expect(document[name]).not.toBe('');
      }
    }
    const listed = directive.Metrics as { Name: string; Unit: string }[];
    expect(listed.length).toBeLessThanOrEqual(100);
    for (const { Name, Unit } of listed) {
      expect(Unit).toBe(metrics[Name as MetricName]);
      expect(sets).toEqual(metricDimensions[Name as MetricName]);
      const value = document[Name];
      if (Array.isArray(value)) {
        expect(value.length).toBeLessThanOrEqual(100);
        for (const one of value) expect(typeof one).toBe('number');
      } else expect(typeof value, `metric ${Name}`).toBe('number');
    }
  }
}

/** The documents' values of a metric, keyed by their dimension values. */
function valuesOf(documents: Record<string, unknown>[], metric: MetricName) {
  const names = [...new Set(metricDimensions[metric].flat())];
  return Object.fromEntries(
    documents
      .filter((document) => metric in document)
      .map((document) => [names.map((name) => document[name]).join('/'), document[metric]]),
  );
}

const dimensionNames: readonly DimensionName[] = ['Function', 'Source', 'Rule', 'Status', 'Action'];

/** A document's dimension values, `Rule=r,Status=failed`. */
function dimensionValuesOf(document: Record<string, unknown>): string {
  return dimensionNames
    .filter((name) => name in document)
    .map((name) => `${name}=${String(document[name])}`)
    .join(',');
}

let moto: MotoServer;
const saved = { ...process.env };
const cloudTrail = () => new CloudTrailClient({ region });

beforeAll(async () => {
  moto = await startMoto();
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: region,
    // Only the actions' services go to moto: the ledger stays the embedded dynalite.
    AWS_ENDPOINT_URL_CLOUDTRAIL: moto.endpoint,
    AWS_ENDPOINT_URL_S3: moto.endpoint,
    STEWARD_LIVE: 'true',
    STEWARD_DATA_DIR: await mkdtemp(join(tmpdir(), 'steward-telemetry-')),
    STEWARD_RULE_PACK: await rulePackFileOf(repoPath('test/fixtures/telemetry/rules')),
    STEWARD_CLOUDTRAIL_LOG_GROUPS: logGroup,
  });
  await new S3Client({ region, forcePathStyle: true }).send(
    new CreateBucketCommand({ Bucket: 'trail-logs' }),
  );
  for (const trail of ['management', 'data-events']) {
    await cloudTrail().send(new CreateTrailCommand({ Name: trail, S3BucketName: 'trail-logs' }));
    await cloudTrail().send(new StopLoggingCommand({ Name: trail }));
  }
}, 120_000);

afterAll(async () => {
  for (const name of Object.keys(process.env))
    if (!(name in saved)) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, saved);
  await moto?.stop();
});

describe('a function’s logs and metrics', () => {
  it('tell each action outcome and error with its event, and count the invocation in EMF', async () => {
    const { handler, written } = handlerWith({ STEWARD_METRICS_NAMESPACE: namespace });
    const first = stopLogging('11111111-aaaa-4000-8000-000000000001', 'management');
    await handler(batchOf(first), contextOf('request-1'));
    written();

    const report = (await handler(
      batchOf(
        first,
        stopLogging('11111111-aaaa-4000-8000-000000000002', 'data-events'),
        stopLogging('11111111-aaaa-4000-8000-000000000003', 'no-such-trail'),
      ),
      contextOf('request-2'),
    )) as PipelineReport;
    expect(
      (await cloudTrail().send(new GetTrailStatusCommand({ Name: 'data-events' }))).IsLogging,
    ).toBe(true);
    const keys = Object.fromEntries(
      report.events.map((event) => [event.id.slice(-1), event.matches[0]?.actions[0]?.key]),
    );
    const { logs, documents } = written();

    const powertools = {
      service: 'steward',
      function: 'cloudwatchLogs',
      function_request_id: 'request-2',
      function_name: 'steward-test-cloudwatchLogs',
      function_arn: `arn:aws:lambda:${region}:${account}:function:steward-test-cloudwatchLogs`,
      function_memory_size: '512',
      sampling_rate: 0,
      cold_start: false,
      timestamp: expect.any(String),
    };
    const outcome = (id: string, trail: string) => ({
      message: 'action outcome',
      eventId: `11111111-aaaa-4000-8000-00000000000${id}`,
      source: 'cloudtrail',
      eventName: 'StopLogging',
      account,
      region,
      rule: 'trail-restarted',
      action: 'cloudtrail.start-logging',
      resource: trail,
      mode: 'enforce',
      ledgerKey: keys[id],
      latencyMs: expect.any(Number),
    });
    const outcomes = logs.filter((line) => line.message === 'action outcome');
    expect(outcomes.sort((a, b) => String(a.eventId).localeCompare(String(b.eventId)))).toEqual([
      {
        ...powertools,
        ...outcome('1', 'management'),
        level: 'INFO',
        status: 'duplicate',
        detail: 'started logging on trail management',
      },
      {
        ...powertools,
        ...outcome('2', 'data-events'),
        level: 'INFO',
        status: 'succeeded',
        detail: 'started logging on trail data-events',
      },
      {
        ...powertools,
        ...outcome('3', 'no-such-trail'),
        level: 'WARN',
        status: 'failed',
        detail: expect.stringContaining('TrailNotFoundException'),
      },
    ]);
    expect(logs.filter((line) => line.message === 'steward error')).toEqual([
      {
        ...powertools,
        level: 'ERROR',
        message: 'steward error',
        kind: 'action',
        where:
          'event 11111111-aaaa-4000-8000-000000000003, rule trail-restarted, action cloudtrail.start-logging on no-such-trail',
        error: expect.stringContaining('TrailNotFoundException'),
        eventId: '11111111-aaaa-4000-8000-000000000003',
        rule: 'trail-restarted',
        action: 'cloudtrail.start-logging',
        resource: 'no-such-trail',
      },
    ]);
    const summary = logs.filter((line) => line.message === 'invocation summary');
    expect(summary).toEqual([
      {
        ...powertools,
        level: 'INFO',
        message: 'invocation summary',
        events: 3,
        matches: 3,
        actions: { succeeded: 1, failed: 1, duplicate: 1 },
        decodeErrors: 0,
        evaluationErrors: 0,
        errors: 1,
        ledgerCalls: expect.any(Number),
        durationMs: expect.any(Number),
      },
    ]);
    expect(summary[0]?.ledgerCalls).toBeGreaterThan(0);
    expect(logs.map((line) => line.message)).not.toContain('invocation report');
    expect(logs).toHaveLength(5);

    for (const document of documents) checkEmf(document);
    expect(
      new Set(
        documents.flatMap((document) =>
          (document._aws as { CloudWatchMetrics: { Namespace: string }[] }).CloudWatchMetrics.map(
            (directive) => directive.Namespace,
          ),
        ),
      ),
    ).toEqual(new Set([namespace]));
    expect(
      documents.every((document) => (document._aws as { Timestamp: number }).Timestamp === at),
    ).toBe(true);
    expect(valuesOf(documents, 'EventsReceived')).toEqual({ 'cloudwatchLogs/cloudtrail': 3 });
    expect(valuesOf(documents, 'Matches')).toEqual({ 'trail-restarted': 3 });
    expect(valuesOf(documents, 'Actions')).toEqual({
      'trail-restarted/duplicate': 1,
      'trail-restarted/succeeded': 1,
      'trail-restarted/failed': 1,
    });
    expect(valuesOf(documents, 'DecodeErrors')).toEqual({ cloudwatchLogs: 0 });
    expect(valuesOf(documents, 'EvaluationErrors')).toEqual({ cloudwatchLogs: 0 });
    const actionLatency = valuesOf(documents, 'ActionLatency')['cloudtrail.start-logging'];
    expect(actionLatency).toHaveLength(3);
    const ledgerLatency = valuesOf(documents, 'LedgerLatency').cloudwatchLogs;
    expect(ledgerLatency).toHaveLength(summary[0]?.ledgerCalls as number);
    // One document per distinct set of dimension values, never one per event.
    expect(documents.map(dimensionValuesOf).sort()).toEqual([
      'Action=cloudtrail.start-logging',
      'Function=cloudwatchLogs',
      'Function=cloudwatchLogs,Source=cloudtrail',
      'Rule=trail-restarted',
      'Rule=trail-restarted,Status=duplicate',
      'Rule=trail-restarted,Status=failed',
      'Rule=trail-restarted,Status=succeeded',
    ]);
  });

  it('write the full report at DEBUG only', async () => {
    const { handler, written } = handlerWith({ POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    const report = await handler(
      batchOf(stopLogging('11111111-aaaa-4000-8000-000000000004', 'management')),
      contextOf('request-debug'),
    );
    const { logs } = written();
    const reports = logs.filter((line) => line.message === 'invocation report');
    expect(reports).toEqual([
      expect.objectContaining({
        level: 'DEBUG',
        function: 'cloudwatchLogs',
        function_request_id: 'request-debug',
        report: JSON.parse(JSON.stringify(report)) as unknown,
      }),
    ]);
  });

  it('log DEBUG for a sampled invocation at level INFO', async () => {
    const { handler, written } = handlerWith({ POWERTOOLS_LOGGER_SAMPLE_RATE: '1' });
    await handler(
      batchOf(stopLogging('11111111-aaaa-4000-8000-000000000005', 'management')),
      contextOf('request-sampled'),
    );
    const { logs } = written();
    expect(logs.filter((line) => line.level === 'DEBUG').map((line) => line.message)).toEqual([
      'Setting log level to DEBUG due to sampling rate',
      'invocation report',
    ]);
    expect(logs.find((line) => line.message === 'invocation report')).toMatchObject({
      sampling_rate: 1,
      function_request_id: 'request-sampled',
    });
  });

  it('write no metrics without a namespace, and the log lines still', async () => {
    const { handler, written } = handlerWith({});
    await handler(
      batchOf(stopLogging('11111111-aaaa-4000-8000-000000000006', 'management')),
      contextOf('request-no-namespace'),
    );
    const { logs, documents } = written();
    expect(documents).toEqual([]);
    expect(logs.map((line) => line.message)).toEqual(['action outcome', 'invocation summary']);
  });

  it('count and tell a payload that cannot be decoded before the invocation fails', async () => {
    const { handler, written } = handlerWith({ STEWARD_METRICS_NAMESPACE: namespace });
    const failure = await handler(
      { awslogs: { data: 'bm90IGd6aXA=' } },
      contextOf('request-bad'),
    ).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(BatchIncompleteError);
    const { logs, documents } = written();
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'steward error',
        function: 'cloudwatchLogs',
        function_request_id: 'request-bad',
        kind: 'input',
        where: expect.stringContaining('cloudwatchLogs invocation request-bad'),
        error: (failure as BatchIncompleteError).report.errors[0]?.message,
      }),
      expect.objectContaining({
        level: 'INFO',
        message: 'invocation summary',
        events: 0,
        decodeErrors: 1,
        errors: 1,
      }),
    ]);
    for (const document of documents) checkEmf(document);
    expect(valuesOf(documents, 'DecodeErrors')).toEqual({ cloudwatchLogs: 1 });
    expect(valuesOf(documents, 'EventsReceived')).toEqual({});
  });

  it('say a log level or sampling rate it cannot use, and take the default', async () => {
    const { handler, written } = handlerWith({
      POWERTOOLS_LOG_LEVEL: 'verbose',
      POWERTOOLS_LOGGER_SAMPLE_RATE: '2',
    });
    expect(written().logs).toEqual([
      expect.objectContaining({
        level: 'WARN',
        message: 'POWERTOOLS_LOG_LEVEL is "verbose", which steward cannot use: the default applies',
      }),
      expect.objectContaining({
        level: 'WARN',
        message:
          'POWERTOOLS_LOGGER_SAMPLE_RATE is "2", which steward cannot use: the default applies',
      }),
    ]);
    await handler(
      batchOf(stopLogging('11111111-aaaa-4000-8000-000000000007', 'management')),
      contextOf('request-defaults'),
    );
    expect(written().logs.map((line) => [line.level, line.message])).toEqual([
      ['INFO', 'action outcome'],
      ['INFO', 'invocation summary'],
    ]);
  });
});
