import { describe, expect, it } from 'vitest';
import { decodeDocument } from '../../src/sources/index.js';
import type { DecodedBatch, StewardEvent } from '../../src/sources/steward-event.js';
import { readEventFile } from '../fixtures/sources/files.js';

type Envelope = Record<string, unknown> & { detail: Record<string, unknown> };

function sample(name: string): Envelope {
  return readEventFile(name) as Envelope;
}

/** The events of a batch without their records, and its errors. */
function decoded(value: unknown, where = 'lambda event') {
  const batch: DecodedBatch = decodeDocument(value, where, { origin: 'aws' });
  return {
    events: batch.events.map((event) => {
      const view: Partial<StewardEvent> = { ...event };
      delete view.raw;
      return view;
    }),
    errors: batch.errors,
  };
}

function onlyEvent(value: unknown): Partial<StewardEvent> {
  const { events, errors } = decoded(value);
  expect(errors).toEqual([]);
  expect(events).toHaveLength(1);
  return events[0] as Partial<StewardEvent>;
}

describe('a GuardDuty finding', () => {
  it('decodes events/guardduty-ec2-finding.json to its instance, the finding id and its update time', () => {
    const envelope = sample('guardduty-ec2-finding.json');
    const batch = decodeDocument(envelope, 'guardduty', { origin: 'aws' });
    expect(batch).toEqual({
      events: [
        {
          id: 'a4c6e1f0b2d3c4e5f6a7b8c9d0e1f203@2025-01-15T10:04:58.104Z',
          source: 'eventbridge',
          name: 'GuardDuty Finding',
          time: '2025-01-15T10:05:12Z',
          account: '123456789012',
          region: 'us-east-1',
          resources: ['i-0123456789abcdef0'],
          eventSource: 'aws.guardduty',
          raw: envelope,
          delivery: 'eventbridge',
        },
      ],
      errors: [],
      objects: [],
    });
  });

  it('keeps its id when EventBridge redelivers it, and gets a new one when GuardDuty updates the finding', () => {
    const envelope = sample('guardduty-ec2-finding.json');
    const first = onlyEvent(envelope).id;
    expect(onlyEvent(structuredClone(envelope)).id).toBe(first);
    // GuardDuty publishes an update under a new envelope id; it is the updatedAt that tells.
    const update = {
      ...envelope,
      id: 'c8a1d2e3-0399-4000-8000-000000000399',
      detail: { ...envelope.detail, updatedAt: '2025-01-15T10:20:00.000Z' },
    };
    expect(onlyEvent(update).id).toBe('a4c6e1f0b2d3c4e5f6a7b8c9d0e1f203@2025-01-15T10:20:00.000Z');
    expect(onlyEvent({ ...envelope, id: 'another-envelope-id' }).id).toBe(first);
  });

  it("names the access key and buckets of an S3 finding, in the finding's account and region", () => {
    const envelope = sample('guardduty-ec2-finding.json');
    const event = onlyEvent({
      ...envelope,
      detail: {
        ...envelope.detail,
        accountId: '222233334444',
        region: 'eu-west-1',
        type: 'Policy:S3/BucketBlockPublicAccessDisabled',
        resource: {
          resourceType: 'S3Bucket',
          accessKeyDetails: { accessKeyId: 'ASIAEXAMPLE000000001', userName: 'build-bot' },
          s3BucketDetails: [{ name: 'orders-exports' }, { name: 'orders-archive' }, 7],
        },
      },
    });
    expect(event.resources).toEqual(['ASIAEXAMPLE000000001', 'orders-exports', 'orders-archive']);
    expect([event.account, event.region]).toEqual(['222233334444', 'eu-west-1']);
  });

  it.each([
    ['id', { id: undefined }, 'GuardDuty finding has no detail.id'],
    ['updatedAt', { updatedAt: undefined }, 'GuardDuty finding has no detail.updatedAt'],
    [
      'a numeric updatedAt',
      { updatedAt: 1736935498 },
      "GuardDuty finding's detail.updatedAt is a number, not a non-empty string",
    ],
  ])('without %s is an error saying so', (_name, change, message) => {
    const envelope = sample('guardduty-ec2-finding.json');
    expect(decoded({ ...envelope, detail: { ...envelope.detail, ...change } })).toEqual({
      events: [],
      errors: [{ message, where: 'lambda event' }],
    });
  });
});

describe('a Security Hub event', () => {
  it('gives one event per finding of events/securityhub-findings-imported.json', () => {
    const { events, errors } = decoded(sample('securityhub-findings-imported.json'));
    expect(errors).toEqual([]);
    expect(events.map(({ id, resources }) => ({ id, resources }))).toEqual([
      {
        id: 'arn:aws:securityhub:us-east-1:123456789012:subscription/cis-aws-foundations-benchmark/v/1.2.0/1.14/finding/5b1f0c2e-0d41-4a6c-9f1e-0c6d8e2a7b01@2025-01-15T11:19:41.260Z',
        resources: ['AWS::::Account:123456789012'],
      },
      {
        id: 'arn:aws:securityhub:us-east-1:123456789012:security-control/EC2.8/finding/9a3e7c51-2b6d-4f80-a1c2-7d4e5f6a8b02@2025-01-15T11:18:09.532Z',
        // An instance as EC2's API takes it.
        resources: ['i-0a1b2c3d4e5f67890'],
      },
      {
        id: 'arn:aws:securityhub:us-east-1:123456789012:security-control/EC2.2/finding/e4d2b8a0-6c1f-4e93-8b57-3a9c0d1e2f03@2025-01-15T11:17:55.871Z',
        resources: ['arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0'],
      },
    ]);
    expect(new Set(events.map((event) => event.name))).toEqual(
      new Set(['Security Hub Findings - Imported']),
    );
    expect(new Set(events.map((event) => event.eventSource))).toEqual(new Set(['aws.securityhub']));
  });

  it('gives each event the envelope holding its finding alone', () => {
    const envelope = sample('securityhub-findings-imported.json');
    const findings = envelope.detail.findings as unknown[];
    const batch = decodeDocument(envelope, 'hub', { origin: 'aws' });
    batch.events.forEach((event, index) => {
      expect(event.raw).toEqual({ ...envelope, detail: { findings: [findings[index]] } });
    });
    // The envelope that arrived is left as it was.
    expect(envelope.detail.findings).toHaveLength(3);
  });

  it("puts each finding in its own account and region: an aggregation region's findings come from others", () => {
    const envelope = sample('securityhub-findings-imported.json');
    const [first, second] = envelope.detail.findings as Record<string, unknown>[];
    const { events } = decoded({
      ...envelope,
      detail: {
        findings: [
          { ...first, AwsAccountId: '222233334444', Region: 'eu-west-1' },
          { ...second, AwsAccountId: undefined, Region: undefined },
        ],
      },
    });
    expect(events.map((event) => [event.account, event.region])).toEqual([
      ['222233334444', 'eu-west-1'],
      ['123456789012', 'us-east-1'],
    ]);
  });

  it('decodes the other findings when one is malformed, with one error naming it', () => {
    const envelope = sample('securityhub-findings-imported.json');
    const [first, second, third] = envelope.detail.findings as Record<string, unknown>[];
    const { events, errors } = decoded({
      ...envelope,
      detail: { findings: [first, { ...second, UpdatedAt: undefined }, 'junk', third] },
    });
    expect(events.map((event) => (event.id ?? '').split('/finding/')[1]?.slice(0, 8))).toEqual([
      '5b1f0c2e',
      'e4d2b8a0',
    ]);
    expect(errors).toEqual([
      {
        message: 'Security Hub finding has no UpdatedAt',
        where: 'lambda event: detail.findings[1]',
      },
      {
        message: 'Security Hub finding is a string, not an object',
        where: 'lambda event: detail.findings[2]',
      },
    ]);
  });

  it('without findings is an error; a custom action is read as findings too', () => {
    const envelope = sample('securityhub-findings-imported.json');
    expect(decoded({ ...envelope, detail: {} }).errors).toEqual([
      { message: 'Security Hub event has no detail.findings', where: 'lambda event' },
    ]);
    expect(decoded({ ...envelope, detail: { findings: {} } }).errors).toEqual([
      {
        message: "Security Hub event's detail.findings is an empty object, not an array",
        where: 'lambda event',
      },
    ]);
    const action = decoded({
      ...envelope,
      'detail-type': 'Security Hub Findings - Custom Action',
      detail: { ...envelope.detail, actionName: 'Isolate', actionDescription: 'Isolate it' },
    });
    expect(action.events).toHaveLength(3);
    expect(action.events[0]?.name).toBe('Security Hub Findings - Custom Action');
  });

  it('reads insight results, which hold no findings, as any other AWS event', () => {
    const envelope = sample('securityhub-findings-imported.json');
    const event = onlyEvent({
      ...envelope,
      'detail-type': 'Security Hub Insight Results',
      resources: ['arn:aws:securityhub:us-east-1:123456789012:action/custom/ShowInsight'],
      detail: { actionName: 'ShowInsight', insightName: 'Top resources', insightResults: [] },
    });
    expect(event).toMatchObject({
      id: 'c8a1d2e3-0302-4000-8000-000000000302',
      name: 'Security Hub Insight Results',
      resources: ['arn:aws:securityhub:us-east-1:123456789012:action/custom/ShowInsight'],
    });
  });
});

describe('a Config event', () => {
  it('decodes events/config-compliance-change.json to its resource, with an id of rule, resource and evaluation time', () => {
    expect(onlyEvent(sample('config-compliance-change.json'))).toEqual({
      id: 'config-rule:123456789012:us-east-1:restricted-ssh:AWS::EC2::SecurityGroup:sg-0123456789abcdef0@2025-01-15T12:02:43.108Z',
      source: 'eventbridge',
      name: 'Config Rules Compliance Change',
      time: '2025-01-15T12:02:44Z',
      account: '123456789012',
      region: 'us-east-1',
      resources: ['sg-0123456789abcdef0'],
      eventSource: 'aws.config',
      delivery: 'eventbridge',
    });
  });

  it('gets a new id for a new evaluation, and keeps it for a redelivery', () => {
    const envelope = sample('config-compliance-change.json');
    const first = onlyEvent(envelope).id;
    expect(onlyEvent({ ...envelope, id: 'redelivered' }).id).toBe(first);
    const evaluation = envelope.detail.newEvaluationResult as Record<string, unknown>;
    const later = {
      ...envelope,
      detail: {
        ...envelope.detail,
        newEvaluationResult: { ...evaluation, resultRecordedTime: '2025-01-16T12:00:00.000Z' },
      },
    };
    expect(onlyEvent(later).id).not.toBe(first);
    expect(onlyEvent(later).id).toMatch(/@2025-01-16T12:00:00\.000Z$/);
  });

  it.each([
    ['resourceId', { resourceId: undefined }, 'Config compliance change has no detail.resourceId'],
    [
      'configRuleName',
      { configRuleName: '' },
      "Config compliance change's detail.configRuleName is an empty string, not a non-empty string",
    ],
    [
      'the evaluation time',
      { newEvaluationResult: {} },
      'Config compliance change has no detail.newEvaluationResult.resultRecordedTime',
    ],
  ])('without %s is an error saying so', (_name, change, message) => {
    const envelope = sample('config-compliance-change.json');
    expect(decoded({ ...envelope, detail: { ...envelope.detail, ...change } }).errors).toEqual([
      { message, where: 'lambda event' },
    ]);
  });

  it('decodes a configuration item change to the item, with its capture time in the id', () => {
    const envelope = sample('config-compliance-change.json');
    const item = {
      ...envelope,
      'detail-type': 'Config Configuration Item Change',
      detail: {
        messageType: 'ConfigurationItemChangeNotification',
        configurationItem: {
          resourceType: 'AWS::EC2::Instance',
          resourceId: 'i-0123456789abcdef0',
          awsAccountId: '222233334444',
          awsRegion: 'eu-west-1',
          configurationItemCaptureTime: '2025-01-15T12:30:00.000Z',
          configurationItemStatus: 'OK',
        },
      },
    };
    expect(onlyEvent(item)).toMatchObject({
      id: 'config-item:222233334444:eu-west-1:AWS::EC2::Instance:i-0123456789abcdef0@2025-01-15T12:30:00.000Z',
      name: 'Config Configuration Item Change',
      resources: ['i-0123456789abcdef0'],
      account: '222233334444',
      region: 'eu-west-1',
    });
    expect(decoded({ ...item, detail: {} }).errors).toEqual([
      {
        message: 'Config configuration item change has no detail.configurationItem',
        where: 'lambda event',
      },
    ]);
  });
});

describe('an AWS Health event', () => {
  it('decodes events/health-event.json to its affected instance, with the event ARN, update time and account as id', () => {
    expect(onlyEvent(sample('health-event.json'))).toEqual({
      id: 'arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED_0a1b2c3d4e5f@Wed, 15 Jan 2025 12:58:41 GMT#123456789012',
      source: 'eventbridge',
      name: 'AWS Health Event',
      time: '2025-01-15T13:00:00Z',
      account: '123456789012',
      region: 'us-east-1',
      resources: ['i-0123456789abcdef0'],
      eventSource: 'aws.health',
      delivery: 'eventbridge',
    });
  });

  it("takes the envelope's id without an update time, and the envelope's region for a global service", () => {
    const envelope = sample('health-event.json');
    const event = onlyEvent({
      ...envelope,
      resources: [],
      detail: {
        ...envelope.detail,
        lastUpdatedTime: undefined,
        eventRegion: 'global',
        affectedEntities: [
          { entityValue: 'arn:aws:ec2:us-east-1:123456789012:instance/i-0b2c3d4e5f6a78901' },
          { entityValue: 'vol-0123456789abcdef0' },
          'junk',
        ],
      },
    });
    expect(event.id).toBe('c8a1d2e3-0304-4000-8000-000000000304');
    expect(event.region).toBe('us-east-1');
    expect(event.resources).toEqual(['i-0b2c3d4e5f6a78901', 'vol-0123456789abcdef0']);
  });
});

describe('any other EventBridge event', () => {
  const spotWarning = {
    version: '0',
    id: '1e5527d7-bb36-4607-3370-4164db56a40e',
    'detail-type': 'EC2 Spot Instance Interruption Warning',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2025-01-15T14:00:00Z',
    region: 'us-east-1',
    resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0'],
    detail: { 'instance-id': 'i-0123456789abcdef0', 'instance-action': 'terminate' },
  };

  it("of an aws.* source is decoded generically: the envelope's id and resources", () => {
    expect(onlyEvent(spotWarning)).toEqual({
      id: '1e5527d7-bb36-4607-3370-4164db56a40e',
      source: 'eventbridge',
      name: 'EC2 Spot Instance Interruption Warning',
      time: '2025-01-15T14:00:00Z',
      account: '123456789012',
      region: 'us-east-1',
      resources: ['i-0123456789abcdef0'],
      eventSource: 'aws.ec2',
      delivery: 'eventbridge',
    });
  });

  it.each([
    ['custom.security', 'source "custom.security"'],
    ['guardduty', 'source "guardduty"'],
    [undefined, 'no source'],
  ])('of source %s is not believed, and the error says why', (source, from) => {
    const forged = { ...sample('guardduty-ec2-finding.json'), source };
    expect(decoded(forged)).toEqual({
      events: [],
      errors: [
        {
          message: `EventBridge event "GuardDuty Finding" from ${from} is not believed: only AWS emits aws.* sources, anyone allowed to put events on a bus can emit others`,
          where: 'lambda event',
        },
      ],
    });
  });

  it('is not believed from an SQS body, whatever its source says', () => {
    const forged = { ...sample('guardduty-ec2-finding.json'), source: 'my.guardduty' };
    const batch = decodeDocument(
      {
        Records: [
          { eventSource: 'aws:sqs', body: JSON.stringify(forged) },
          { eventSource: 'aws:sqs', body: JSON.stringify(sample('health-event.json')) },
        ],
      },
      'lambda event',
      { origin: 'aws' },
    );
    expect(batch.events).toEqual([]);
    expect(batch.errors.map((error) => error.where)).toEqual([
      'lambda event: Records[0].body',
      'lambda event: Records[1].body',
    ]);
    for (const error of batch.errors)
      expect(error.message).toMatch(
        /^an EventBridge or CloudWatch Logs event in an SNS message or SQS body is not believed: whoever may publish to the topic or send to the queue could have written it/,
      );
  });

  it.each([
    ['id', { id: undefined }, 'EventBridge event has no id'],
    ['time', { time: 7 }, 'EventBridge event has no time'],
    ['detail', { detail: undefined }, 'EventBridge event has no detail'],
    ['a detail object', { detail: 'x' }, "EventBridge event's detail is a string, not an object"],
  ])('without %s is an error saying so', (_name, change, message) => {
    expect(decoded({ ...spotWarning, ...change })).toEqual({
      events: [],
      errors: [{ message, where: 'lambda event' }],
    });
  });
});
