import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { catalogAction, contextFor, decodedEvent, paramsErrors } from './support.js';

const eventBridge = mockClient(EventBridgeClient);
const action = catalogAction('events.emit');
const event = decodedEvent('events/cloudtrail-stop-logging.json');
const trail = 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events';
const earlier = [
  {
    action: 'cloudtrail.start-logging',
    resource: trail,
    status: 'succeeded',
    detail: `started logging on trail ${trail}`,
  },
];

beforeEach(() => eventBridge.reset());
afterAll(() => eventBridge.restore());

describe('events.emit', () => {
  it('validates its parameters', () => {
    expect(paramsErrors(action, { eventBusName: 'security', detailType: 'x.Y' })).toEqual([]);
    expect(paramsErrors(action, { source: 'aws.ec2' })).toEqual([
      expect.objectContaining({ instancePath: '/source', keyword: 'not' }),
    ]);
  });

  it('targets the first resource once per event, and describes the event it puts', () => {
    expect(action.targets(event, {})).toEqual([trail]);
    expect(action.describe(contextFor(event, trail))).toBe(
      `emit steward.RuleMatched from steward to event bus default for test-rule on ${trail}`,
    );
  });

  it('puts one entry whose detail carries the idempotency key and what the rule did', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-1' }] });
    const context = contextFor(event, trail, { eventBusName: 'security' }, earlier);
    expect(await action.execute(context)).toEqual({
      status: 'succeeded',
      detail: `emitted steward.RuleMatched from steward to event bus security for test-rule on ${trail}`,
      data: { eventId: 'ev-1' },
    });
    const input = eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input;
    expect(input).toEqual({
      Entries: [
        {
          Source: 'steward',
          DetailType: 'steward.RuleMatched',
          EventBusName: 'security',
          Resources: [trail],
          Detail: expect.any(String),
        },
      ],
    });
    expect(JSON.parse(input?.Entries?.[0]?.Detail ?? '')).toEqual({
      metadata: {
        'idempotency-key': 'act_test',
        'event-id': 'e7a1c0de-0102-4000-8000-000000000102',
        time: '2025-01-15T10:07:00Z',
      },
      data: {
        rule: 'test-rule',
        severity: 'high',
        action: [{ name: 'cloudtrail.start-logging', resource: trail, status: 'succeeded' }],
        resource: trail,
      },
    });
  });

  it('names no Resources when the resource is not an ARN', async () => {
    eventBridge
      .on(PutEventsCommand)
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-2' }] });
    const ssh = decodedEvent('events/cloudtrail-authorize-sg-ingress-world-ssh.json');
    await action.execute(contextFor(ssh, 'sg-0123456789abcdef0'));
    expect(
      eventBridge.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0],
    ).not.toHaveProperty('Resources');
  });

  it('fails with the entry error when EventBridge refuses the event', async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'AccessDeniedException', ErrorMessage: 'not authorized' }],
    });
    await expect(action.execute(contextFor(event, trail))).rejects.toThrow(
      'EventBridge refused the event: AccessDeniedException: not authorized',
    );
  });
});
