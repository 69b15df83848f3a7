import { describe, expect, it } from 'vitest';
import {
  decodeCloudTrailEnvelope,
  normalizeCloudTrailRecord,
} from '../../src/sources/cloudtrail.js';
import { isObject } from '../../src/json/fields.js';
import {
  eventFields,
  type SourceError,
  type StewardEvent,
} from '../../src/sources/steward-event.js';
import { readAwsSample, readEventFile } from '../fixtures/sources/files.js';

function detailOf(envelope: unknown): unknown {
  return isObject(envelope) ? envelope.detail : undefined;
}

/** A decoded event's fields, derived ones included, as plain data; an error as it is. */
function plain(result: StewardEvent | SourceError): unknown {
  return 'raw' in result ? eventFields(result) : result;
}

const deployer = {
  arn: 'arn:aws:sts::123456789012:assumed-role/deployer/deploy-session',
  type: 'AssumedRole',
  principalId: 'AROAEXAMPLEDEPLOYER01:deploy-session',
  accountId: '123456789012',
  sourceIp: '198.51.100.77',
  mfaUsed: false,
};

describe('decodeCloudTrailEnvelope', () => {
  it('decodes the Cloud Custodian CreateBucket sample with the record eventID, not the envelope id', () => {
    const envelope = readAwsSample('cloud-custodian__event-cloud-trail-create-bucket.json');
    expect(plain(decodeCloudTrailEnvelope(envelope, 'sample'))).toEqual({
      id: 'c4fa3db1-2303-40e4-bde0-3b7246bdbf0b',
      source: 'cloudtrail',
      name: 'CreateBucket',
      time: '2016-06-04T12:19:03Z',
      account: '619193117841',
      region: 'us-west-2',
      resources: ['custodian-create-bucket-v4'],
      eventSource: 's3.amazonaws.com',
      actor: {
        arn: 'arn:aws:iam::619193117841:root',
        type: 'Root',
        principalId: '619193117841',
        accountId: '619193117841',
        sourceIp: '204.63.44.148',
        userAgent: '[S3Console/0.4]',
        mfaUsed: false,
      },
      raw: detailOf(envelope),
      delivery: 'eventbridge',
    });
  });

  it('decodes AuthorizeSecurityGroupIngress (console form)', () => {
    const envelope = readEventFile('cloudtrail-authorize-sg-ingress-world-ssh.json');
    expect(plain(decodeCloudTrailEnvelope(envelope, 'e'))).toEqual({
      id: 'e7a1c0de-0101-4000-8000-000000000101',
      source: 'cloudtrail',
      name: 'AuthorizeSecurityGroupIngress',
      time: '2025-01-15T10:00:00Z',
      account: '123456789012',
      region: 'us-east-1',
      resources: ['sg-0123456789abcdef0'],
      eventSource: 'ec2.amazonaws.com',
      actor: {
        arn: 'arn:aws:iam::123456789012:user/alice',
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLEALICE00001',
        accountId: '123456789012',
        userName: 'alice',
        sourceIp: '198.51.100.23',
        userAgent: 'AWS Internal',
        mfaUsed: false,
      },
      request: { groupId: 'sg-0123456789abcdef0' },
      raw: detailOf(envelope),
      delivery: 'eventbridge',
    });
  });

  it('decodes the request fields actions read, once, and only as non-empty strings', () => {
    const record = {
      eventVersion: '1.08',
      eventID: 'r-1',
      eventName: 'AuthorizeSecurityGroupIngress',
      eventTime: '2025-01-15T10:00:00Z',
      eventSource: 'ec2.amazonaws.com',
      requestParameters: { groupName: 'web', vpcId: 'vpc-1', groupId: '', name: 7, other: 'x' },
    };
    const event = normalizeCloudTrailRecord(record, 's3', 'Records[0]');
    expect(event).toMatchObject({ request: { groupName: 'web', vpcId: 'vpc-1' } });
    expect('raw' in event && Object.keys(event.request ?? {})).toEqual(['groupName', 'vpcId']);
    const bare = normalizeCloudTrailRecord({ ...record, requestParameters: null }, 's3', 'R');
    expect('raw' in bare && bare.request).toBeUndefined();
    expect(plain(bare)).not.toHaveProperty('request');
  });

  it('decodes StopLogging with the trail as resource', () => {
    const envelope = readEventFile('cloudtrail-stop-logging.json');
    expect(decodeCloudTrailEnvelope(envelope, 'e')).toMatchObject({
      id: 'e7a1c0de-0102-4000-8000-000000000102',
      name: 'StopLogging',
      eventSource: 'cloudtrail.amazonaws.com',
      resources: ['arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events'],
      actor: deployer,
      delivery: 'eventbridge',
    });
  });

  it('decodes a console sign-in without MFA', () => {
    const envelope = readEventFile('cloudtrail-console-login-no-mfa.json');
    expect(plain(decodeCloudTrailEnvelope(envelope, 'e'))).toEqual({
      id: 'e7a1c0de-0103-4000-8000-000000000103',
      source: 'cloudtrail',
      name: 'ConsoleLogin',
      time: '2025-01-15T08:30:00Z',
      account: '123456789012',
      region: 'us-east-1',
      resources: [],
      eventSource: 'signin.amazonaws.com',
      actor: {
        arn: 'arn:aws:iam::123456789012:user/bob',
        type: 'IAMUser',
        principalId: 'AIDAEXAMPLEBOB000001',
        accountId: '123456789012',
        userName: 'bob',
        sourceIp: '203.0.113.50',
        userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
        mfaUsed: false,
      },
      raw: detailOf(envelope),
      delivery: 'eventbridge',
    });
  });

  it('decodes a read-only DescribeInstances with no resources', () => {
    const envelope = readEventFile('cloudtrail-describe-instances.json');
    expect(decodeCloudTrailEnvelope(envelope, 'e')).toMatchObject({
      id: 'e7a1c0de-0104-4000-8000-000000000104',
      name: 'DescribeInstances',
      resources: [],
    });
  });

  it('falls back to the envelope account, region and time when the record lacks them', () => {
    const envelope = {
      'detail-type': 'AWS Service Event via CloudTrail',
      source: 'aws.kms',
      id: 'envelope-id',
      account: '111122223333',
      region: 'eu-west-1',
      time: '2025-02-01T00:00:00Z',
      detail: { eventID: 'record-id', eventName: 'CreateGrant' },
    };
    expect(plain(decodeCloudTrailEnvelope(envelope, 'e'))).toEqual({
      id: 'record-id',
      source: 'cloudtrail',
      name: 'CreateGrant',
      time: '2025-02-01T00:00:00Z',
      account: '111122223333',
      region: 'eu-west-1',
      resources: [],
      actor: { mfaUsed: false },
      raw: envelope.detail,
      delivery: 'eventbridge',
    });
  });

  it.each([
    [
      { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', id: 'x' },
      'EventBridge event has no detail',
    ],
    [
      { 'detail-type': 'AWS API Call via CloudTrail', source: 'aws.ec2', detail: 'x' },
      'EventBridge event has no detail',
    ],
    [
      {
        'detail-type': 'AWS API Call via CloudTrail',
        source: 'aws.cloudtrail',
        detail: { eventID: 3, eventName: 'X', eventTime: 't' },
      },
      "CloudTrail record's eventID is not a non-empty string (got a number)",
    ],
    [7, 'EventBridge event is not an object (got a number)'],
  ])('rejects %j', (envelope, message) => {
    expect(plain(decodeCloudTrailEnvelope(envelope, 'lambda event'))).toEqual({
      message,
      where: 'lambda event',
    });
  });
});

describe('decodeCloudTrailEnvelope from a source AWS does not own', () => {
  const stopLogging = readEventFile('cloudtrail-stop-logging.json') as Record<string, unknown>;

  it.each([
    ['custom.cloudtrail', 'source "custom.cloudtrail"'],
    ['myapp.aws.cloudtrail', 'source "myapp.aws.cloudtrail"'],
    ['', 'no source'],
    [undefined, 'no source'],
  ])('refuses the StopLogging record put on a bus as %j, and decodes no event', (source, said) => {
    const forged = { ...stopLogging, source };
    expect(plain(decodeCloudTrailEnvelope(forged, 'lambda event'))).toEqual({
      message: `EventBridge event from ${said} is not believed as CloudTrail: only AWS emits aws.* sources, anyone allowed to put events can emit others`,
      where: 'lambda event',
    });
  });
});

describe('normalizeCloudTrailRecord', () => {
  const base = { eventID: 'id-1', eventName: 'Call', eventTime: '2025-01-01T00:00:00Z' };

  it('decodes the AWS-service KMS Decrypt record of the cloud-snitch log file', () => {
    const file = readAwsSample(
      'cloud-snitch__333333333333_CloudTrail_us-east-1_20250306T0320Z_ZgdYr0lP8M9fWEH8.json.gz',
    );
    const record = isObject(file) && Array.isArray(file.Records) ? file.Records[0] : undefined;
    expect(plain(normalizeCloudTrailRecord(record, 's3', 'file: Records[0]'))).toEqual({
      id: '5fd2008b-c3e3-333b-8638-c324e76b51d1',
      source: 'cloudtrail',
      name: 'Decrypt',
      time: '2025-03-06T03:18:09Z',
      account: '333333333333',
      region: 'us-east-1',
      resources: ['arn:aws:kms:us-east-1:333333333333:key/3f1d977a-29b6-4273-b92b-ac226d361b65'],
      eventSource: 'kms.amazonaws.com',
      actor: {
        type: 'AWSService',
        invokedBy: 'cloudfront.amazonaws.com',
        sourceIp: 'cloudfront.amazonaws.com',
        userAgent: 'cloudfront.amazonaws.com',
        mfaUsed: false,
      },
      raw: record,
      delivery: 's3',
    });
  });

  it('takes instance ids from the RunInstances response and dedupes resources in order', () => {
    const record = {
      ...base,
      eventSource: 'ec2.amazonaws.com',
      resources: [{ ARN: 'arn:aws:ec2:us-east-1:1:instance/i-1' }, { ARN: 42 }, 'junk'],
      requestParameters: {
        instancesSet: { items: [{ imageId: 'ami-1' }, { instanceId: 'i-2' }, null] },
        groupId: 'sg-1',
        instanceId: 'i-2',
      },
      responseElements: { instancesSet: { items: [{ instanceId: 'i-2' }, { instanceId: 'i-3' }] } },
    };
    expect(normalizeCloudTrailRecord(record, 'direct', 'w')).toMatchObject({
      resources: ['arn:aws:ec2:us-east-1:1:instance/i-1', 'i-2', 'i-3', 'sg-1'],
    });
  });

  it.each([
    ['cloudtrail.amazonaws.com', { name: 'trail' }, undefined, ['trail']],
    ['ec2.amazonaws.com', { name: 'not-a-trail' }, undefined, []],
    [
      'ec2.amazonaws.com',
      {
        resourcesSet: { items: [{ resourceId: 'i-1' }, { resourceId: 7 }, { resourceId: 'sg-2' }] },
      },
      undefined,
      ['i-1', 'sg-2'],
    ],
    ['s3.amazonaws.com', { resourcesSet: { items: [{ resourceId: 'not-ec2' }] } }, undefined, []],
    ['logs.amazonaws.com', { logGroupName: '/aws/lambda/f' }, undefined, ['/aws/lambda/f']],
    ['iam.amazonaws.com', { userName: 'carol' }, undefined, ['carol']],
    ['iam.amazonaws.com', {}, { user: { userName: 'dave' } }, ['dave']],
    ['sts.amazonaws.com', { userName: 'not-iam' }, undefined, []],
    ['kms.amazonaws.com', { keyId: 'alias/app' }, undefined, ['alias/app']],
    ['s3.amazonaws.com', { bucketName: 'b' }, undefined, ['b']],
  ])(
    'for %s takes resources from %j / %j',
    (eventSource, requestParameters, responseElements, resources) => {
      const record = { ...base, eventSource, requestParameters, responseElements };
      expect(normalizeCloudTrailRecord(record, 'direct', 'w')).toMatchObject({ resources });
    },
  );

  it('reads a failed call and MFA from the session context', () => {
    const record = {
      ...base,
      errorCode: 'UnauthorizedOperation',
      errorMessage: 'You are not authorized to perform this operation.',
      userIdentity: { sessionContext: { attributes: { mfaAuthenticated: 'true' } } },
    };
    expect(normalizeCloudTrailRecord(record, 'direct', 'w')).toMatchObject({
      error: {
        code: 'UnauthorizedOperation',
        message: 'You are not authorized to perform this operation.',
      },
      actor: { mfaUsed: true },
    });
  });

  it('reads MFA from additionalEventData of a console sign-in', () => {
    const record = { ...base, additionalEventData: { MFAUsed: 'Yes' } };
    expect(normalizeCloudTrailRecord(record, 'direct', 'w')).toMatchObject({
      actor: { mfaUsed: true },
    });
  });

  it("never takes the caller's account (userIdentity.accountId) for where the call happened", () => {
    const record = { ...base, userIdentity: { accountId: '444455556666' } };
    expect(normalizeCloudTrailRecord(record, 'direct', 'w')).not.toHaveProperty('account');
    expect(
      normalizeCloudTrailRecord(record, 's3', 'w', {
        account: '111122223333',
        region: 'eu-west-1',
      }),
    ).toMatchObject({ account: '111122223333', region: 'eu-west-1' });
  });

  it.each([
    [
      { eventID: '', eventName: 'X', eventTime: 't' },
      "CloudTrail record's eventID is not a non-empty string (got an empty string)",
    ],
    [
      { eventID: 5, eventName: 'X', eventTime: 't' },
      "CloudTrail record's eventID is not a non-empty string (got a number)",
    ],
    [
      { eventID: null, eventName: 'X', eventTime: 't' },
      "CloudTrail record's eventID is not a non-empty string (got null)",
    ],
    [{ eventID: 'a', eventTime: 't' }, 'CloudTrail record has no eventName'],
    [{ eventID: 'a', eventName: 'X' }, 'CloudTrail record has no eventTime'],
    [null, 'CloudTrail record is not an object (got null)'],
    ['text', 'CloudTrail record is not an object (got a string)'],
    [[], 'CloudTrail record is not an object (got an array)'],
  ])('rejects %j', (record, message) => {
    expect(plain(normalizeCloudTrailRecord(record, 's3', 'f: Records[2]'))).toEqual({
      message,
      where: 'f: Records[2]',
    });
  });

  it('ignores wrongly typed optional fields instead of failing', () => {
    const record = {
      ...base,
      userIdentity: 'root',
      resources: 'all',
      requestParameters: [1],
      responseElements: 3,
      errorCode: {},
      awsRegion: null,
      additionalEventData: null,
    };
    expect(plain(normalizeCloudTrailRecord(record, 'direct', 'w'))).toEqual({
      id: 'id-1',
      source: 'cloudtrail',
      name: 'Call',
      time: '2025-01-01T00:00:00Z',
      resources: [],
      actor: { mfaUsed: false },
      raw: record,
      delivery: 'direct',
    });
  });
});
