import { describe, expect, it } from 'vitest';
import { parseLogKey } from '../../src/backtest/log-key.js';

describe('parseLogKey', () => {
  it('reads an organization trail key', () => {
    expect(
      parseLogKey('AWSLogs/o-abc1234567/111122223333/CloudTrail/eu-west-1/2026/10/31/x.json.gz'),
    ).toEqual({
      organization: 'o-abc1234567',
      account: '111122223333',
      region: 'eu-west-1',
      day: '2026-10-31',
    });
  });

  it('reads a single-account key under a trail prefix, and a local path', () => {
    expect(
      parseLogKey('trails/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/02/y.json'),
    ).toEqual({ account: '111122223333', region: 'us-east-1', day: '2026-01-02' });
    expect(
      parseLogKey('/data/copy/AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/02/y.json.gz'),
    ).toEqual({ account: '111122223333', region: 'us-east-1', day: '2026-01-02' });
  });

  it('is undefined off the layout', () => {
    expect(parseLogKey('AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/x.json.gz')).toBe(
      undefined,
    );
    expect(parseLogKey('AWSLogs/1111/CloudTrail/us-east-1/2026/01/02/x.json.gz')).toBe(undefined);
    expect(parseLogKey('MyAWSLogs/111122223333/CloudTrail/us-east-1/2026/01/02/x.json.gz')).toBe(
      undefined,
    );
    expect(parseLogKey('events/x.json')).toBe(undefined);
  });
});
