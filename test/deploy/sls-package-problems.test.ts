import { execFile } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { copyProject } from '../support/project-copy.js';

const brokenRule = `id: broken-rule
description: A rule with two mistakes.
kind: audit
severity: low
trigger:
  source: ec2-state
actions:
  - action: audit.record
`;

let project: string;

beforeAll(async () => {
  project = await copyProject('steward-broken-project-');
  await writeFile(join(project, 'rules', 'broken-rule.yaml'), brokenRule);
});

/** `sls package` in the copy, as a user runs it: exit code and everything it printed. */
async function slsPackage(...args: string[]): Promise<{ code: number; printed: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      [join(project, 'node_modules/osls/bin/serverless.js'), 'package', ...args],
      {
        cwd: project,
        env: {
          ...process.env,
          SLS_TELEMETRY_DISABLED: '1',
          SLS_NOTIFICATIONS_MODE: 'off',
          AWS_EC2_METADATA_DISABLED: 'true',
        },
        timeout: 120_000,
      },
    );
    return { code: 0, printed: stdout + stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, printed: stdout + stderr };
  }
}

function occurrences(text: string, line: string): number {
  return text.split('\n').filter((printed) => printed === line).length;
}

describe('sls package of a project with a broken rule', () => {
  it('prints each problem once, with where it is, and no stack trace', async () => {
    const { code, printed } = await slsPackage();
    expect(code).toBe(1);
    expect(occurrences(printed, '2 problems in the rules:')).toBe(1);
    expect(
      occurrences(printed, 'rules/broken-rule.yaml:1:1: missing required property "triggers"'),
    ).toBe(1);
    expect(occurrences(printed, 'rules/broken-rule.yaml:5:1: unknown property "trigger"')).toBe(1);
    expect(printed).not.toMatch(/^\s+at /m);
    expect(printed).not.toContain('Cannot resolve variable');
  });

  it('prints a bad deploy parameter once, without a stack trace', async () => {
    await rm(join(project, 'rules', 'broken-rule.yaml'));
    const { code, printed } = await slsPackage('--param=organizationId=org-1');
    await writeFile(join(project, 'rules', 'broken-rule.yaml'), brokenRule);
    expect(code).toBe(1);
    expect(printed.match(/organizationId/g)).toHaveLength(1);
    expect(printed).not.toMatch(/^\s+at /m);
  });

  it('prints a sweep region it would refuse once, without a stack trace', async () => {
    await rm(join(project, 'rules', 'broken-rule.yaml'));
    const { code, printed } = await slsPackage('--param=sweepRegions=us-east-1,useast2');
    await writeFile(join(project, 'rules', 'broken-rule.yaml'), brokenRule);
    expect(code).toBe(1);
    expect(
      occurrences(
        printed,
        'deploy parameter sweepRegions: "useast2" is not a region name (such as us-east-1)',
      ),
    ).toBe(1);
    expect(printed).not.toMatch(/^\s+at /m);
  });

  it('prints a metrics namespace CloudWatch would refuse once, without a stack trace', async () => {
    await rm(join(project, 'rules', 'broken-rule.yaml'));
    const { code, printed } = await slsPackage('--param=metricsNamespace=AWS/steward');
    await writeFile(join(project, 'rules', 'broken-rule.yaml'), brokenRule);
    expect(code).toBe(1);
    expect(
      occurrences(
        printed,
        'deploy parameter metricsNamespace: "AWS/steward" starts with "AWS/", which CloudWatch keeps for AWS’s own metrics',
      ),
    ).toBe(1);
    expect(printed).not.toMatch(/^\s+at /m);
  });

  it('prints a cron schedule EventBridge would refuse once, naming its rule', async () => {
    await rm(join(project, 'rules', 'broken-rule.yaml'));
    const sweep = join(project, 'rules', 'five-field-cron.yaml');
    await writeFile(
      sweep,
      [
        'id: five-field-cron',
        'description: A sweep on a cron of five fields.',
        'kind: audit',
        'severity: low',
        'triggers:',
        '  - source: schedule',
        "    schedule: 'cron(0 6 * * 1)'",
        '    resources: log-groups',
        'actions:',
        '  - action: audit.record',
        '',
      ].join('\n'),
    );
    const { code, printed } = await slsPackage();
    await rm(sweep);
    await writeFile(join(project, 'rules', 'broken-rule.yaml'), brokenRule);
    expect(code).toBe(1);
    expect(
      occurrences(
        printed,
        "rules/five-field-cron.yaml: rule five-field-cron: schedule cron(0 6 * * 1) has 5 fields, and EventBridge's cron takes 6 (minutes hours day-of-month month day-of-week year), e.g. cron(0 6 * * ? *)",
      ),
    ).toBe(1);
    expect(printed).not.toMatch(/^\s+at /m);
  });
});
