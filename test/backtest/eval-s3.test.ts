import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogFileEvaluator } from '../../src/backtest/evaluate-log-file.js';
import type { LogFileRef } from '../../src/backtest/log-file-ref.js';
import type { CompiledRule } from '../../src/rules/rule.js';
import { CLOUDTRAIL_KEY_LAYOUT } from '../../src/sources/index.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { evaluate, ruleText, rulesOf, trailRecord, unwatched } from './eval-support.js';

const bucket = 'org-trail';
const key = 'AWSLogs/o-abc123def4/111122223333/CloudTrail/eu-west-1/2026/10/01/f1.json.gz';
let moto: MotoServer;
let s3: S3Client;
let rules: CompiledRule[];
let asked = 0;
const client = () => {
  asked += 1;
  return Promise.resolve(s3);
};

beforeAll(async () => {
  moto = await startMoto();
  s3 = new S3Client({
    region: 'us-east-1',
    endpoint: moto.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const records = [
    trailRecord(1, { awsRegion: undefined }),
    unwatched(2),
    trailRecord(3, { recipientAccountId: '444455556666' }),
  ];
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: gzipSync(JSON.stringify({ Records: records })),
    }),
  );
  rules = await rulesOf({ stop: ruleText('logging-stopped') });
});

afterAll(async () => {
  s3?.destroy();
  await moto?.stop();
});

const object = (objectKey: string): LogFileRef => ({
  kind: 's3',
  bucket,
  key: objectKey,
  bytes: 0,
});

describe('a log file in S3', () => {
  it('is read as the cloudtrailLogs function reads it: only its key’s account believed, its region standing in', async () => {
    const report = await evaluate(
      { rules, query: { sources: [`s3://${bucket}/AWSLogs/`] } },
      object(key),
      client,
    );
    expect(report.totals).toMatchObject({
      files: 1,
      records: 2,
      badRecords: 1,
      events: 2,
      matchedEvents: 1,
    });
    const [stopped] = report.rules;
    expect(
      stopped?.samples.map((sample) => [sample.id.slice(-1), sample.account, sample.region]),
    ).toEqual([['1', '111122223333', 'eu-west-1']]);
    expect(stopped?.samples[0]?.where).toBe(`s3://${bucket}/${key}: Records[0]`);
    expect(report.errors).toEqual([
      {
        where: `s3://${bucket}/${key}: Records[2]`,
        message:
          'record has recipientAccountId "444455556666", not 111122223333, the account its log file\'s key names: not believed',
      },
    ]);
  });

  it('that is missing is unreadable, and the error names it', async () => {
    const missing = key.replace('f1', 'gone');
    const report = await evaluate({ rules, query: { sources: [] } }, object(missing), client);
    expect(report.totals).toMatchObject({ files: 0, unreadableFiles: 1, records: 0 });
    expect(report.errors).toEqual([
      {
        where: `s3://${bucket}/${missing}`,
        message: 'could not read S3 object: NoSuchKey: The specified key does not exist.',
      },
    ]);
  });

  it('whose key is not where CloudTrail writes log files is not read at all', async () => {
    const before = asked;
    const evaluator = new LogFileEvaluator({ rules, query: { sources: [] } });
    const report = await evaluate(evaluator, object('exports/f1.json.gz'), client);
    expect(asked).toBe(before);
    expect(report.totals.unreadableFiles).toBe(1);
    expect(report.errors).toEqual([
      {
        where: `s3://${bucket}/exports/f1.json.gz`,
        message: `not read: its key is not where CloudTrail writes log files (${CLOUDTRAIL_KEY_LAYOUT})`,
      },
    ]);
  });
});
