import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PipelineReport } from '../../src/pipeline.js';
import { steward } from '../cli/support.js';
import { repoPath } from '../support/files.js';

beforeAll(async () => {
  process.env.STEWARD_DATA_DIR = join(await mkdtemp(join(tmpdir(), 'steward-notes-')), 'data');
});

/** The actions the shipped rule took on the one event of the sample, as `steward run` reports. */
async function actionsOf(sample: string, rule: string) {
  const run = await steward('run', repoPath(sample), '--json');
  const report = JSON.parse(run.stdout) as PipelineReport;
  return report.events[0]?.matches.find((match) => match.rule === rule)?.actions ?? [];
}

describe('the shipped rules’ findings', () => {
  it('say what the revoke would do in a dry run, not that it was done', async () => {
    const group = 'sg-0123456789abcdef0';
    const actions = await actionsOf(
      'events/cloudtrail-authorize-sg-ingress-world-ssh.json',
      'ec2-security-group-open-to-world',
    );
    expect(actions.map(({ action, status }) => `${action} ${status}`)).toEqual([
      'ec2.revoke-security-group-ingress planned',
      'audit.record planned',
    ]);
    expect(actions[1]?.detail).toBe(
      `would record a high finding of ec2-security-group-open-to-world on ${group} for ` +
        'cloudtrail AuthorizeSecurityGroupIngress: Ingress opened to every address; ' +
        `ec2.revoke-security-group-ingress on ${group}: planned: would revoke tcp 22 from 0.0.0.0/0 on ${group}`,
    );
  });

  it('say what restarting the trail would do, for a stopped trail', async () => {
    const actions = await actionsOf(
      'events/cloudtrail-stop-logging.json',
      'cloudtrail-logging-stopped',
    );
    expect(actions[1]?.detail).toMatch(
      /: CloudTrail logging was stopped; cloudtrail\.start-logging on \S+: planned: would /,
    );
    expect(actions[1]?.detail).not.toContain('turned it back on');
  });
});
