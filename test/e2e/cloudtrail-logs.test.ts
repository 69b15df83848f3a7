import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import {
  CloudTrailClient,
  CreateTrailCommand,
  GetTrailStatusCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeImagesCommand,
  DescribeInstancesCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLedger, type LedgerConnection } from '../../src/ledger/connect.js';
import type { PipelineReport } from '../../src/pipeline.js';
import { repoPath } from '../support/files.js';
import {
  account,
  actionsOf,
  cloudTrailEvent,
  embeddedLedgerFiles,
  first,
  lambdaContext,
  region,
  sample,
  uniqueName,
  useMoto,
  type CloudTrailRecord,
  type MotoEnvironment,
} from './harness.js';

// The shipped rule pack (rules/). The same CloudTrail record reaches steward through
// EventBridge within minutes and again in the trail's log file in S3 later; it must be acted
// on once.
let env: MotoEnvironment;
let cloudtrail: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
let cloudtrailLogs: typeof cloudtrail;
let ledger: LedgerConnection;
let ec2: EC2Client;
let s3: S3Client;
let cloudTrail: CloudTrailClient;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  env = await useMoto();
  ({ handler: cloudtrail } = await import('../../handlers/cloudtrail.js'));
  ({ handler: cloudtrailLogs } = await import('../../handlers/cloudtrailLogs.js'));
  ledger = await connectLedger(process.env);
  ec2 = new EC2Client({ region });
  s3 = new S3Client({ region, forcePathStyle: true });
  cloudTrail = new CloudTrailClient({ region });
  logs = new CloudWatchLogsClient({ region });
});

afterAll(async () => {
  for (const client of [ec2, s3, cloudTrail, logs]) client?.destroy();
  await ledger?.close();
});

/** A record of events/cloudtrail-log-file.json.gz, by event name, with a fresh eventID. */
function logFileRecord(eventName: string): CloudTrailRecord {
  const file = JSON.parse(
    gunzipSync(readFileSync(repoPath('events/cloudtrail-log-file.json.gz'))).toString('utf8'),
  ) as { Records: (CloudTrailRecord & { eventName: string })[] };
  const record = file.Records.find((candidate) => candidate.eventName === eventName);
  if (record === undefined) throw new Error(`the sample log file has no ${eventName} record`);
  return { ...record, eventID: randomUUID() };
}

describe('cloudtrailLogs handler on moto', () => {
  it('processes every record of a gzipped log file in S3; records EventBridge delivered already are duplicates', async () => {
    // Resources in moto for three records of the log file.
    const logGroupName = `/steward-e2e/${uniqueName('payments')}`;
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
    const trailBucket = uniqueName('e2e-trail');
    await s3.send(new CreateBucketCommand({ Bucket: trailBucket }));
    const { TrailARN: trailArn } = await cloudTrail.send(
      new CreateTrailCommand({ Name: uniqueName('e2e-trail'), S3BucketName: trailBucket }),
    );
    if (trailArn === undefined) throw new Error('moto created no trail');
    await cloudTrail.send(new StopLoggingCommand({ Name: trailArn }));
    const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
    const imageId = images.Images?.[0]?.ImageId ?? 'ami-12c6146b';
    const launched = await ec2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
      }),
    );
    const instanceId = launched.Instances?.[0]?.InstanceId;
    if (instanceId === undefined) throw new Error('moto launched no instance');

    // 1. CreateLogGroup arrives through EventBridge first and is acted on.
    const viaEventBridge = cloudTrailEvent('cloudtrail/logs-create-log-group.json', (record) => {
      record.requestParameters = { logGroupName };
    });
    const firstReport = (await cloudtrail(viaEventBridge, lambdaContext())) as PipelineReport;
    expect(firstReport.errors).toEqual([]);
    expect(actionsOf(firstReport, 'log-group-without-retention')[0]).toMatchObject({
      status: 'succeeded',
    });

    // 2. The trail's log file holds that record, and three more.
    const createLogGroup = viaEventBridge.detail;
    const stopLogging = {
      ...logFileRecord('StopLogging'),
      requestParameters: { name: trailArn },
      resources: [{ accountId: account, type: 'AWS::CloudTrail::Trail', ARN: trailArn }],
    };
    const runInstances = logFileRecord('RunInstances');
    runInstances.responseElements = {
      ...runInstances.responseElements,
      instancesSet: {
        items: [
          {
            instanceId,
            imageId,
            instanceState: { code: 0, name: 'pending' },
            instanceType: 't3.micro',
          },
        ],
      },
    };
    const refusedPolicy = logFileRecord('PutBucketPolicy');
    // A read-only call, as most of a real trail is: no rule listens to it.
    const readOnly = {
      ...logFileRecord('RunInstances'),
      eventName: 'DescribeInstances',
      requestParameters: {},
      responseElements: null,
    };
    const records = [runInstances, createLogGroup, stopLogging, refusedPolicy];
    const logBucket = uniqueName('e2e-cloudtrail-logs');
    await s3.send(new CreateBucketCommand({ Bucket: logBucket }));
    const key = `AWSLogs/${account}/CloudTrail/${region}/2025/01/15/${account}_CloudTrail_${region}_20250115T1010Z_${uniqueName('e2e')}.json.gz`;
    const body = gzipSync(JSON.stringify({ Records: [...records, readOnly] }));
    await s3.send(new PutObjectCommand({ Bucket: logBucket, Key: key, Body: body }));
    const notification = sample<{
      Records: {
        s3: { bucket: { name: string; arn: string }; object: { key: string; size: number } };
      }[];
    }>('s3-cloudtrail-object-created.json');
    const s3Record = first(notification.Records, 'record in the S3 notification').s3;
    s3Record.bucket = { ...s3Record.bucket, name: logBucket, arn: `arn:aws:s3:::${logBucket}` };
    s3Record.object = { ...s3Record.object, key, size: body.length };

    const report = (await cloudtrailLogs(notification, lambdaContext())) as PipelineReport;

    expect(report.errors).toEqual([]);
    // The unmatched record is counted, not listed.
    expect(report.objects).toEqual([
      { bucket: logBucket, key, read: true, records: 5, unmatched: 1 },
    ]);
    expect(report.events.map((event) => event.id).sort()).toEqual(
      records.map((record) => record.eventID).sort(),
    );
    const eventOf = (id: string) => report.events.findIndex((event) => event.id === id);
    const matchesOf = (id: string) => report.events[eventOf(id)]?.matches ?? [];
    const statuses = (id: string) =>
      matchesOf(id).flatMap((match) =>
        match.actions.map((action) => [match.rule, action.action, action.status, action.stored]),
      );

    // Acted on through EventBridge already: every action is reported with its stored outcome.
    const again = statuses(createLogGroup.eventID);
    expect(again).toContainEqual([
      'log-group-without-retention',
      'logs.put-retention-policy',
      'duplicate',
      'succeeded',
    ]);
    expect(again.every(([, , status]) => status === 'duplicate')).toBe(true);

    // New in the log file: acted on now.
    expect(actionsOf(report, 'cloudtrail-logging-stopped', eventOf(stopLogging.eventID))).toEqual([
      expect.objectContaining({ action: 'cloudtrail.start-logging', status: 'succeeded' }),
      expect.objectContaining({ action: 'audit.record', status: 'succeeded' }),
    ]);
    expect(actionsOf(report, 'ec2-tag-instance-creator', eventOf(runInstances.eventID))).toEqual([
      expect.objectContaining({ action: 'ec2.create-tags', status: 'succeeded' }),
    ]);
    for (const id of [stopLogging.eventID, runInstances.eventID, refusedPolicy.eventID]) {
      expect(statuses(id).filter(([, , status]) => status === 'duplicate')).toEqual([]);
    }
    // A refused call changed nothing: no rule that remediates fires on it.
    expect(matchesOf(refusedPolicy.eventID).map((match) => match.rule)).not.toContain(
      's3-bucket-made-public',
    );

    expect((await cloudTrail.send(new GetTrailStatusCommand({ Name: trailArn }))).IsLogging).toBe(
      true,
    );
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    expect(described.Reservations?.[0]?.Instances?.[0]?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'steward:created-by', Value: (runInstances.userIdentity as { arn: string }).arn },
      ]),
    );
    const groups = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }),
    );
    expect(groups.logGroups?.[0]?.retentionInDays).toBe(365);

    // The same notification again (S3 delivers at least once): nothing is acted on twice.
    const redelivered = (await cloudtrailLogs(notification, lambdaContext())) as PipelineReport;
    const redeliveredStatuses = redelivered.events.flatMap((event) =>
      event.matches.flatMap((match) => match.actions.map((action) => action.status)),
    );
    expect(redeliveredStatuses.length).toBeGreaterThan(0);
    expect(new Set(redeliveredStatuses)).toEqual(new Set(['duplicate']));
  });

  it('keeps its ledger in moto DynamoDB and writes nothing to an embedded one', async () => {
    expect(ledger.description).toBe(`DynamoDB table ${env.ledgerTable} at ${env.endpoint}`);
    expect(await embeddedLedgerFiles(env.dataDir)).toEqual([]);
  });
});
