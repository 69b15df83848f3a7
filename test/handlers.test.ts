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

const context = { awsRequestId: 'test-request', functionName: 'steward-test' } as Context;

const ec2 = mockClient(EC2Client);

beforeAll(async () => {
  process.env.STEWARD_DATA_DIR = await mkdtemp(join(tmpdir(), 'steward-handlers-'));
  process.env.STEWARD_RULE_PACK = await rulePackFileOf(repoPath('rules'));
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
