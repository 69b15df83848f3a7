import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { catalogAction, contextFor, decodedEvent, paramsErrors } from './support.js';

const sns = mockClient(SNSClient);
const action = catalogAction('notify.sns');
const event = decodedEvent('events/cloudtrail-run-instances.json');
const instance = 'i-0a1b2c3d4e5f67890';
const topicArn = 'arn:aws:sns:us-east-1:123456789012:security-alerts';
const earlier = [
  {
    action: 'ec2.stop-instances',
    resource: instance,
    status: 'succeeded',
    detail: `stopped ${instance} (was running)`,
  },
];

beforeEach(() => {
  sns.reset();
  sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
});
afterAll(() => sns.restore());

describe('notify.sns', () => {
  it('validates its parameters', () => {
    expect(paramsErrors(action, { topicArn, subject: 'Instance stopped' })).toEqual([]);
    expect(paramsErrors(action, { topicArn: 'security-alerts' })).toEqual([
      expect.objectContaining({ instancePath: '/topicArn', keyword: 'pattern' }),
    ]);
    expect(
      paramsErrors(action, { topicArn: 'arn:aws-us-gov:sns:us-gov-west-1:123456789012:a.fifo' }),
    ).toEqual([]);
  });

  it('targets the first resource once per event, or "-"', () => {
    expect(action.targets(event, { topicArn })).toEqual([instance]);
    expect(action.targets({ ...event, resources: [] }, { topicArn })).toEqual(['-']);
  });

  it('describes whom it notifies and the subject', () => {
    expect(action.describe(contextFor(event, instance, { topicArn }))).toBe(
      `notify ${topicArn} of test-rule on ${instance}: "steward: high test-rule on ${instance}"`,
    );
  });

  it('publishes a readable message naming the rule, the actor, the event and what was done', async () => {
    expect(await action.execute(contextFor(event, instance, { topicArn }, earlier))).toEqual({
      status: 'succeeded',
      detail: `notified ${topicArn} of test-rule on ${instance}`,
      data: { messageId: 'msg-1' },
    });
    expect(sns.commandCalls(PublishCommand)[0]?.args[0].input).toEqual({
      TopicArn: topicArn,
      Subject: `steward: high test-rule on ${instance}`,
      Message: [
        'Rule test-rule (severity high) matched.',
        'A rule for action tests.',
        '',
        `Resource: ${instance}`,
        'Actor: arn:aws:sts::123456789012:assumed-role/Developer/alice@example.com',
        'Event: cloudtrail RunInstances at 2026-11-20T09:58:12Z in 123456789012 us-east-1',
        'Event id: 0b7c2e9a-3f4d-4e2b-8c1a-9d0e1f2a3b4c',
        '',
        'Actions taken:',
        `- ec2.stop-instances on ${instance}: stopped ${instance} (was running)`,
      ].join('\n'),
      MessageAttributes: {
        rule: { DataType: 'String', StringValue: 'test-rule' },
        severity: { DataType: 'String', StringValue: 'high' },
      },
    });
  });

  it('keeps the subject to 100 ASCII characters on one line, and groups FIFO messages', async () => {
    const fifo = 'arn:aws:sns:us-east-1:123456789012:alerts.fifo';
    const subject = `Instance started by \${actor.arn} \u2014 ${'x'.repeat(120)}\nsecond line`;
    await action.execute(contextFor(event, instance, { topicArn: fifo, subject }));
    const input = sns.commandCalls(PublishCommand)[0]?.args[0].input;
    expect(input?.Subject).toBe(
      'Instance started by arn:aws:sts::123456789012:assumed-role/Developer/alice@example.com ? xxxxxxxx...',
    );
    expect(input?.Subject).toHaveLength(100);
    expect(input).toMatchObject({
      MessageGroupId: 'test-rule',
      MessageDeduplicationId: 'act_test',
    });
    expect(input?.Message).toContain('- none before this notification');
  });
});
