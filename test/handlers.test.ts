import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as cloudtrailHandler } from '../handlers/cloudtrail.js';
import { handler as cloudwatchLogsHandler } from '../handlers/cloudwatchLogs.js';
import { handler as ec2StateHandler } from '../handlers/ec2State.js';
import { BatchIncompleteError } from '../src/lambda.js';
import type { PipelineReport } from '../src/pipeline.js';
import { makeAwslogsEvent, makeDataMessage } from './fixtures/sources/make-awslogs.js';
import { repoPath, rulePackFileOf, sampleEvent } from './support/files.js';

const context = {
  awsRequestId: 'test-request',
  functionName: 'steward-test',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:steward-test',
} as Context;

const ec2 = mockClient(EC2Client);

beforeAll(async () => {
  process.env.STEWARD_DATA_DIR = await mkdtemp(join(tmpdir(), 'steward-handlers-'));
  process.env.STEWARD_RULE_PACK = await rulePackFileOf(repoPath('rules'));
  // Read once, when the first invocation builds the runtime.
  process.env.STEWARD_CLOUDTRAIL_LOG_GROUPS = 'aws-cloudtrail-logs-123456789012';
  // ec2-running-without-owner reads the instance through the lazy `instance` fact.
  ec2.on(DescribeInstancesCommand).resolves({
    Reservations: [
      {
        Instances: [
          {
            InstanceId: 'i-0123456789abcdef0',
            State: { Name: 'running' },
            Tags: [{ Key: 'Owner', Value: 'ops' }],
          },
        ],
      },
    ],
  });
});

afterAll(() => {
  ec2.restore();
  Reflect.deleteProperty(process.env, 'STEWARD_CLOUDTRAIL_LOG_GROUPS');
});

describe('the Lambda handlers', () => {
  it('run the pipeline on their event and return the report', async () => {
    const report = (await ec2StateHandler(
      sampleEvent('ec2-running.json'),
      context,
    )) as PipelineReport;
    expect(report.errors).toEqual([]);
    expect(report.events[0]?.matches.map((match) => match.rule)).toEqual([
      'ec2-quarantined-instance-started',
    ]);
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
    expect(report.events[0]?.matches[0]?.actions.map((action) => action.status)).toEqual([
      'planned',
      'planned',
    ]);
    const again = (await ec2StateHandler(
      sampleEvent('ec2-running.json'),
      context,
    )) as PipelineReport;
    expect(again.events[0]?.matches[0]?.actions.map((action) => action.status)).toEqual([
      'duplicate',
      'duplicate',
    ]);
  });

  it('believe a CloudTrail record only from the log group STEWARD_CLOUDTRAIL_LOG_GROUPS names', async () => {
    const trusted = (await cloudwatchLogsHandler(
      sampleEvent('cloudwatch-logs-cloudtrail-stop-logging.json'),
      context,
    )) as PipelineReport;
    expect(trusted.errors).toEqual([]);
    expect(trusted.events.map((event) => [event.id, event.source])).toEqual([
      ['e7a1c0de-0102-4000-8000-000000000102', 'cloudtrail'],
    ]);
    expect(trusted.events[0]?.matches.map((match) => match.rule).sort()).toEqual([
      'cis-aws-4-5',
      'cloudtrail-logging-stopped',
    ]);
    const forged = (await cloudwatchLogsHandler(
      sampleEvent('cloudwatch-logs-forged-stop-logging.json'),
      context,
    )) as PipelineReport;
    expect(forged.errors).toEqual([]);
    expect(forged.events).toEqual([
      expect.objectContaining({ source: 'cloudwatch-logs', name: '/var/log/secure', matches: [] }),
    ]);
  });

  it('fail the invocation on a CloudTrail record given to them directly, deciding nothing', async () => {
    const record = (sampleEvent('cloudtrail-stop-logging.json') as { detail: unknown }).detail;
    const error = await cloudtrailHandler(record, context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchIncompleteError);
    // What `sls invoke local` prints as its stack trace: the message, no frames.
    expect((error as Error).stack).toBe(`BatchIncompleteError: ${(error as Error).message}`);
    const report = (error as BatchIncompleteError).report;
    expect(report.events).toEqual([]);
    expect(report.errors).toEqual([
      expect.objectContaining({
        kind: 'input',
        message: expect.stringMatching(/^a CloudTrail record is believed only from EventBridge/),
      }),
    ]);
  });

  it('fail the invocation on input they cannot decode, so Lambda retries it and keeps it at last', async () => {
    await expect(
      cloudtrailHandler(
        { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2' },
        context,
      ),
    ).rejects.toThrow(BatchIncompleteError);
  });

  it('process the good log events of a batch before failing it for the bad one', async () => {
    const event = makeAwslogsEvent(
      makeDataMessage('/var/log/secure', [
        {
          id: '36000000000000000000000000000000000000000000000000000001',
          timestamp: 1763632800000,
          message: 'sshd: Failed password for root',
        },
        {
          id: '36000000000000000000000000000000000000000000000000000002',
          timestamp: 'yesterday',
          message: 'x',
        },
      ]),
    );
    const error = await cloudwatchLogsHandler(event, context).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(BatchIncompleteError);
    const report = (error as BatchIncompleteError).report;
    expect(report.events.map((item) => item.matches[0]?.actions[0]?.status)).toEqual(['planned']);
    expect(report.errors).toEqual([
      expect.objectContaining({
        kind: 'input',
        where: 'cloudwatchLogs invocation test-request: logEvents[1]',
      }),
    ]);
  });
});
