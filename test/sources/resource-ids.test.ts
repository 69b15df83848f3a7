import { describe, expect, it } from 'vitest';
import { apiResourceId, apiResourceIds } from '../../src/sources/findings/resource-ids.js';

describe('the resources a finding names, as the AWS APIs take them', () => {
  it.each([
    ['arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0', 'i-0123456789abcdef0'],
    ['arn:aws-us-gov:ec2:us-gov-west-1:123456789012:instance/i-0abc', 'i-0abc'],
    ['arn:aws-cn:ec2:cn-north-1:123456789012:instance/i-1', 'i-1'],
  ])('an instance ARN %s is its instance id', (arn, id) => {
    expect(apiResourceId(arn)).toBe(id);
  });

  it.each([
    'arn:aws:ec2:us-east-1:123456789012:security-group/sg-0123456789abcdef0',
    'arn:aws:ec2:us-east-1:123456789012:volume/vol-0123456789abcdef0',
    'arn:aws:s3:::orders-exports',
    'AWS::::Account:123456789012',
    'i-0123456789abcdef0',
    // Not an instance id after the slash: kept as written.
    'arn:aws:ec2:us-east-1:123456789012:instance/web-1',
    'arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789abcdef0/extra',
  ])('%s is kept', (resource) => {
    expect(apiResourceId(resource)).toBe(resource);
  });

  it('names each resource once, in order', () => {
    expect(
      apiResourceIds(['arn:aws:ec2:us-east-1:123456789012:instance/i-1a', 'sg-1', 'i-1a', 'sg-1']),
    ).toEqual(['i-1a', 'sg-1']);
  });
});
