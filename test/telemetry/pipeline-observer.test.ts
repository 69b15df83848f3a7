import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/client-pool.js';
import type { ActionRequest, ActionResult } from '../../src/execution/request.js';
import {
  runPipeline,
  type EventReport,
  type PipelineContext,
  type PipelineError,
  type PipelineReport,
} from '../../src/pipeline.js';
import { loadRules } from '../../src/rules/load.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import type { PipelineObserver } from '../../src/telemetry/observer.js';
import { startTestLedger } from '../support/embedded-ledger.js';
import { repoPath, sampleEvent } from '../support/files.js';

const s3 = mockClient(S3Client);
let testLedger: Awaited<ReturnType<typeof startTestLedger>>;
let ruleIndex: RuleIndex;

beforeAll(async () => {
  testLedger = await startTestLedger();
  ruleIndex = new RuleIndex(await loadRules(repoPath('rules')));
});

afterAll(async () => {
  await testLedger.close();
  s3.restore();
});

/** What the pipeline told, in order. */
class RecordingObserver implements PipelineObserver {
  readonly inputErrors: PipelineError[] = [];
  readonly actions: { request: ActionRequest; result: ActionResult; elapsedMs: number }[] = [];
  readonly events: {
    event: StewardEvent;
    report: EventReport;
    problems: readonly PipelineError[];
  }[] = [];
  readonly batches: PipelineReport[] = [];

  inputError(error: PipelineError): void {
    this.inputErrors.push(error);
  }
  actionDone(request: ActionRequest, result: ActionResult, elapsedMs: number): void {
    this.actions.push({ request, result, elapsedMs });
  }
  eventDone(event: StewardEvent, report: EventReport, problems: readonly PipelineError[]): void {
    this.events.push({ event, report, problems });
  }
  batchDone(report: PipelineReport): void {
    this.batches.push(report);
  }
}

function context(observer: PipelineObserver | undefined): PipelineContext {
  return {
    ruleIndex,
    ledger: testLedger.ledger,
    clients: new ClientPool({ region: 'us-east-1', homeAccount: '123456789012' }),
    live: true,
    readObjects: true,
    ...(observer ? { observer } : {}),
  };
}

/** The sample log file with 150 records that name no API call added before its own three. */
function logFileWithBadRecords(): Uint8Array {
  const file = JSON.parse(
    gunzipSync(readFileSync(repoPath('events/cloudtrail-log-file.json.gz'))).toString('utf8'),
  ) as { Records: Record<string, unknown>[] };
  const bad = Array.from({ length: 150 }, (_, index) => ({
    eventVersion: '1.08',
    eventID: `bad-${index}`,
    recipientAccountId: '123456789012',
  }));
  return new Uint8Array(gzipSync(JSON.stringify({ Records: [...bad, ...file.Records] })));
}

describe('the pipeline’s observer', () => {
  it('is told every bad record of a log file, every event matched or not, each action and the batch', async () => {
    const body = logFileWithBadRecords();
    s3.on(GetObjectCommand).resolves({
      Body: { transformToByteArray: async () => body } as never,
    });
    const observer = new RecordingObserver();
    const report = await runPipeline(
      sampleEvent('s3-cloudtrail-object-created.json'),
      's3 notification',
      context(observer),
    );

    expect(observer.inputErrors).toHaveLength(150);
    expect(observer.inputErrors.every((error) => error.kind === 'input')).toBe(true);
    // The report lists 100 of them and counts the rest.
    expect(report.errors.filter((error) => error.kind === 'input')).toHaveLength(101);
    expect(report.errors.at(-1)?.message).toBe('50 more records could not be decoded');

    // Events run concurrently: told as each ends.
    expect(observer.events.map(({ event }) => event.name).sort()).toEqual([
      'PutBucketPolicy',
      'RunInstances',
      'StopLogging',
    ]);
    // Unmatched records are counted in the report, and still told to the observer.
    expect(report.objects[0]).toMatchObject({ records: 153 });
    const stopLogging = observer.events.find(({ event }) => event.name === 'StopLogging');
    expect(stopLogging?.report.matches.map((match) => match.rule).sort()).toEqual([
      'cis-aws-4-5',
      'cloudtrail-logging-stopped',
    ]);

    const reported = report.events.flatMap((event) =>
      event.matches.flatMap((match) => match.actions.map((action) => action.key)),
    );
    expect(reported.length).toBeGreaterThan(0);
    expect(observer.actions.map(({ result }) => result.report.key).sort()).toEqual(reported.sort());
    for (const { elapsedMs } of observer.actions) expect(elapsedMs).toBeGreaterThanOrEqual(0);
    expect(observer.batches).toEqual([report]);
  });

  it('is told a payload that cannot be decoded as an input error', async () => {
    const observer = new RecordingObserver();
    const report = await runPipeline({ unknown: 'shape' }, 'odd payload', context(observer));
    expect(observer.inputErrors).toEqual(report.errors);
    expect(observer.inputErrors).toEqual([
      expect.objectContaining({ kind: 'input', where: expect.stringContaining('odd payload') }),
    ]);
    expect(observer.events).toEqual([]);
    expect(observer.batches).toEqual([report]);
  });
});
