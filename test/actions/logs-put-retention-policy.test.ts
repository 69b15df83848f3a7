import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { catalogAction, contextFor, decodedEvent, paramsErrors, sweptEvent } from './support.js';

const logs = mockClient(CloudWatchLogsClient);
const action = catalogAction('logs.put-retention-policy');
const event = decodedEvent('test/actions/fixtures/cloudtrail-create-log-group.json');
const group = '/aws/lambda/orders-api';
const params = { retentionInDays: 90 };

beforeEach(() => logs.reset());
afterAll(() => logs.restore());

describe('logs.put-retention-policy', () => {
  it('accepts only the retention periods CloudWatch Logs accepts', () => {
    expect(paramsErrors(action, params)).toEqual([]);
    expect(paramsErrors(action, { retentionInDays: 100 })).toEqual([
      expect.objectContaining({
        instancePath: '/retentionInDays',
        message: 'must be equal to one of the allowed values',
      }),
    ]);
    expect(paramsErrors(action, {})).toEqual([
      expect.objectContaining({ params: { missingProperty: 'retentionInDays' } }),
    ]);
  });

  it('targets the log group of a CloudTrail record or of a log event', () => {
    expect(action.targets(event, params)).toEqual([group]);
    expect(
      action.targets(decodedEvent('events/cloudwatch-logs-ssh-failures.json'), params),
    ).toEqual(['/var/log/secure']);
    expect(action.describe(contextFor(event, group, params))).toBe(
      `keep the events of log group ${group} for 90 days`,
    );
  });

  it('targets each log group a sweep of log groups found, and nothing a sweep of another kind found', async () => {
    const swept = sweptEvent('log-groups', { logGroupName: group, storedBytes: 2048 });
    expect(action.targets(swept, params)).toEqual([group]);
    expect(
      action.targets(sweptEvent('ec2-instances', { InstanceId: 'i-0123456789abcdef0' }), params),
    ).toEqual([]);
    logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: group }] });
    logs.on(PutRetentionPolicyCommand).resolves({});
    expect(await action.execute(contextFor(swept, group, params))).toEqual({
      status: 'succeeded',
      detail: `set the retention of log group ${group} to 90 days (was never expire)`,
      data: { previousRetentionInDays: undefined },
    });
  });

  it('never lengthens a retention, and skips a group that is gone', async () => {
    logs.on(DescribeLogGroupsCommand).resolves({
      logGroups: [{ logGroupName: group, retentionInDays: 30 }],
    });
    expect(await action.execute(contextFor(event, group, params))).toEqual({
      status: 'skipped',
      detail: `did not set the retention of log group ${group}: it keeps events 30 days already, no longer than 90`,
      data: { retentionInDays: 30 },
    });
    logs.on(DescribeLogGroupsCommand).resolves({
      logGroups: [{ logGroupName: `${group}-canary` }],
    });
    expect(await action.execute(contextFor(event, group, params))).toEqual({
      status: 'skipped',
      detail: `did not set the retention of log group ${group}: it does not exist`,
    });
    expect(logs.commandCalls(PutRetentionPolicyCommand)).toHaveLength(0);
  });

  it('sets the retention of the exact group, reading past groups that share its prefix', async () => {
    logs
      .on(DescribeLogGroupsCommand)
      .resolvesOnce({ logGroups: [{ logGroupName: `${group}-canary` }], nextToken: 'page-2' })
      .resolvesOnce({ logGroups: [{ logGroupName: group, retentionInDays: 365 }] });
    logs.on(PutRetentionPolicyCommand).resolves({});
    expect(await action.execute(contextFor(event, group, params))).toEqual({
      status: 'succeeded',
      detail: `set the retention of log group ${group} to 90 days (was 365 days)`,
      data: { previousRetentionInDays: 365 },
    });
    const calls = logs.commandCalls(DescribeLogGroupsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.args[0].input).toMatchObject({
      logGroupNamePrefix: group,
      nextToken: 'page-2',
    });
    expect(logs.commandCalls(PutRetentionPolicyCommand)[0]?.args[0].input).toEqual({
      logGroupName: group,
      retentionInDays: 90,
    });
  });
});
