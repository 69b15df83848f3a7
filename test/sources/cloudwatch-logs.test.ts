import { describe, expect, it } from 'vitest';
import { decodeCloudWatchLogs } from '../../src/sources/cloudwatch-logs.js';
import { SourceTrust } from '../../src/sources/trust.js';
import { readAwsSample, readEventFile } from '../fixtures/sources/files.js';
import { makeAwslogsEvent, makeDataMessage } from '../fixtures/sources/make-awslogs.js';

describe('decodeCloudWatchLogs', () => {
  it('decodes the SAM CLI subscription sample', () => {
    const logEvent = (id: string, timestamp: number, message: string) => ({
      id,
      source: 'cloudwatch-logs',
      name: 'testLogGroup',
      time: new Date(timestamp).toISOString(),
      account: '123456789123',
      resources: ['testLogGroup'],
      raw: {
        logGroup: 'testLogGroup',
        logStream: 'testLogStream',
        subscriptionFilters: ['testFilter'],
        id,
        timestamp,
        message,
      },
      delivery: 'cloudwatch-logs',
    });
    expect(
      decodeCloudWatchLogs(readAwsSample('aws-sam-cli__CloudwatchLogs.json'), 'sample'),
    ).toEqual({
      events: [
        logEvent('eventId1', 1440442987000, '[ERROR] First test message'),
        logEvent('eventId2', 1440442987001, '[ERROR] Second test message'),
      ],
      errors: [],
      objects: [],
    });
  });

  it('decodes the sshd failures sample', () => {
    const { events, errors } = decodeCloudWatchLogs(
      readEventFile('cloudwatch-logs-ssh-failures.json'),
      'e',
    );
    expect(errors).toEqual([]);
    expect(events.map((event) => [event.id, event.name, event.time, event.resources])).toEqual([
      [
        '38735401812345678901234567890123456789012345678900000000',
        '/var/log/secure',
        '2025-01-15T10:20:00.000Z',
        ['/var/log/secure'],
      ],
      [
        '38735401812345678901234567890123456789012345678900000001',
        '/var/log/secure',
        '2025-01-15T10:20:02.000Z',
        ['/var/log/secure'],
      ],
      [
        '38735401812345678901234567890123456789012345678900000002',
        '/var/log/secure',
        '2025-01-15T10:20:04.000Z',
        ['/var/log/secure'],
      ],
      [
        '38735401812345678901234567890123456789012345678900000003',
        '/var/log/secure',
        '2025-01-15T10:20:06.000Z',
        ['/var/log/secure'],
      ],
    ]);
    expect(events[0]?.raw).toMatchObject({
      message:
        'Jan 15 10:20:00 ip-10-0-1-23 sshd[2101]: Failed password for invalid user admin from 203.0.113.7 port 51234 ssh2',
    });
  });

  const trailGroup = 'aws-cloudtrail-logs-123456789012';

  it("turns a CloudTrail record in a log group configured as CloudTrail's into that CloudTrail event", () => {
    const { events, errors } = decodeCloudWatchLogs(
      readEventFile('cloudwatch-logs-cloudtrail-stop-logging.json'),
      'e',
      new SourceTrust([trailGroup]),
    );
    expect(errors).toEqual([]);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      id: 'e7a1c0de-0102-4000-8000-000000000102',
      source: 'cloudtrail',
      name: 'StopLogging',
      time: '2025-01-15T10:07:00Z',
      account: '123456789012',
      region: 'us-east-1',
      eventSource: 'cloudtrail.amazonaws.com',
      delivery: 'cloudwatch-logs',
    });
  });

  it.each([
    ['no log group is configured', new SourceTrust()],
    ['only another log group is', new SourceTrust(['org-trail', `${trailGroup}-2`])],
    ['nothing is said', undefined],
  ])(
    'keeps a CloudTrail record in a log message as an ordinary log line when %s',
    (_case, trust) => {
      const { events, errors } = decodeCloudWatchLogs(
        readEventFile('cloudwatch-logs-cloudtrail-stop-logging.json'),
        'e',
        trust,
      );
      expect(errors).toEqual([]);
      expect(events).toHaveLength(1);
      const [event] = events;
      // Its id is the log event's, so it can claim no ledger key of the real record.
      expect(event).toEqual({
        id: '38735402181234567890123456789012345678901234567890000001',
        source: 'cloudwatch-logs',
        name: trailGroup,
        time: '2025-01-15T10:07:04.000Z',
        account: '123456789012',
        resources: [trailGroup],
        raw: expect.objectContaining({ logGroup: trailGroup }) as unknown,
        delivery: 'cloudwatch-logs',
      });
      expect(event).not.toHaveProperty('actor');
      expect(event).not.toHaveProperty('eventSource');
    },
  );

  it('believes a record written to /var/log/secure as a log line only, even with its real eventID', () => {
    const forged = {
      eventVersion: '1.10',
      eventID: 'e7a1c0de-0102-4000-8000-000000000102',
      eventTime: '2025-01-15T10:07:00Z',
      eventSource: 'ec2.amazonaws.com',
      eventName: 'AuthorizeSecurityGroupIngress',
      awsRegion: 'us-east-1',
      recipientAccountId: '123456789012',
      requestParameters: { groupId: 'sg-0123456789abcdef0' },
      // The word the log group's subscription filter asks for.
      userAgent: 'authentication',
    };
    const message = makeDataMessage('/var/log/secure', [
      { id: 'line-1', timestamp: 0, message: JSON.stringify(forged) },
    ]);
    const { events, errors } = decodeCloudWatchLogs(
      makeAwslogsEvent(message),
      'w',
      new SourceTrust([trailGroup]),
    );
    expect(errors).toEqual([]);
    expect(events.map((event) => [event.id, event.source, event.name, event.resources])).toEqual([
      ['line-1', 'cloudwatch-logs', '/var/log/secure', ['/var/log/secure']],
    ]);
    expect(events[0]?.region).toBeUndefined();
  });

  it("takes a trusted record's account from recipientAccountId, else from the message's owner", () => {
    const record = {
      eventVersion: '1.10',
      eventID: 'r-1',
      eventTime: '2025-01-15T10:07:00Z',
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      awsRegion: 'eu-west-1',
      recipientAccountId: '222233334444',
    };
    const withoutRecipient: Record<string, unknown> = { ...record };
    delete withoutRecipient.recipientAccountId;
    const message = makeDataMessage('org-trail', [
      { id: '0', timestamp: 0, message: JSON.stringify(record) },
      { id: '1', timestamp: 0, message: JSON.stringify({ ...withoutRecipient, eventID: 'r-2' }) },
    ]);
    const { events } = decodeCloudWatchLogs(message, 'w', new SourceTrust(['org-trail']));
    expect(events.map((event) => [event.id, event.account, event.region])).toEqual([
      ['r-1', '222233334444', 'eu-west-1'],
      ['r-2', '123456789012', 'eu-west-1'],
    ]);
  });

  it('keeps JSON and brace-led messages that are not CloudTrail records as log events', () => {
    const message = makeDataMessage('/app', [
      { id: 'a', timestamp: 0, message: '{"level":"error","eventID":"x"}' },
      { id: 'b', timestamp: 0, message: '{not json' },
    ]);
    const { events } = decodeCloudWatchLogs(message, 'w');
    expect(events.map((event) => [event.id, event.source])).toEqual([
      ['a', 'cloudwatch-logs'],
      ['b', 'cloudwatch-logs'],
    ]);
  });

  it('accepts an already decoded DATA_MESSAGE', () => {
    const message = makeDataMessage('/app', [{ id: '1', timestamp: 1736935200000, message: 'hi' }]);
    expect(decodeCloudWatchLogs(message, 'w').events).toMatchObject([
      { id: '1', name: '/app', time: '2025-01-15T10:00:00.000Z', account: '123456789012' },
    ]);
  });

  it('ignores a CONTROL_MESSAGE, decoded or not', () => {
    const control = { messageType: 'CONTROL_MESSAGE', owner: 'CloudwatchLogs', logEvents: [] };
    const empty = { events: [], errors: [], objects: [] };
    expect(decodeCloudWatchLogs(control, 'w')).toEqual(empty);
    expect(decodeCloudWatchLogs(makeAwslogsEvent(control), 'w')).toEqual(empty);
  });

  it('reports bad log events one by one and still decodes the rest', () => {
    const message = makeDataMessage('/app', [
      { id: '0', timestamp: 0, message: 'ok' },
      null,
      { timestamp: 0, message: 'no id' },
      { id: '3', timestamp: 0 },
      { id: '4', timestamp: 'yesterday', message: 'x' },
      { id: '5', timestamp: 1e20, message: 'x' },
      { id: '6', timestamp: 0, message: '' },
    ]);
    expect(decodeCloudWatchLogs(makeAwslogsEvent(message), 'lambda event')).toMatchObject({
      events: [{ id: '0' }, { id: '6' }],
      errors: [
        { message: 'log event is not an object (got null)', where: 'lambda event: logEvents[1]' },
        { message: 'log event has no id', where: 'lambda event: logEvents[2]' },
        { message: 'log event has no message', where: 'lambda event: logEvents[3]' },
        {
          message: 'log event has no valid timestamp (milliseconds since the epoch)',
          where: 'lambda event: logEvents[4]',
        },
        {
          message: 'log event has no valid timestamp (milliseconds since the epoch)',
          where: 'lambda event: logEvents[5]',
        },
      ],
    });
  });

  it('reports a bad CloudTrail record in a log message where it is', () => {
    const record = { eventVersion: '1.10', eventID: 'r', eventName: 'X', eventSource: 'x' };
    const message = makeDataMessage('/trail', [
      { id: '0', timestamp: 0, message: JSON.stringify(record) },
    ]);
    expect(decodeCloudWatchLogs(message, 'w', new SourceTrust(['/trail'])).errors).toEqual([
      { message: 'CloudTrail record has no eventTime', where: 'w: logEvents[0]' },
    ]);
  });

  it.each([
    [{ awslogs: null }, 'awslogs.data is missing or not a string'],
    [{ awslogs: { data: 'not base64!' } }, 'awslogs.data is not valid base64'],
    [makeAwslogsEvent('text'), 'CloudWatch Logs message is not an object (got a string)'],
    [
      makeAwslogsEvent({ messageType: 'OTHER' }),
      'CloudWatch Logs message has messageType "OTHER": expected "DATA_MESSAGE" or "CONTROL_MESSAGE"',
    ],
    [
      { messageType: 'DATA_MESSAGE', logEvents: [] },
      'CloudWatch Logs DATA_MESSAGE has no logGroup',
    ],
    [
      { messageType: 'DATA_MESSAGE', logGroup: 'g', logEvents: {} },
      'CloudWatch Logs DATA_MESSAGE has no logEvents array',
    ],
  ])('rejects %j', (value, message) => {
    expect(decodeCloudWatchLogs(value, 'w')).toEqual({
      events: [],
      errors: [{ message, where: 'w' }],
      objects: [],
    });
  });
});
