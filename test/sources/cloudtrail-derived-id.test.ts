import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import {
  decodeCloudTrailEnvelope,
  normalizeCloudTrailRecord,
} from '../../src/sources/cloudtrail.js';
import { decodeDocument } from '../../src/sources/index.js';
import { decodeBytes } from '../../src/sources/payload.js';

/** A StartInstances record as the CloudTrail user guide shows it: no eventID. */
const startInstances = {
  eventVersion: '1.0',
  userIdentity: {
    type: 'IAMUser',
    principalId: 'EX_PRINCIPAL_ID',
    arn: 'arn:aws:iam::123456789012:user/Alice',
    accountId: '123456789012',
    accessKeyId: 'EXAMPLE_KEY_ID',
    userName: 'Alice',
  },
  eventTime: '2014-03-06T21:22:54Z',
  eventSource: 'ec2.amazonaws.com',
  eventName: 'StartInstances',
  awsRegion: 'us-east-2',
  sourceIPAddress: '205.251.233.176',
  userAgent: 'ec2-api-tools 1.6.12.2',
  requestParameters: { instancesSet: { items: [{ instanceId: 'i-ebeaf9e2' }] } },
  responseElements: {
    instancesSet: {
      items: [
        {
          instanceId: 'i-ebeaf9e2',
          currentState: { code: 0, name: 'pending' },
          previousState: { code: 80, name: 'stopped' },
        },
      ],
    },
  },
};

/** The same record with every object's keys in reverse order. */
function reversedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversedKeys);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, member]) => [key, reversedKeys(member)]),
  );
}

function idOf(result: ReturnType<typeof normalizeCloudTrailRecord>): unknown {
  return 'id' in result ? { id: result.id, idDerived: result.idDerived } : result;
}

describe('a CloudTrail record without eventID', () => {
  it('is decoded, with an id derived from its content and marked as derived', () => {
    const event = normalizeCloudTrailRecord(startInstances, 's3', 'f: Records[0]');
    expect(event).toMatchObject({
      id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      idDerived: true,
      source: 'cloudtrail',
      name: 'StartInstances',
      time: '2014-03-06T21:22:54Z',
      region: 'us-east-2',
      resources: ['i-ebeaf9e2'],
      actor: { arn: 'arn:aws:iam::123456789012:user/Alice', userName: 'Alice', mfaUsed: false },
      raw: startInstances,
    });
  });

  it('gets the same id from a gzipped log file and from EventBridge with keys in another order', () => {
    const logFile = decodeBytes(gzipSync(JSON.stringify({ Records: [startInstances] })), 'k.gz');
    if (!logFile.ok) throw new Error(logFile.error.message);
    const fromLogFile = decodeDocument(logFile.value, 'k.gz');
    const fromEventBridge = decodeCloudTrailEnvelope(
      {
        'detail-type': 'AWS API Call via CloudTrail',
        source: 'aws.ec2',
        id: 'envelope-id',
        detail: reversedKeys(startInstances),
      },
      'lambda event',
    );
    expect(fromLogFile.errors).toEqual([]);
    expect(fromLogFile.events).toHaveLength(1);
    expect(idOf(fromEventBridge)).toEqual({ id: fromLogFile.events[0]?.id, idDerived: true });
  });

  it('gets the same id on every delivery, and another id when any field differs', () => {
    const again = normalizeCloudTrailRecord(structuredClone(startInstances), 'direct', 'w');
    const first = normalizeCloudTrailRecord(startInstances, 'direct', 'w');
    const otherSourceIp = normalizeCloudTrailRecord(
      { ...startInstances, sourceIPAddress: '205.251.233.177' },
      'direct',
      'w',
    );
    expect(idOf(again)).toEqual(idOf(first));
    expect(idOf(otherSourceIp)).not.toEqual(idOf(first));
  });

  it('keeps the eventID of a record that has one, and does not mark it as derived', () => {
    const event = normalizeCloudTrailRecord({ ...startInstances, eventID: 'e-1' }, 's3', 'w');
    expect(event).toMatchObject({ id: 'e-1' });
    expect(event).not.toHaveProperty('idDerived');
  });

  it('gets an id even when nested 100,000 deep', () => {
    const deep = JSON.parse(
      `{"eventName":"X","eventTime":"t","requestParameters":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
    ) as unknown;
    expect(idOf(normalizeCloudTrailRecord(deep, 's3', 'w'))).toEqual({
      id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      idDerived: true,
    });
  });
});
