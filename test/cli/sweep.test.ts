import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { steward } from './support.js';

let rulesDir: string;

const header = 'description: test\nkind: audit\nseverity: low\n';

beforeAll(async () => {
  rulesDir = await mkdtemp(join(tmpdir(), 'steward-sweep-cli-'));
  await writeFile(
    join(rulesDir, 'retention.yaml'),
    `id: retention\n${header}triggers:\n  - source: schedule\n    schedule: rate(1 day)\n    resources: log-groups\nactions:\n  - action: audit.record\n`,
  );
  await writeFile(
    join(rulesDir, 'running.yaml'),
    `id: running\n${header}triggers:\n  - source: ec2-state\n    states: [running]\nactions:\n  - action: audit.record\n`,
  );
});

describe('steward sweep', () => {
  it('without a rule prints its usage, exit 2', async () => {
    const run = await steward('sweep', '--rules', rulesDir);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^steward sweep: usage: steward sweep RULE \[--live\]/);
  });

  it('for an unknown rule says so, exit 2', async () => {
    const run = await steward('sweep', 'nope', '--rules', rulesDir);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: 'steward sweep: no rule "nope" in the rules\n',
    });
  });

  it('for a rule without a schedule trigger says so, exit 2', async () => {
    const run = await steward('sweep', 'running', '--rules', rulesDir);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'steward sweep: rule running has no schedule trigger (its triggers: ec2-state): only a rule with one can be swept\n',
    });
  });

  it.each([
    [['--regions', 'us-east-1,mars'], '--regions: "mars" is not a region name (such as us-east-1)'],
    [['--regions', ' , '], '--regions: no region given'],
    [['--accounts', '12345'], '--accounts: "12345" is not a 12-digit account id'],
  ])('with %j says what is wrong, exit 2', async (options, message) => {
    const run = await steward('sweep', 'retention', '--rules', rulesDir, ...options);
    expect(run).toEqual({ code: 2, stdout: '', stderr: `steward sweep: ${message}\n` });
  });

  it('is listed in the help, with what it does with and without --live', async () => {
    const run = await steward('--help');
    expect(run.stdout).toContain('steward sweep RULE [--live] [--rules DIR]');
    expect(run.stdout).toContain('--live acts as the sweep function does');
  });
});
