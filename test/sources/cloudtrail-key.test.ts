import { describe, expect, it } from 'vitest';
import { classifyCloudTrailKey } from '../../src/sources/cloudtrail-key.js';

describe('classifyCloudTrailKey', () => {
  it.each([
    [
      'AWSLogs/123456789012/CloudTrail/us-east-1/2025/01/15/123456789012_CloudTrail_us-east-1_20250115T1010Z_a.json.gz',
      { kind: 'log-file', account: '123456789012', region: 'us-east-1' },
    ],
    [
      'AWSLogs/o-a1b2c3d4e5/222233334444/CloudTrail/us-gov-west-1/2025/01/15/x.json.gz',
      {
        kind: 'log-file',
        account: '222233334444',
        region: 'us-gov-west-1',
        organizationId: 'o-a1b2c3d4e5',
      },
    ],
    [
      'trail/prefix/AWSLogs/123456789012/CloudTrail/ap-southeast-2/2025/12/31/x.json.gz',
      { kind: 'log-file', account: '123456789012', region: 'ap-southeast-2' },
    ],
  ])('reads the account and region of %s', (key, expected) => {
    expect(classifyCloudTrailKey(key)).toEqual(expected);
  });

  it.each([
    'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2025/01/15/x.json.gz',
    'AWSLogs/o-a1b2c3d4e5/123456789012/CloudTrail-Insight/us-east-1/2025/01/15/x.json.gz',
  ])('knows %s holds no API calls', (key) => {
    expect(classifyCloudTrailKey(key)).toEqual({ kind: 'not-events' });
  });

  it.each([
    'AWSLogs/123456789012/CloudTrail/us-east-1/2025/01/15/x.json.gz/extra',
    'AWSLogs/123456789012/CloudTrail/US-EAST-1/2025/01/15/x.json.gz',
    'AWSLogs/123456789012/CloudTrail/us-east-1/2025/1/15/x.json.gz',
    'AWSLogs/123456789012/CloudTrail/us-east-1/2025/01/15/.json',
    'xAWSLogs/123456789012/CloudTrail/us-east-1/2025/01/15/x.json.gz',
  ])('calls %s another object', (key) => {
    expect(classifyCloudTrailKey(key)).toEqual({ kind: 'other' });
  });
});
