import { eventFields } from '../../src/sources/steward-event.js';
import { describe, expect, it } from 'vitest';
import { decodeDocument, SourceTrust, type DecodeOptions } from '../../src/sources/index.js';
import { isObject } from '../../src/json/fields.js';
import { readAwsSample, readEventFile } from '../fixtures/sources/files.js';
import { makeAwslogsEvent, makeDataMessage } from '../fixtures/sources/make-awslogs.js';

const UNKNOWN_SHAPE =
  'unknown event shape: expected an EventBridge event, a CloudWatch Logs subscription event, ' +
  'an S3 notification, a CloudTrail log file or CloudTrail records';
const STOP_LOGGING_ID = 'e7a1c0de-0102-4000-8000-000000000102';
const LOG_FILE = {
  bucket: 'steward-cloudtrail-logs-123456789012',
  key: 'AWSLogs/123456789012/CloudTrail/us-east-1/2025/01/15/123456789012_CloudTrail_us-east-1_20250115T1010Z_Qm9vdFN0ZXdhcmQx.json.gz',
};

const TRAIL_GROUP = 'aws-cloudtrail-logs-123456789012';
const NOT_BELIEVED_WRAPPED =
  'an EventBridge or CloudWatch Logs event in an SNS message or SQS body is not believed: whoever may publish to the topic or send to the queue could have written it; steward takes them from EventBridge rules and log subscriptions, and from SNS and SQS only S3 and CloudTrail notifications naming log files';
const BELIEVED_ONLY_FROM =
  "is believed only from EventBridge (an aws.* source), a CloudTrail log file read in S3, a log group configured as CloudTrail's or a local file, not from a Lambda invocation's payload, an SNS message or an SQS body";

/** [id, source, name, delivery] of each event, errors and objects: enough to see the dispatch. */
function summary(value: unknown, where = 'w', options: DecodeOptions = {}) {
  const { events, errors, objects } = decodeDocument(value, where, options);
  return {
    events: events.map((event) => [event.id, event.source, event.name, event.delivery]),
    errors,
    objects,
  };
}

describe('decodeDocument on the public AWS samples', () => {
  it.each([
    [
      'aws-lambda-rust-runtime__example-eventbridge-event-obj.json',
      [['7bf73129-1428-4cd3-a780-95db273d1602', 'ec2-state', 'pending', 'eventbridge']],
      [],
    ],
    [
      'cloud-custodian__event-cloud-trail-create-bucket.json',
      [['c4fa3db1-2303-40e4-bde0-3b7246bdbf0b', 'cloudtrail', 'CreateBucket', 'eventbridge']],
      [],
    ],
    [
      'aws-sam-cli__CloudwatchLogs.json',
      [
        ['eventId1', 'cloudwatch-logs', 'testLogGroup', 'cloudwatch-logs'],
        ['eventId2', 'cloudwatch-logs', 'testLogGroup', 'cloudwatch-logs'],
      ],
      [],
    ],
    [
      'cloud-snitch__333333333333_CloudTrail_us-east-1_20250306T0320Z_ZgdYr0lP8M9fWEH8.json.gz',
      [['5fd2008b-c3e3-333b-8638-c324e76b51d1', 'cloudtrail', 'Decrypt', 'direct']],
      [],
    ],
    [
      'SEKOIA-automation-library__test_records_trigger__s3-objectcreated-cloudtrail-key-1.json',
      [],
      [
        {
          bucket: 'aws-cloudtrail-111111111111-3abc4c4f',
          key: 'AWSLogs/111111111111/CloudTrail/eu-west-2/2022/02/21/111111111111_CloudTrail_eu-west-2_20220221T1020Z_nTGkKkyO0OcwEIvv.json.gz',
        },
      ],
    ],
    ['SEKOIA-automation-library__test_records_trigger__s3-TestEvent.json', [], []],
  ])('%s', (file, events, objects) => {
    expect(summary(readAwsSample(file))).toEqual({ events, errors: [], objects });
  });
});

describe('decodeDocument on events/', () => {
  it.each([
    [
      'ec2-running.json',
      [['a1b2c3d4-0001-4000-8000-000000000001', 'ec2-state', 'running', 'eventbridge']],
    ],
    [
      'ec2-stopped.json',
      [['a1b2c3d4-0002-4000-8000-000000000002', 'ec2-state', 'stopped', 'eventbridge']],
    ],
    [
      'cloudtrail-authorize-sg-ingress-world-ssh.json',
      [
        [
          'e7a1c0de-0101-4000-8000-000000000101',
          'cloudtrail',
          'AuthorizeSecurityGroupIngress',
          'eventbridge',
        ],
      ],
    ],
    [
      'cloudtrail-stop-logging.json',
      [[STOP_LOGGING_ID, 'cloudtrail', 'StopLogging', 'eventbridge']],
    ],
    [
      'cloudtrail-console-login-no-mfa.json',
      [['e7a1c0de-0103-4000-8000-000000000103', 'cloudtrail', 'ConsoleLogin', 'eventbridge']],
    ],
    [
      'cloudtrail-describe-instances.json',
      [['e7a1c0de-0104-4000-8000-000000000104', 'cloudtrail', 'DescribeInstances', 'eventbridge']],
    ],
    [
      'cloudwatch-logs-ssh-failures.json',
      [0, 1, 2, 3].map((i) => [
        `3873540181234567890123456789012345678901234567890000000${i}`,
        'cloudwatch-logs',
        '/var/log/secure',
        'cloudwatch-logs',
      ]),
    ],
    [
      'cloudwatch-logs-cloudtrail-stop-logging.json',
      [
        [
          '38735402181234567890123456789012345678901234567890000001',
          'cloudwatch-logs',
          TRAIL_GROUP,
          'cloudwatch-logs',
        ],
      ],
    ],
    [
      'cloudtrail-log-file.json.gz',
      [
        ['e7a1c0de-0105-4000-8000-000000000105', 'cloudtrail', 'RunInstances', 'direct'],
        [STOP_LOGGING_ID, 'cloudtrail', 'StopLogging', 'direct'],
        ['e7a1c0de-0106-4000-8000-000000000106', 'cloudtrail', 'PutBucketPolicy', 'direct'],
      ],
    ],
    ['s3-test-event.json', []],
  ])('%s', (file, events) => {
    expect(summary(readEventFile(file))).toEqual({ events, errors: [], objects: [] });
  });

  it("cloudwatch-logs-cloudtrail-stop-logging.json is the StopLogging record once its log group is configured as CloudTrail's", () => {
    const options = { trust: new SourceTrust([TRAIL_GROUP]) };
    expect(
      summary(readEventFile('cloudwatch-logs-cloudtrail-stop-logging.json'), 'w', options),
    ).toEqual({
      events: [[STOP_LOGGING_ID, 'cloudtrail', 'StopLogging', 'cloudwatch-logs']],
      errors: [],
      objects: [],
    });
  });

  it.each([
    ['s3-cloudtrail-object-created.json'],
    ['sqs-s3-cloudtrail-object-created.json'],
    ['cloudtrail-sns-notification.json'],
    ['sns-cloudtrail-notification.json'],
  ])('%s names the log file to read', (file) => {
    expect(summary(readEventFile(file))).toEqual({ events: [], errors: [], objects: [LOG_FILE] });
  });
});

describe('one CloudTrail record, however it arrives', () => {
  it("has the same id via EventBridge, a log file, CloudTrail's log group and as a bare record", () => {
    const envelope = readEventFile('cloudtrail-stop-logging.json');
    const record = isObject(envelope) ? envelope.detail : undefined;
    const viaLogs = makeAwslogsEvent(
      makeDataMessage(TRAIL_GROUP, [{ id: '1', timestamp: 0, message: JSON.stringify(record) }]),
    );
    const options = { trust: new SourceTrust([TRAIL_GROUP]) };

    const decoded = [
      envelope,
      readEventFile('cloudtrail-log-file.json.gz'),
      viaLogs,
      record,
      [record],
    ].map((value) =>
      decodeDocument(value, 'w', options).events.find((event) => event.name === 'StopLogging'),
    );

    expect(decoded.map((event) => [event?.id, event?.delivery])).toEqual([
      [STOP_LOGGING_ID, 'eventbridge'],
      [STOP_LOGGING_ID, 'direct'],
      [STOP_LOGGING_ID, 'cloudwatch-logs'],
      [STOP_LOGGING_ID, 'direct'],
      [STOP_LOGGING_ID, 'direct'],
    ]);
    const [first, ...others] = decoded.map((event) => event && eventFields(event));
    for (const event of others) {
      expect({ ...event, delivery: undefined }).toEqual({ ...first, delivery: undefined });
    }
  });
});

describe('decodeDocument on bad input', () => {
  it.each([
    [null, `${UNKNOWN_SHAPE}; got null`],
    [42, `${UNKNOWN_SHAPE}; got a number`],
    ['{"detail-type":"x"}', `${UNKNOWN_SHAPE}; got a string`],
    [true, `${UNKNOWN_SHAPE}; got a boolean`],
    [undefined, `${UNKNOWN_SHAPE}; got undefined`],
    [{}, `${UNKNOWN_SHAPE}; got an empty object`],
    [
      { hello: 'world', Records: 'x' },
      `${UNKNOWN_SHAPE}; got an object with keys "hello", "Records"`,
    ],
    [
      { k0: 0, k1: 1, k2: 2, k3: 3, k4: 4, k5: 5, k6: 6, k7: 7, k8: 8, k9: 9, k10: 10 },
      `${UNKNOWN_SHAPE}; got an object with keys "k0", "k1", "k2", "k3", "k4", "k5", "k6", "k7", "k8", "k9", ... (11 keys)`,
    ],
    [
      { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} },
      'EventBridge event has no id',
    ],
    [
      { 'detail-type': 42 },
      'EventBridge event from no source is not believed: only AWS emits aws.* sources, anyone allowed to put events on a bus can emit others',
    ],
    [
      { 'detail-type': 'Order Placed', source: 'com.example.shop', id: 'x', detail: {} },
      'EventBridge event "Order Placed" from source "com.example.shop" is not believed: only AWS emits aws.* sources, anyone allowed to put events on a bus can emit others',
    ],
    [
      { 'detail-type': 'EC2 Instance State-change Notification', id: 'x', time: 't' },
      'EC2 state-change event from no source is not believed: only aws.ec2, which AWS alone emits',
    ],
    [
      {
        'detail-type': 'EC2 Instance State-change Notification',
        source: 'aws.ec2',
        id: 'x',
        time: 't',
      },
      'EC2 state-change event has no detail',
    ],
    [
      { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', id: 'x' },
      'EventBridge event has no detail',
    ],
    [
      { 'detail-type': 'AWS API Call via CloudTrail', source: 'my.ec2', id: 'x', detail: {} },
      'EventBridge event from source "my.ec2" is not believed as CloudTrail: only AWS emits aws.* sources, anyone allowed to put events can emit others',
    ],
    [
      { eventName: 'StopLogging', eventSource: 'cloudtrail.amazonaws.com' },
      'CloudTrail record has no eventTime',
    ],
    [{ awslogs: { data: 'H4sI%%%%' } }, 'awslogs.data is not valid base64'],
    [
      { awslogs: { data: Buffer.from('plain').toString('base64') } },
      'awslogs.data is not gzip: the decoded bytes do not start with 1f 8b',
    ],
    [{ s3Bucket: 'b', s3ObjectKey: 'k' }, 'CloudTrail SNS notification has no s3ObjectKey array'],
  ])('%j is one error', (value, message) => {
    expect(decodeDocument(value, 'lambda event')).toEqual({
      events: [],
      errors: [{ message, where: 'lambda event' }],
      objects: [],
    });
  });

  it('reports malformed JSON in an SQS body with line and column, and decodes the other records', () => {
    const ec2 = readEventFile('ec2-running.json');
    const value = {
      Records: [
        {
          eventSource: 'aws:sqs',
          body: '{\n  "Records": [\n    {"eventSource": "aws:s3" "x": 1}\n  ]\n}',
        },
        { eventSource: 'aws:sqs', body: JSON.stringify(ec2) },
        { eventSource: 'aws:sqs', body: 7 },
        { EventSource: 'aws:sns', Sns: { Message: JSON.stringify({ 'detail-type': 'Other' }) } },
        { eventSource: 'aws:kinesis', kinesis: {} },
        'junk',
      ],
    };
    expect(summary(value, 'lambda event')).toEqual({
      events: [],
      errors: [
        {
          message: "invalid JSON at line 3, column 30: expected ',' or '}'",
          where: 'lambda event: Records[0].body',
        },
        { message: NOT_BELIEVED_WRAPPED, where: 'lambda event: Records[1].body' },
        {
          message: 'expected a JSON string holding the event',
          where: 'lambda event: Records[2].body',
        },
        { message: NOT_BELIEVED_WRAPPED, where: 'lambda event: Records[3].Sns.Message' },
        {
          message:
            'notification record from aws:kinesis: expected one from aws:s3, aws:sns or aws:sqs',
          where: 'lambda event: Records[4]',
        },
        {
          message:
            'notification record from a string: expected one from aws:s3, aws:sns or aws:sqs',
          where: 'lambda event: Records[5]',
        },
      ],
      objects: [],
    });
  });

  it('decodes the good records of a bare array and reports the bad ones', () => {
    const value = [
      { eventID: 'a', eventName: 'X', eventTime: 't' },
      null,
      { eventID: 'c', eventName: 'Y', eventTime: 't' },
      { eventID: 'd', eventTime: 't' },
    ];
    expect(summary(value)).toEqual({
      events: [
        ['a', 'cloudtrail', 'X', 'direct'],
        ['c', 'cloudtrail', 'Y', 'direct'],
      ],
      errors: [
        { message: 'CloudTrail record is not an object (got null)', where: 'w: [1]' },
        { message: 'CloudTrail record has no eventName', where: 'w: [3]' },
      ],
      objects: [],
    });
  });

  it('never throws on hostile values', () => {
    const hostile: unknown[] = [
      [null, 1, 'x', [], {}],
      { Records: [null, 1, 'x', [], { eventSource: 'aws:s3' }, { eventSource: 'aws:sqs' }] },
      { Records: [{ EventSource: 'aws:sns', Sns: null }] },
      { awslogs: 'x' },
      { messageType: 'DATA_MESSAGE', logGroup: 'g', logEvents: [null, [], 1] },
      { 'detail-type': 'EC2 Instance State-change Notification', detail: null },
      { 'detail-type': 'AWS API Call via CloudTrail', detail: { eventID: {}, eventName: [] } },
      { Type: 'Notification', Message: 'not json' },
      { s3Bucket: 1, s3ObjectKey: [] },
    ];
    for (const value of hostile) {
      const batch = decodeDocument(value, 'w');
      expect(batch.events.length + batch.errors.length + batch.objects.length).toBeGreaterThan(0);
    }
  });
});

describe('decodeDocument of what a Lambda invocation was given', () => {
  const envelope = readEventFile('cloudtrail-stop-logging.json') as Record<string, unknown>;
  const record = envelope.detail;
  const logFile = readEventFile('cloudtrail-log-file.json.gz');
  const aws = { origin: 'aws' } as const;

  it.each([
    ['a bare record', record, `a CloudTrail record ${BELIEVED_ONLY_FROM}`],
    ['an array of records', [record], `an array of CloudTrail records ${BELIEVED_ONLY_FROM}`],
    ['a log file', logFile, `a CloudTrail log file ${BELIEVED_ONLY_FROM}`],
  ])('refuses %s, decoding no event', (_case, value, message) => {
    expect(decodeDocument(value, 'lambda event', aws)).toEqual({
      events: [],
      errors: [{ message, where: 'lambda event' }],
      objects: [],
    });
  });

  it('decodes what AWS alone delivers: EventBridge, S3 and CloudTrail notifications, log groups', () => {
    expect(summary(envelope, 'w', aws).events).toEqual([
      [STOP_LOGGING_ID, 'cloudtrail', 'StopLogging', 'eventbridge'],
    ]);
    expect(summary(readEventFile('s3-cloudtrail-object-created.json'), 'w', aws).objects).toEqual([
      LOG_FILE,
    ]);
    expect(summary(readEventFile('sns-cloudtrail-notification.json'), 'w', aws).objects).toEqual([
      LOG_FILE,
    ]);
    const trusted = { ...aws, trust: new SourceTrust([TRAIL_GROUP]) };
    expect(
      summary(readEventFile('cloudwatch-logs-cloudtrail-stop-logging.json'), 'w', trusted).events,
    ).toEqual([[STOP_LOGGING_ID, 'cloudtrail', 'StopLogging', 'cloudwatch-logs']]);
  });

  it.each([['operator' as const], ['aws' as const]])(
    'refuses CloudTrail that an SNS message or SQS body holds, whoever gives it (%s)',
    (origin) => {
      const forged = { ...envelope, source: 'custom.cloudtrail' };
      const value = {
        Records: [
          { eventSource: 'aws:sqs', body: JSON.stringify(record) },
          { EventSource: 'aws:sns', Sns: { Message: JSON.stringify(logFile) } },
          { eventSource: 'aws:sqs', body: JSON.stringify(forged) },
          { eventSource: 'aws:sqs', body: JSON.stringify(envelope) },
        ],
      };
      expect(summary(value, 'w', { origin })).toEqual({
        events: [],
        errors: [
          { message: `a CloudTrail record ${BELIEVED_ONLY_FROM}`, where: 'w: Records[0].body' },
          {
            message: `a CloudTrail log file ${BELIEVED_ONLY_FROM}`,
            where: 'w: Records[1].Sns.Message',
          },
          { message: NOT_BELIEVED_WRAPPED, where: 'w: Records[2].body' },
          // Even with an aws.* source: the body's sender wrote that source.
          { message: NOT_BELIEVED_WRAPPED, where: 'w: Records[3].body' },
        ],
        objects: [],
      });
    },
  );
});

describe('a 10,000-line CloudWatch Logs batch', () => {
  it('decodes every line', () => {
    const cloudTrailLine =
      '{"eventVersion":"1.10","eventID":"ct","eventName":"X","eventSource":"s","eventTime":"t"}';
    const logEvents = Array.from({ length: 10_000 }, (_, i) => ({
      id: String(i).padStart(56, '0'),
      timestamp: 1736935200000 + i,
      message:
        i === 5000
          ? cloudTrailLine
          : `Jan 15 10:20:00 ip-10-0-1-23 sshd[${i}]: Failed password for invalid user admin from 203.0.113.7 port ${1024 + (i % 60000)} ssh2`,
    }));
    const batch = decodeDocument(makeAwslogsEvent(makeDataMessage('org-trail', logEvents)), 'w', {
      trust: new SourceTrust(['org-trail']),
    });
    expect(batch.errors).toEqual([]);
    expect(batch.events).toHaveLength(10_000);
    expect(batch.events.filter((event) => event.source === 'cloudwatch-logs')).toHaveLength(9_999);
    expect(batch.events[5000]).toMatchObject({ id: 'ct', source: 'cloudtrail' });
    expect(batch.events[9999]).toMatchObject({
      id: String(9999).padStart(56, '0'),
      time: '2025-01-15T10:00:09.999Z',
    });
  });
});
