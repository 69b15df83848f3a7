import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conditionPathWarnings } from '../../src/rules/condition-paths.js';
import { checkRuleDirectory } from '../../src/rules/load.js';
import { formatWarning } from '../../src/rules/problems.js';
import { eventFileScope } from '../../src/rules/rule-tests.js';
import { repoPath } from '../support/files.js';
import { steward } from '../cli/support.js';

const record = `
      eventVersion: '1.10'
      userIdentity: { type: IAMUser, arn: 'arn:aws:iam::123456789012:user/alice', accountId: '123456789012' }
      eventTime: '2025-01-15T14:20:00Z'
      eventSource: logs.amazonaws.com
      eventName: CreateLogGroup
      awsRegion: us-east-1
      eventID: 1d5c7e2a-0000-4000-8000-000000000001
      eventType: AwsApiCall
      recipientAccountId: '123456789012'
      requestParameters: { logGroupName: /app/web }`;

function ruleWith(conditions: string, tests: string): string {
  return `id: sample-rule
description: A rule for tests.
kind: audit
severity: low
triggers:
  - source: cloudtrail
    eventSource: logs.amazonaws.com
    events: [CreateLogGroup]
conditions:
${conditions}
actions:
  - action: audit.record
tests:
${tests}`;
}

const oneTest = `  - name: a log group is created
    event:${record}
    expect:
      fires: true
`;

async function warningsOf(text: string): Promise<string[]> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-paths-'));
  await mkdir(join(dir, 'rules'));
  await writeFile(join(dir, 'rules', 'sample.yaml'), text);
  const check = await checkRuleDirectory(join(dir, 'rules'));
  expect(check.problems).toEqual([]);
  const warnings = await conditionPathWarnings(
    check.files,
    await eventFileScope(join(dir, 'rules')),
  );
  return warnings.map((warning) => formatWarning({ ...warning, file: 'sample.yaml' }));
}

describe('condition paths absent from the rule tests', () => {
  it('warns, at the path, when no test event holds it', async () => {
    const text = ruleWith(
      `  all:
    - fact: record
      path: $.requestParameters.logGroupName
      operator: startsWith
      value: /app/
    - fact: record
      path: $.requestParameter.retentionInDays
      operator: exists
      value: true`,
      oneTest,
    );
    expect(await warningsOf(text)).toEqual([
      `sample.yaml:16:13: warning: path "$.requestParameter.retentionInDays" of fact "record" is in none of this rule's test events: is it misspelt?`,
    ]);
  });

  it('is satisfied when one test event of several holds the path', async () => {
    const text = ruleWith(
      `  any:
    - fact: record
      path: $.requestParameters.kmsKeyId
      operator: exists
      value: true`,
      `${oneTest}  - name: an encrypted log group is created
    event:${record.replace('{ logGroupName: /app/web }', '{ logGroupName: /app/web, kmsKeyId: k }')}
    expect:
      fires: true
`.replace('fires: true\n  - name', 'fires: false\n  - name'),
    );
    expect(await warningsOf(text)).toEqual([]);
  });

  it('leaves alone conditions that want the path absent, and facts no test provides', async () => {
    const text = ruleWith(
      `  all:
    - fact: record
      path: $.requestParameters.kmsKeyId
      operator: absent
      value: true
    - not:
        fact: record
        path: $.requestParameters.retention
        operator: exists
        value: false
    - fact: logGroup
      path: $.retentionInDays
      operator: exists
      value: false`,
      oneTest,
    );
    expect(await warningsOf(text)).toEqual([]);
  });

  it('reads lazy facts from the stubs of the tests', async () => {
    const text = ruleWith(
      `  all:
    - fact: logGroup
      path: $.retentionInDay
      operator: exists
      value: true`,
      oneTest.replace(
        '    expect:',
        '    facts:\n      logGroup: { retentionInDays: 30 }\n    expect:',
      ),
    );
    expect(await warningsOf(text)).toEqual([
      `sample.yaml:12:13: warning: path "$.retentionInDay" of fact "logGroup" is in none of this rule's test events: is it misspelt?`,
    ]);
  });

  it('has nothing to say about the shipped rules', async () => {
    const check = await checkRuleDirectory(repoPath('rules'));
    const warnings = await conditionPathWarnings(
      check.files,
      await eventFileScope(repoPath('rules')),
    );
    expect(warnings.map(formatWarning)).toEqual([]);
  });

  it('steward validate prints the warning with its place and still exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-paths-'));
    const text = ruleWith(
      `  all:
    - fact: event
      path: $.actor.mfaUsd
      operator: equal
      value: false`,
      oneTest,
    );
    await writeFile(join(dir, 'sample.yaml'), text);
    const run = await steward('validate', dir);
    expect(run).toEqual({
      code: 0,
      stdout: '1 rule file valid\n',
      stderr: `${join(dir, 'sample.yaml')}:12:13: warning: path "$.actor.mfaUsd" of fact "event" is in none of this rule's test events: is it misspelt?\n`,
    });
  });
});
