import { describe, expect, it } from 'vitest';
import { emptyBatch } from '../../src/sources/batch.js';
import {
  addS3Record,
  decodeCloudTrailSnsNotification,
  decodeS3Record,
} from '../../src/sources/s3-notification.js';
import { readAwsSample, readEventFile } from '../fixtures/sources/files.js';
import { isObject } from '../../src/json/fields.js';

function firstRecord(document: unknown): unknown {
  return isObject(document) && Array.isArray(document.Records) ? document.Records[0] : undefined;
}

const LOG_KEY =
  'AWSLogs/123456789012/CloudTrail/us-east-1/2025/01/15/123456789012_CloudTrail_us-east-1_20250115T1010Z_a.json.gz';

const NOT_A_LOG_FILE =
  'its key is not where CloudTrail writes log files (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz, or AWSLogs/o-<id>/<account>/CloudTrail/… for an organization trail)';

function s3Record(key: string, eventName = 'ObjectCreated:Put'): unknown {
  return { eventSource: 'aws:s3', eventName, s3: { bucket: { name: 'logs' }, object: { key } } };
}

describe('decodeS3Record', () => {
  it('names the CloudTrail log file of the SEKOIA sample', () => {
    const record = firstRecord(
      readAwsSample(
        'SEKOIA-automation-library__test_records_trigger__s3-objectcreated-cloudtrail-key-1.json',
      ),
    );
    expect(decodeS3Record(record, 'w')).toEqual({
      bucket: 'aws-cloudtrail-111111111111-3abc4c4f',
      key: 'AWSLogs/111111111111/CloudTrail/eu-west-2/2022/02/21/111111111111_CloudTrail_eu-west-2_20220221T1020Z_nTGkKkyO0OcwEIvv.json.gz',
    });
  });

  it('names the log file of events/s3-cloudtrail-object-created.json', () => {
    expect(
      decodeS3Record(firstRecord(readEventFile('s3-cloudtrail-object-created.json')), 'w'),
    ).toEqual({
      bucket: 'steward-cloudtrail-logs-123456789012',
      key: 'AWSLogs/123456789012/CloudTrail/us-east-1/2025/01/15/123456789012_CloudTrail_us-east-1_20250115T1010Z_Qm9vdFN0ZXdhcmQx.json.gz',
    });
  });

  it("URL-decodes the key, a trail's key prefix included", () => {
    expect(decodeS3Record(s3Record(`my+logs/a%2Bb%20c/${LOG_KEY}`), 'w')).toEqual({
      bucket: 'logs',
      key: `my logs/a+b c/${LOG_KEY}`,
    });
  });

  it("names an organization trail's log file", () => {
    const key =
      'AWSLogs/o-a1b2c3d4e5/222233334444/CloudTrail/ap-southeast-2/2025/01/15/222233334444_CloudTrail_ap-southeast-2_20250115T1010Z_x.json.gz';
    expect(decodeS3Record(s3Record(key), 'w')).toEqual({ bucket: 'logs', key });
  });

  it.each([
    ['a delete', s3Record(LOG_KEY, 'ObjectRemoved:Delete')],
    [
      'a digest file',
      s3Record('AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2025/01/15/x.json.gz'),
    ],
    ['a digest file at the bucket root', s3Record('CloudTrail-Digest/x.json.gz')],
    [
      'an Insights file',
      s3Record('AWSLogs/123456789012/CloudTrail-Insight/us-east-1/2025/01/15/x.json.gz'),
    ],
  ])('skips %s without error', (_case, record) => {
    expect(decodeS3Record(record, 'w')).toBeUndefined();
  });

  it.each([
    ['another kind of object', 'AWSLogs/123456789012/vpcflowlogs/x.log.gz'],
    ['a JSON file anywhere', 'exports/a.json'],
    ['a log file name at the root', '123456789012_CloudTrail_us-east-1_20250115T1010Z_a.json.gz'],
    ['an account of 11 digits', LOG_KEY.replace('AWSLogs/123456789012', 'AWSLogs/12345678901')],
    ['no region', 'AWSLogs/123456789012/CloudTrail/2025/01/15/a.json.gz'],
    ['a bad organization id', LOG_KEY.replace('AWSLogs/', 'AWSLogs/o-x/')],
  ])('does not read %s, and says why', (_case, key) => {
    expect(decodeS3Record(s3Record(key), 'w: Records[0]')).toEqual({
      message: `s3://logs/${key} is not read: ${NOT_A_LOG_FILE}`,
      where: 'w: Records[0]',
    });
  });

  it.each([
    [null, 'S3 notification record is not an object (got null)'],
    [{ eventSource: 'aws:s3' }, 'S3 notification record has no eventName'],
    [{ eventName: 'ObjectCreated:Put', s3: {} }, 'S3 notification record has no s3.bucket.name'],
    [
      { eventName: 'ObjectCreated:Put', s3: { bucket: { name: 'b' }, object: { key: 5 } } },
      'S3 notification record has no s3.object.key',
    ],
    [s3Record('bad%zzkey.json'), 'S3 object key is not validly URL-encoded: "bad%zzkey.json"'],
  ])('rejects %j', (record, message) => {
    expect(decodeS3Record(record, 'w: Records[0]')).toEqual({ message, where: 'w: Records[0]' });
  });

  it('adds objects and errors to a batch', () => {
    const batch = emptyBatch();
    addS3Record(batch, s3Record(LOG_KEY), 'w: Records[0]');
    addS3Record(batch, s3Record('a.txt'), 'w: Records[1]');
    addS3Record(batch, 3, 'w: Records[2]');
    addS3Record(batch, s3Record('CloudTrail-Digest/x.json.gz'), 'w: Records[3]');
    expect(batch).toEqual({
      events: [],
      errors: [
        { message: `s3://logs/a.txt is not read: ${NOT_A_LOG_FILE}`, where: 'w: Records[1]' },
        {
          message: 'S3 notification record is not an object (got a number)',
          where: 'w: Records[2]',
        },
      ],
      objects: [{ bucket: 'logs', key: LOG_KEY }],
    });
  });
});

describe('decodeCloudTrailSnsNotification', () => {
  it('names the log files in events/cloudtrail-sns-notification.json', () => {
    expect(
      decodeCloudTrailSnsNotification(readEventFile('cloudtrail-sns-notification.json'), 'w'),
    ).toEqual({
      events: [],
      errors: [],
      objects: [
        {
          bucket: 'steward-cloudtrail-logs-123456789012',
          key: 'AWSLogs/123456789012/CloudTrail/us-east-1/2025/01/15/123456789012_CloudTrail_us-east-1_20250115T1010Z_Qm9vdFN0ZXdhcmQx.json.gz',
        },
      ],
    });
  });

  it('takes raw keys and reports bad entries one by one', () => {
    const notification = {
      s3Bucket: 'b',
      s3ObjectKey: [`a+b/${LOG_KEY}`, 7, 'x/CloudTrail-Digest/d.json.gz', 'a+b.json.gz'],
    };
    expect(decodeCloudTrailSnsNotification(notification, 'w')).toEqual({
      events: [],
      errors: [
        { message: 's3ObjectKey entry is not a non-empty string', where: 'w: s3ObjectKey[1]' },
        {
          message: `s3://b/a+b.json.gz is not read: ${NOT_A_LOG_FILE}`,
          where: 'w: s3ObjectKey[3]',
        },
      ],
      objects: [{ bucket: 'b', key: `a+b/${LOG_KEY}` }],
    });
  });

  it.each([
    [null, 'CloudTrail SNS notification is not an object'],
    [{ s3ObjectKey: [] }, 'CloudTrail SNS notification has no s3Bucket'],
    [{ s3Bucket: 'b', s3ObjectKey: 'k' }, 'CloudTrail SNS notification has no s3ObjectKey array'],
  ])('rejects %j', (value, message) => {
    expect(decodeCloudTrailSnsNotification(value, 'w').errors).toEqual([{ message, where: 'w' }]);
  });
});
