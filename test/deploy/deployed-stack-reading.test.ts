import { describe, expect, it } from 'vitest';
import { deploymentTimestamps } from '../e2e/deploy-project.js';
import { arnLikeCovers, parsePolicyDocument, resolveIntrinsics } from '../e2e/deploy-stack.js';

describe('reading what a deployment left, as the deploy test does', () => {
  it('reads a policy document given as URL-encoded JSON or as the Python literal moto returns', () => {
    const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['a:B'] }] };
    expect(parsePolicyDocument(encodeURIComponent(JSON.stringify(document)))).toEqual(document);
    expect(
      parsePolicyDocument(
        "{'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['a:B']}]}",
      ),
    ).toEqual(document);
    expect(parsePolicyDocument("{'Sid': 'it\\'s', 'Ok': True, 'No': None}")).toEqual({
      Sid: "it's",
      Ok: true,
      No: null,
    });
  });

  it('resolves Fn::Sub, Fn::GetAtt and Fn::Join as CloudFormation does, and names what it cannot', () => {
    const attributes = { 'LedgerTable.Arn': 'arn:aws:dynamodb:us-east-1:123456789012:table/t' };
    expect(
      resolveIntrinsics(
        [
          { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*' },
          { 'Fn::Join': ['/', [{ 'Fn::GetAtt': ['LedgerTable', 'Arn'] }, 'index', '*']] },
        ],
        attributes,
      ),
    ).toEqual([
      'arn:aws:logs:us-east-1:123456789012:log-group:*',
      'arn:aws:dynamodb:us-east-1:123456789012:table/t/index/*',
    ]);
    expect(() => resolveIntrinsics({ 'Fn::GetAtt': ['Queue', 'Arn'] }, attributes)).toThrow(
      'cannot resolve Fn::GetAtt Queue.Arn',
    );
  });

  it('matches an ArnLike pattern with * for any characters and nothing else special', () => {
    const pattern = 'arn:aws:logs:us-east-1:1:log-group:/var/log/*:*';
    expect(arnLikeCovers(pattern, 'arn:aws:logs:us-east-1:1:log-group:/var/log/secure:*')).toBe(
      true,
    );
    expect(arnLikeCovers(pattern, 'arn:aws:logs:us-east-1:1:log-group:/aws/lambda/x:*')).toBe(
      false,
    );
    expect(arnLikeCovers('arn:a.b', 'arn:aXb')).toBe(false);
  });

  it('takes the timestamps sls deploy list prints, oldest first', () => {
    const listing =
      '2026-11-30 14:07:10 UTC\nTimestamp: 1796047630527\nFiles:\n  - ec2State.zip\n' +
      '2026-11-30 14:08:19 UTC\nTimestamp: 1796047699785\nFiles:\n';
    expect(deploymentTimestamps(listing)).toEqual(['1796047630527', '1796047699785']);
    expect(deploymentTimestamps("Couldn't find any existing deployments.")).toEqual([]);
  });
});
