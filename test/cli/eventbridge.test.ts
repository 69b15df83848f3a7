import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PipelineReport } from '../../src/pipeline.js';
import { repoPath } from '../support/files.js';
import { steward } from './support.js';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'steward-eventbridge-'));
  process.env.STEWARD_DATA_DIR = join(scratch, 'data');
});

describe('steward on EventBridge findings', () => {
  it('runs the Security Hub sample as three events, the CIS rule firing on the failed control only', async () => {
    const run = await steward(
      'run',
      repoPath('events/securityhub-findings-imported.json'),
      '--json',
    );
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as PipelineReport;
    expect(report.errors).toEqual([]);
    expect(
      report.events.map((event) => [event.name, event.matches.map((match) => match.rule)]),
    ).toEqual([
      ['Security Hub Findings - Imported', ['securityhub-cis-control-failed']],
      ['Security Hub Findings - Imported', []],
      ['Security Hub Findings - Imported', []],
    ]);
    const text = await steward('run', repoPath('events/securityhub-findings-imported.json'));
    expect(text.stdout).toContain('3 events from 1 input');
    // The same findings again: the ledger already holds the first run's plan.
    expect(text.stdout).toContain('audit.record AWS::::Account:123456789012: duplicate');
  });

  it('runs the Config sample, recording the non-compliant security group', async () => {
    const run = await steward('run', repoPath('events/config-compliance-change.json'), '--json');
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as PipelineReport;
    expect(report.events).toEqual([
      expect.objectContaining({
        source: 'eventbridge',
        name: 'Config Rules Compliance Change',
        resources: ['sg-0123456789abcdef0'],
        matches: [
          {
            rule: 'config-rule-noncompliant',
            actions: [expect.objectContaining({ action: 'audit.record', status: 'planned' })],
          },
        ],
      }),
    ]);
  });

  it('explains why a rule does not listen to a finding: the trigger and the value the record holds', async () => {
    const run = await steward(
      'explain',
      repoPath('events/securityhub-findings-imported.json'),
      '--rule',
      'securityhub-cis-control-failed',
    );
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toContain('  rule securityhub-cis-control-failed: fires');
    expect(lines).toContain(
      '    trigger 1: match detail.findings.Compliance.AssociatedStandards.StandardsId: the record holds "standards/aws-foundational-security-best-practices/v/1.0.0", not standards/cis-aws-foundations-benchmark/*',
    );
    expect(lines).toContain(
      '    trigger 2: match detail.findings.Workflow.Status: the record holds "RESOLVED", not NEW',
    );
    const json = await steward(
      'explain',
      repoPath('events/config-compliance-change.json'),
      '--rule',
      'securityhub-cis-control-failed',
      '--json',
    );
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({
        rules: [
          {
            rule: 'securityhub-cis-control-failed',
            candidate: false,
            triggers: [
              'trigger 1: listens to aws.securityhub, not "aws.config"',
              'trigger 2: listens to aws.securityhub, not "aws.config"',
            ],
          },
        ],
      }),
    ]);
  });

  it('refuses a forged event file, saying which source and why', async () => {
    const forged = join(scratch, 'forged.json');
    await writeFile(
      forged,
      JSON.stringify({
        version: '0',
        id: 'x',
        'detail-type': 'GuardDuty Finding',
        source: 'custom.guardduty',
        time: '2025-01-15T10:00:00Z',
        detail: { id: 'f', updatedAt: '2025-01-15T10:00:00Z' },
      }),
    );
    const run = await steward('run', forged);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `${forged}: EventBridge event "GuardDuty Finding" from source "custom.guardduty" is not believed: only AWS emits aws.* sources`,
    );
  });

  it('prints the findings function’s patterns', async () => {
    const run = await steward('patterns', repoPath('rules'));
    const patterns = JSON.parse(run.stdout) as { findings: { source: string[] }[] };
    expect(patterns.findings).toContainEqual({
      source: ['aws.config'],
      'detail-type': ['Config Rules Compliance Change'],
      detail: {
        messageType: ['ComplianceChangeNotification'],
        newEvaluationResult: { complianceType: ['NON_COMPLIANT'] },
      },
    });
  });

  it('rejects a rule listening to a source AWS does not own, naming the trigger, and an index in a match path', async () => {
    const rules = join(scratch, 'rules');
    await mkdir(rules);
    await writeFile(
      join(rules, 'forgeable.yaml'),
      [
        'id: forgeable',
        'description: x',
        'kind: audit',
        'severity: low',
        'triggers:',
        '  - source: eventbridge',
        '    sources: [aws.guardduty, acme.detector]',
        '    detailTypes: [GuardDuty Finding]',
        '  - source: eventbridge',
        '    sources: [aws.securityhub]',
        '    detailTypes: [Security Hub Findings - Imported]',
        '    match:',
        '      detail.findings.0.Compliance.Status: [FAILED]',
        'actions:',
        '  - action: audit.record',
        '',
      ].join('\n'),
    );
    const run = await steward('validate', rules);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')).toContain(
      `${join(rules, 'forgeable.yaml')}:7:30: triggers[0].sources[1] is not an AWS source: an eventbridge trigger listens to aws.* sources only (aws.guardduty, aws.securityhub…), which AWS alone can put on a bus`,
    );
    const file = join(rules, 'forgeable.yaml');
    await writeFile(file, (await readFile(file, 'utf8')).replace(', acme.detector', ''));
    const again = await steward('validate', rules);
    expect(again.stderr).toContain(
      'forgeable.yaml:13:44: match path detail.findings.0.Compliance.Status names the array index 0: a path through an array matches when any element matches, as in EventBridge, so leave the index out',
    );
  });
});
