import { describe, expect, it } from 'vitest';
import { SourceTrust, TrustConfigError } from '../../src/sources/trust.js';

describe('SourceTrust', () => {
  it('believes no log group as CloudTrail by default', () => {
    expect(new SourceTrust().isCloudTrailLogGroup('aws-cloudtrail-logs-123456789012')).toBe(false);
    expect(SourceTrust.fromEnv({}).cloudTrailLogGroups.size).toBe(0);
    expect(
      SourceTrust.fromEnv({ STEWARD_CLOUDTRAIL_LOG_GROUPS: ' , ' }).cloudTrailLogGroups.size,
    ).toBe(0);
  });

  it('reads STEWARD_CLOUDTRAIL_LOG_GROUPS as names, comma-separated, blanks around them ignored', () => {
    const trust = SourceTrust.fromEnv({
      STEWARD_CLOUDTRAIL_LOG_GROUPS:
        ' org-trail,aws-cloudtrail-logs-123456789012 ,,/aws/cloudtrail/#main',
    });
    expect([...trust.cloudTrailLogGroups]).toEqual([
      'org-trail',
      'aws-cloudtrail-logs-123456789012',
      '/aws/cloudtrail/#main',
    ]);
    expect(trust.isCloudTrailLogGroup('org-trail')).toBe(true);
    // Exact names: neither a prefix nor another case is the same group.
    expect(trust.isCloudTrailLogGroup('org')).toBe(false);
    expect(trust.isCloudTrailLogGroup('ORG-TRAIL')).toBe(false);
  });

  it.each([
    [
      'arn:aws:logs:us-east-1:123456789012:log-group:org-trail',
      '"arn:aws:logs:us-east-1:123456789012:log-group:org-trail"',
    ],
    ['org trail', '"org trail"'],
    ['x'.repeat(513), `"${'x'.repeat(513)}"`],
  ])('refuses %j in the variable, naming it and the entry', (entry, shown) => {
    let caught: unknown;
    try {
      SourceTrust.fromEnv({ STEWARD_CLOUDTRAIL_LOG_GROUPS: `org-trail,${entry}` });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(TrustConfigError);
    expect((caught as TrustConfigError).setting).toBe('STEWARD_CLOUDTRAIL_LOG_GROUPS');
    expect((caught as Error).message).toBe(
      `STEWARD_CLOUDTRAIL_LOG_GROUPS: ${shown} is not a log group name (1 to 512 of letters, digits and _ . - / #)`,
    );
  });

  it('names the option when the names are given in code', () => {
    expect(() => new SourceTrust([''])).toThrow(
      'cloudTrailLogGroups: "" is not a log group name (1 to 512 of letters, digits and _ . - / #)',
    );
  });
});
