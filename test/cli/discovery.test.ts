import { describe, expect, it } from 'vitest';
import { actionCatalog } from '../../src/actions/catalog.js';
import { factCatalog } from '../../src/facts/catalog.js';
import { operatorCatalog } from '../../src/rules/conditions/operator-catalog.js';
import { steward } from './support.js';

/** The first column of a table's rows, without the header or the lines a long cell wraps onto. */
function firstColumn(text: string): string[] {
  return text
    .trimEnd()
    .split('\n')
    .slice(1)
    .filter((line) => !line.startsWith(' '))
    .map((line) => line.split(/\s+/)[0] ?? '');
}

describe('steward actions', () => {
  it('lists every action of the catalog, one line each', async () => {
    const run = await steward('actions');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(/^ACTION\s+DOES$/);
    expect(firstColumn(run.stdout)).toEqual([...actionCatalog.keys()]);
    expect(run.stdout).toContain(
      'ec2.stop-instances                    Stop running EC2 instances.',
    );
  });

  it('shows one action: parameters, permissions, origin states and an example', async () => {
    const run = await steward('actions', 'ec2.stop-instances');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(
      [
        'ec2.stop-instances: Stop running EC2 instances.',
        '',
        'parameters:',
        '  hibernate  boolean, default false, hibernate the instance instead of stopping it',
        'IAM permissions: ec2:DescribeInstances, ec2:StopInstances',
        'origin states: running (a resource in any other state is skipped)',
        'destructive: no',
        '',
        'example:',
        '  actions:',
        '    - action: ec2.stop-instances',
        '',
      ].join('\n'),
    );
  });

  it('marks required parameters and destructive actions', async () => {
    const tags = await steward('actions', 'ec2.delete-tags');
    expect(tags.stdout).toMatch(/^ {2}keys {2}required, list of string/m);
    const terminate = await steward('actions', 'ec2.terminate-instances');
    expect(terminate.stdout).toContain(
      'destructive: yes, the rule must set allowDestructive: true',
    );
    expect(terminate.stdout).toContain('  allowDestructive: true');
    const audit = await steward('actions', 'audit.record');
    expect(audit.stdout).toContain('IAM permissions: none\norigin states: any\n');
  });

  it('gives the catalog as JSON, all of it or one entry', async () => {
    const all = await steward('actions', '--json');
    expect(all.code).toBe(0);
    const listed = JSON.parse(all.stdout) as { name: string; permissions: string[] }[];
    expect(listed.map((entry) => entry.name)).toEqual([...actionCatalog.keys()]);
    const one = await steward('actions', 'cloudtrail.start-logging', '--json');
    expect(JSON.parse(one.stdout)).toEqual({
      name: 'cloudtrail.start-logging',
      description: 'Start logging on a CloudTrail trail that was stopped.',
      parameters: { type: 'object', additionalProperties: false, properties: {} },
      permissions: ['cloudtrail:GetTrailStatus', 'cloudtrail:StartLogging'],
      originStates: ['not logging'],
      destructive: false,
      example: actionCatalog.get('cloudtrail.start-logging')?.example,
    });
  });

  it('refuses an unknown action with the nearest name, exit 2', async () => {
    const run = await steward('actions', 'ec2.stop-instance');
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      /^steward actions: unknown action "ec2\.stop-instance"; did you mean "ec2\.stop-instances"\?\nknown actions: audit\.record, /,
    );
  });

  it('names no action when none is near', async () => {
    const run = await steward('actions', 'reboot');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^steward actions: unknown action "reboot"\nknown actions: /);
    expect(run.stderr).not.toContain('did you mean');
  });

  it('prints a hostile name escaped, on one line', async () => {
    const run = await steward('actions', 'ec2\u001b[31m\nforged: ok\u202e');
    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toBe(
      'steward actions: unknown action "ec2\\u001b[31m\\nforged: ok\\u202e"',
    );
  });

  it('refuses two names and unknown options with the usage, exit 2', async () => {
    const two = await steward('actions', 'audit.record', 'notify.sns');
    expect(two).toEqual({
      code: 2,
      stdout: '',
      stderr: 'steward actions: usage: steward actions [NAME] [--json]\n',
    });
    const option = await steward('actions', '--jsn');
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^steward actions: Unknown option '--jsn'/);
  });
});

describe('steward operators', () => {
  it("lists json-rules-engine's operators and steward's", async () => {
    const run = await steward('operators');
    expect(run.code).toBe(0);
    expect(firstColumn(run.stdout)).toEqual([...operatorCatalog.keys()]);
    expect(run.stdout).toMatch(/^equal\s+json-rules-engine\s+the value is exactly/m);
    expect(run.stdout).toMatch(/^notInList\s+steward\s+no string is a member of the named list$/m);
  });

  it('shows the value an operator takes, its decorators and an example', async () => {
    const run = await steward('operators', 'olderThan');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'value: string, matching ^\\d{1,9}[smhdw]$, a duration: 45s, 30m, 12h, 90d, 2w\n',
    );
    expect(run.stdout).toContain('not:olderThan holds when olderThan does not');
    expect(run.stdout).toContain(
      '      - {fact: instance, path: $.launchTime, operator: olderThan, value: 90d}',
    );
  });

  it('shows the operator behind a decorator', async () => {
    const run = await steward('operators', 'not:matches');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^matches \(steward\): holds when the string matches/);
    const unknown = await steward('operators', 'not:looksLike');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^steward operators: unknown operator "not:looksLike"/);
  });

  it('gives JSON and refuses an unknown operator with the nearest name', async () => {
    const json = JSON.parse((await steward('operators', 'worldOpen', '--json')).stdout) as {
      provider: string;
      value: unknown;
    };
    expect(json).toMatchObject({ provider: 'steward', value: { type: 'boolean' } });
    const run = await steward('operators', 'notInlist');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown operator "notInlist"; did you mean "notInList"\?/);
  });
});

describe('steward facts', () => {
  it('lists the event facts and the lazy ones with the IAM each needs', async () => {
    const run = await steward('facts');
    expect(run.code).toBe(0);
    expect(firstColumn(run.stdout)).toEqual([...factCatalog.keys()]);
    expect(run.stdout).toMatch(/^record\s+the event\s+-\s+The record as AWS sent it\.$/m);
    expect(run.stdout).toMatch(/^trail\s+AWS call\s+cloudtrail:GetTrailStatus\s+/m);
  });

  it('shows a fact: fields, permissions, whether it is lazy, an example', async () => {
    const run = await steward('facts', 'securityGroup');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^fields: groupId, groupName, vpcId, tags, ingress/m);
    expect(run.stdout).toContain('IAM permissions: ec2:DescribeSecurityGroups\n');
    expect(run.stdout).toMatch(/^lazy: read from AWS only when a condition reads it/m);
    expect(run.stdout).toContain("        path: '$.ingress[*].cidrs[*]'");
  });

  it('gives JSON and refuses an unknown fact with the nearest name', async () => {
    const json = JSON.parse((await steward('facts', '--json', 'event')).stdout) as unknown;
    expect(json).toMatchObject({ name: 'event', lazy: false, permissions: [] });
    const run = await steward('facts', 'instanse');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown fact "instanse"; did you mean "instance"\?/);
  });
});

describe('the discovery commands', () => {
  it('keep every table and detail within 100 columns, the examples as written', async () => {
    const catalogs: [string, Iterable<string>][] = [
      ['actions', actionCatalog.keys()],
      ['operators', operatorCatalog.keys()],
      ['facts', factCatalog.keys()],
    ];
    for (const [command, names] of catalogs) {
      for (const name of [undefined, ...names]) {
        const { stdout } = await steward(command, ...(name === undefined ? [] : [name]));
        const prose = stdout.split('\nexample:\n')[0] ?? '';
        const wide = prose.split('\n').filter((line) => line.length > 100);
        expect({ command, name, wide }).toEqual({ command, name, wide: [] });
      }
    }
    const matches = await steward('operators', 'matches');
    expect(matches.stdout).toContain(
      "      - {fact: record, path: $.message, operator: matches, value: 'sshd\\[\\d+\\]: Failed password'}\n",
    );
  });
});

describe('steward --help', () => {
  it('names the discovery commands', async () => {
    const run = await steward('--help');
    for (const usage of [
      'steward actions [NAME] [--json]',
      'steward operators [NAME] [--json]',
      'steward facts [NAME] [--json]',
    ])
      expect(run.stdout).toContain(usage);
    expect((await steward('facts', '--help')).stdout).toBe(
      'usage: steward facts [NAME] [--json]\n',
    );
  });
});
