import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  LogFileEvaluator,
  type LogFileEvaluatorOptions,
} from '../../src/backtest/evaluate-log-file.js';
import type { LogFileRef } from '../../src/backtest/log-file-ref.js';
import { logFileChunks } from '../../src/backtest/read-log-file.js';
import type { BacktestReport } from '../../src/backtest/report.js';
import { loadRules } from '../../src/rules/load.js';
import type { CompiledRule } from '../../src/rules/rule.js';

/** A scratch directory of its own. */
export function scratch(name: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `steward-${name}-`));
}

/** The rules of YAML texts, loaded as `steward backtest --rules DIR` loads them. */
export async function rulesOf(texts: Record<string, string>): Promise<CompiledRule[]> {
  const dir = join(await scratch('backtest-rules'), 'rules');
  await mkdir(dir);
  for (const [name, text] of Object.entries(texts))
    await writeFile(join(dir, `${name}.yaml`), text);
  return loadRules(dir);
}

/** A CloudTrail record: a StopLogging by alice unless `fields` say otherwise. */
export function trailRecord(
  id: number,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    eventID: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    eventTime: '2026-10-01T10:00:00Z',
    eventSource: 'cloudtrail.amazonaws.com',
    eventName: 'StopLogging',
    awsRegion: 'us-east-1',
    userIdentity: {
      type: 'IAMUser',
      principalId: 'AIDAALICE',
      arn: 'arn:aws:iam::111122223333:user/alice',
      accountId: '111122223333',
    },
    recipientAccountId: '111122223333',
    requestParameters: { name: 'trail-a' },
    ...fields,
  };
}

/** A call no rule of these tests listens to. */
export function unwatched(
  id: number,
  fields: Record<string, unknown> = {},
): Record<string, unknown> {
  return trailRecord(id, {
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    requestParameters: null,
    ...fields,
  });
}

/** Writes a gzipped CloudTrail log file of the records (or of the bytes given) at `path`. */
export async function writeLogFile(
  path: string,
  records: unknown[] | Uint8Array,
): Promise<LogFileRef> {
  await mkdir(dirname(path), { recursive: true });
  const bytes =
    records instanceof Uint8Array ? records : gzipSync(JSON.stringify({ Records: records }));
  await writeFile(path, bytes);
  return { kind: 'file', path, bytes: bytes.length };
}

/** The S3 client of a test that reads no S3 object: asking for it is a failure of the test. */
export const noS3 = (): Promise<S3Client> => Promise.reject(new Error('no S3 in this test'));

/** One log file's report. */
export function evaluate(
  options: LogFileEvaluatorOptions | LogFileEvaluator,
  ref: LogFileRef,
  s3: () => Promise<S3Client> = noS3,
): Promise<BacktestReport> {
  const evaluator = options instanceof LogFileEvaluator ? options : new LogFileEvaluator(options);
  return evaluator.evaluate(ref, logFileChunks(ref, s3));
}

/** A rule in YAML: an audit of StopLogging by anyone but an AWS service, unless said otherwise. */
export function ruleText(
  id: string,
  fields: Partial<Record<'triggers' | 'conditions' | 'mode', string>> = {},
): string {
  return `id: ${id}
description: A rule for the backtest tests.
kind: audit
severity: high
triggers:
${
  fields.triggers ??
  `  - source: cloudtrail
    eventSource: cloudtrail.amazonaws.com
    events: [StopLogging]`
}
conditions:
${
  fields.conditions ??
  `  all:
    - fact: record
      path: $.userIdentity.type
      operator: notEqual
      value: AWSService`
}
actions:
  - action: audit.record
    params: { note: logging stopped }
mode: ${fields.mode ?? 'enforce'}
`;
}
