import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { PipelineReport } from '../../src/pipeline.js';
import type { RuleDocument } from '../../src/rules/rule.js';
import { steward } from '../cli/support.js';
import { repoPath } from '../support/files.js';

/** What each starter sweep plans, action by action, on the swept resource of its test that fires. */
const planned: Record<string, string[]> = {
  'sweep-instances-without-owner': [
    'ec2.create-tags i-0123456789abcdef0: would tag i-0123456789abcdef0 with steward:violation=missing-owner-tag',
    'ec2.stop-instances i-0123456789abcdef0: would stop i-0123456789abcdef0',
    'ec2.create-tags i-0123456789abcdef2: would tag i-0123456789abcdef2 with steward:violation=missing-owner-tag',
    'ec2.stop-instances i-0123456789abcdef2: would stop i-0123456789abcdef2',
  ],
  'sweep-instances-without-imdsv2': [
    'ec2.modify-instance-metadata-options i-0123456789abcdef0: would require IMDSv2 on i-0123456789abcdef0',
    'audit.record i-0123456789abcdef0',
  ],
  'sweep-log-groups-without-retention': [
    'logs.put-retention-policy /app/orders-api: would keep the events of log group /app/orders-api for 365 days',
  ],
  'sweep-security-groups-open-to-world': [
    'ec2.revoke-security-group-ingress sg-0123456789abcdef0: would revoke tcp 22 from 0.0.0.0/0 on sg-0123456789abcdef0',
    'audit.record sg-0123456789abcdef0',
    'ec2.revoke-security-group-ingress sg-0123456789abcdef1: would revoke all traffic from ::/0 on sg-0123456789abcdef1',
    'audit.record sg-0123456789abcdef1',
  ],
};

let report: PipelineReport;
const sweeps: RuleDocument[] = [];

beforeAll(async () => {
  process.env.STEWARD_DATA_DIR = join(await mkdtemp(join(tmpdir(), 'steward-sweeps-')), 'data');
  // The sweep events of the rules' own tests that fire, each in a file as `steward run` reads it.
  const events = await mkdtemp(join(tmpdir(), 'steward-sweep-events-'));
  const dir = repoPath('rules/sweeps');
  for (const file of (await readdir(dir)).sort()) {
    const rule = parse(await readFile(join(dir, file), 'utf8')) as RuleDocument;
    sweeps.push(rule);
    for (const [index, test] of (rule.tests ?? []).entries())
      if (test.expect.fires)
        await writeFile(join(events, `${rule.id}-${index}.json`), JSON.stringify(test.event));
  }
  const run = await steward('run', events, '--json');
  expect(run.stderr).toBe('');
  report = JSON.parse(run.stdout) as PipelineReport;
});

describe('the starter sweeps', () => {
  it('are the four of the pack, each a dry-run schedule rule', () => {
    expect(Object.keys(planned).sort()).toEqual(
      [
        ...new Set(report.events.flatMap((event) => event.matches.map((match) => match.rule))),
      ].sort(),
    );
  });

  it('plan each action on the swept resource, from what the sweep described alone', () => {
    expect(report.errors).toEqual([]);
    for (const [rule, expected] of Object.entries(planned)) {
      const actions = report.events.flatMap((event) =>
        event.matches.filter((match) => match.rule === rule).flatMap((match) => match.actions),
      );
      expect(
        actions.map(({ action, resource, status, detail }) => {
          expect(status, `${rule} ${action}`).toBe('planned');
          return action === 'audit.record'
            ? `${action} ${resource}`
            : `${action} ${resource}: ${detail}`;
        }),
        rule,
      ).toEqual(expected);
    }
  });
});
