import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRuleDirectory, loadRules, parseRuleText, ruleFiles } from '../../src/rules/load.js';
import { formatProblem, RuleLoadError } from '../../src/rules/problems.js';
import { repoPath } from '../support/files.js';

const validRule = `id: sample-rule
description: A rule for tests.
kind: audit
severity: low
triggers:
  - source: ec2-state
    states: [running]
actions:
  - action: audit.record
`;

function problemsOf(text: string): string[] {
  return parseRuleText(text, 'rules/sample.yaml').problems.map(formatProblem);
}

describe('rule files', () => {
  it('loads every shipped rule', async () => {
    const rules = await loadRules(repoPath('rules'));
    const ids = rules.map((rule) => rule.id).sort();
    expect(ids.filter((id) => id.startsWith('cis-aws-4-'))).toEqual(
      Array.from({ length: 15 }, (_, index) => `cis-aws-4-${index + 1}`).sort(),
    );
    expect(ids.filter((id) => !id.startsWith('cis-aws-4-'))).toEqual([
      'cloudtrail-logging-stopped',
      'config-rule-noncompliant',
      'ec2-quarantine-released',
      'ec2-quarantined-instance-started',
      'ec2-require-imdsv2',
      'ec2-running-without-owner',
      'ec2-security-group-open-to-world',
      'ec2-tag-instance-creator',
      'guardduty-ec2-high-severity-finding',
      'iam-access-key-created-in-production',
      'iam-user-or-access-key-created',
      'lambda-task-timed-out',
      'log-group-without-retention',
      's3-bucket-made-public',
      'securityhub-cis-control-failed',
      'ssh-authentication-failure',
      'ssh-repeated-authentication-failures',
      'sweep-instances-without-imdsv2',
      'sweep-instances-without-owner',
      'sweep-log-groups-without-retention',
      'sweep-security-groups-open-to-world',
    ]);
  });

  it('points every shipped rule at the published schema, so editors check it', async () => {
    const files = await ruleFiles(repoPath('rules'));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const header = (await readFile(file, 'utf8')).split('\n')[0] ?? '';
      const match = /^# yaml-language-server: \$schema=(\S+)$/.exec(header);
      expect(match, file).not.toBeNull();
      expect(resolve(dirname(file), match?.[1] ?? ''), file).toBe(
        repoPath('schema/rule.schema.json'),
      );
    }
  });

  it('accepts a minimal rule and defaults its mode to dry-run', async () => {
    const loaded = parseRuleText(validRule, 'rules/sample.yaml');
    expect(loaded.problems).toEqual([]);
    expect(loaded.rule?.mode).toBeUndefined();
    const dir = await mkdtemp(join(tmpdir(), 'steward-rules-'));
    await writeFile(join(dir, 'sample.yaml'), validRule);
    const [rule] = await loadRules(dir);
    expect(rule?.mode).toBe('dry-run');
  });

  it('points at an unknown property with file, line and column', () => {
    expect(problemsOf(validRule.replace('severity: low', 'severity: low\nseverty: high'))).toEqual([
      'rules/sample.yaml:5:1: unknown property "severty"',
    ]);
  });

  it('names a value of the wrong type and where it is', () => {
    expect(problemsOf(validRule.replace('severity: low', 'severity: 3'))).toEqual([
      'rules/sample.yaml:4:11: severity must be one of "info", "low", "medium", "high", "critical"',
    ]);
  });

  it('rejects an EC2 state that does not exist', () => {
    expect(problemsOf(validRule.replace('states: [running]', 'states: [runing]'))).toEqual([
      'rules/sample.yaml:7:14: triggers[0].states[0] must be one of "pending", "running", "stopping", "stopped", "shutting-down", "terminated"',
    ]);
  });

  it('rejects an unknown action', () => {
    expect(problemsOf(validRule.replace('audit.record', 'ec2.reboot-everything'))).toEqual([
      expect.stringMatching(
        /^rules\/sample\.yaml:9:13: unknown action "ec2\.reboot-everything"; known actions: audit\.record, .*ec2\.stop-instances/,
      ),
    ]);
  });

  it("checks parameters against the action's schema", () => {
    const text = validRule.replace(
      '  - action: audit.record\n',
      '  - action: ec2.create-tags\n    params:\n      tags: []\n',
    );
    expect(problemsOf(text)).toEqual([
      'rules/sample.yaml:11:13: actions[0].params.tags must be object',
    ]);
  });

  it('rejects a destructive action unless the rule opts in', () => {
    const text = validRule.replace('audit.record', 'ec2.terminate-instances');
    expect(problemsOf(text)).toEqual([
      'rules/sample.yaml:9:13: "ec2.terminate-instances" is destructive: the rule must set allowDestructive: true to use it',
    ]);
    expect(problemsOf(`${text}allowDestructive: true\n`)).toEqual([]);
  });

  it('rejects an unknown placeholder in parameters', () => {
    const text = validRule.replace(
      '  - action: audit.record\n',
      "  - action: ec2.create-tags\n    params:\n      tags: { owner: '${user.name}' }\n",
    );
    expect(problemsOf(text)).toEqual([
      'rules/sample.yaml:11:7: unknown placeholder ${user.name} in the parameters of "ec2.create-tags"',
    ]);
  });

  it('rejects unknown facts and operators in conditions', () => {
    const text = `${validRule}conditions:\n  all:\n    - fact: weather\n      operator: equal\n      value: sunny\n    - fact: event\n      path: $.name\n      operator: looksLike\n      value: running\n`;
    const problems = problemsOf(text);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toBe(
      'rules/sample.yaml:12:13: unknown fact "weather"; known facts: event, record, instance, securityGroup, launchedBy, trail, logGroup',
    );
    expect(problems[1]).toMatch(
      /^rules\/sample\.yaml:17:17: unknown operator "looksLike"; known operators: equal, /,
    );
  });

  it('rejects a regular expression that does not compile, an unknown list and a bad range', () => {
    const text = `${validRule}conditions:\n  any:\n    - fact: record\n      path: $.errorCode\n      operator: matches\n      value: '^(Access'\n    - fact: event\n      path: $.actor.arn\n      operator: inList\n      value: admins\n    - fact: event\n      path: $.actor.sourceIp\n      operator: not:inCidr\n      value: [10.0.0.0/8, 300.0.0.0/8]\n`;
    expect(problemsOf(text)).toEqual([
      'rules/sample.yaml:15:14: the regular expression does not compile: error parsing regexp: missing closing ): `^(Access`',
      'rules/sample.yaml:19:14: unknown list "admins"; lists defined: none',
      'rules/sample.yaml:23:14: not:inCidr needs CIDR ranges as its value; "300.0.0.0/8" is not one',
    ]);
  });

  it('reads named lists from config/lists.yaml beside the rules, and reports a malformed one', async () => {
    const root = await mkdtemp(join(tmpdir(), 'steward-lists-'));
    await mkdir(join(root, 'rules'));
    await mkdir(join(root, 'config'));
    const listRule = `${validRule}conditions:\n  all:\n    - fact: event\n      path: $.resources[0]\n      operator: inList\n      value: watched\n`;
    await writeFile(join(root, 'rules', 'a.yaml'), listRule);
    await writeFile(
      join(root, 'config', 'lists.yaml'),
      'lists:\n  watched: [i-0123456789abcdef0]\n',
    );
    const [rule] = await loadRules(join(root, 'rules'));
    expect(rule?.lists.get('watched')?.has('i-0123456789abcdef0')).toBe(true);
    await writeFile(join(root, 'config', 'lists.yaml'), 'lists:\n  watched: i-0123456789abcdef0\n');
    const check = await checkRuleDirectory(join(root, 'rules'));
    expect(check.problems.map(formatProblem)).toEqual([
      `${join(root, 'config', 'lists.yaml')}:2:3: list "watched" must be a list of strings`,
      expect.stringMatching(/a\.yaml:15:14: unknown list "watched"; lists defined: none$/),
    ]);
  });

  it('rejects an errorCode match on a rule that leaves out failed calls', () => {
    const text = validRule.replace(
      '  - source: ec2-state\n    states: [running]',
      "  - source: cloudtrail\n    events: ['*']\n    match:\n      errorCode: ['AccessDenied*']",
    );
    expect(problemsOf(text)).toEqual([
      'rules/sample.yaml:9:7: matching errorCode needs includeFailedCalls: true',
    ]);
  });

  it('rejects a log filter it cannot apply', () => {
    const text = validRule.replace(
      '  - source: ec2-state\n    states: [running]',
      '  - source: cloudwatch-logs\n    logGroups: [/var/log/secure]\n    filter: \'{ $.level = "ERROR" }\'',
    );
    expect(problemsOf(text)).toEqual([
      'rules/sample.yaml:8:13: filter: JSON and space-delimited filter patterns are not supported; use terms and "quoted phrases"',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problemsOf('id: x\ndescription: [unclosed\n')).toEqual([
      expect.stringMatching(/^rules\/sample\.yaml:\d+:\d+: YAML: /),
    ]);
  });

  it('reports duplicate ids across files, and loadRules refuses the pack', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'steward-rules-'));
    await writeFile(join(dir, 'a.yaml'), validRule);
    await writeFile(join(dir, 'b.yaml'), validRule);
    const check = await checkRuleDirectory(dir);
    expect(check.problems.map((problem) => problem.message)).toEqual([
      expect.stringMatching(/^duplicate rule id "sample-rule", first defined in .*a\.yaml$/),
    ]);
    expect(check.problems[0]?.file).toMatch(/b\.yaml$/);
    expect(check.problems[0]?.line).toBe(1);
    await expect(loadRules(dir)).rejects.toBeInstanceOf(RuleLoadError);
  });
});
