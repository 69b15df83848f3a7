import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, realpath, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventFileScope, runRuleTests } from '../../src/rules/rule-tests.js';
import { repoPath } from '../support/files.js';

let scratch: string;

beforeAll(async () => {
  scratch = await realpath(await mkdtemp(join(tmpdir(), 'steward-event-files-')));
});

/** A rule firing on running instances, with one test per event file. */
function ruleText(eventFiles: readonly string[]): string {
  return [
    'id: running-instance',
    'description: x',
    'kind: audit',
    'severity: low',
    'triggers:',
    '  - source: ec2-state',
    '    states: [running]',
    'actions:',
    '  - action: audit.record',
    'tests:',
    ...eventFiles.flatMap((file) => [
      `  - name: ${file}`,
      `    eventFile: ${file}`,
      '    expect: { fires: true }',
    ]),
    '',
  ].join('\n');
}

async function project(name: string, withPackageJson: boolean): Promise<string> {
  const root = join(scratch, name);
  await mkdir(join(root, 'rules'), { recursive: true });
  await mkdir(join(root, 'events'));
  if (withPackageJson) await writeFile(join(root, 'package.json'), '{"name":"x"}');
  await copyFile(repoPath('events/ec2-running.json'), join(root, 'events/running.json'));
  return root;
}

async function outcomes(rulesDir: string): Promise<Record<string, string[]>> {
  const run = await runRuleTests(rulesDir);
  expect(run.problems).toEqual([]);
  return Object.fromEntries(
    run.results.map((result) => [result.test, result.passed ? ['passed'] : result.differences]),
  );
}

describe('rule test event files', () => {
  it('reads files inside the project that holds the rules and refuses the rest', async () => {
    const root = await project('with-package-json', true);
    const rules = join(root, 'rules');
    await writeFile(join(scratch, 'outside.json'), '{}');
    await symlink('/etc/passwd', join(rules, 'passwd-link.json'));
    await symlink('../events/running.json', join(rules, 'running-link.json'));
    execFileSync('mkfifo', [join(root, 'events/pipe.json')]);
    await mkdir(join(root, 'events/a-directory'));
    const files = [
      '../events/running.json',
      'running-link.json',
      '/etc/shadow',
      '/dev/zero',
      '../../outside.json',
      'passwd-link.json',
      '../events/pipe.json',
      '../events/a-directory',
      '../events/missing.json',
    ];
    await writeFile(join(rules, 'running.yaml'), ruleText(files));
    const outside = (file: string, real?: string) =>
      `cannot read the event: ${file}: outside ${root}${real ? ` (it is ${real})` : ''}: a rule test reads event files only from inside the project that holds its rules`;
    expect(await outcomes(rules)).toEqual({
      '../events/running.json': ['passed'],
      'running-link.json': ['passed'],
      '/etc/shadow': [outside('/etc/shadow')],
      '/dev/zero': [outside('/dev/zero')],
      '../../outside.json': [outside('../../outside.json', join(scratch, 'outside.json'))],
      'passwd-link.json': [outside('passwd-link.json', '/etc/passwd')],
      '../events/pipe.json': [
        `cannot read the event: ${join(root, 'events/pipe.json')}: a named pipe (FIFO), not a regular file: refused`,
      ],
      '../events/a-directory': [
        `cannot read the event: ${join(root, 'events/a-directory')}: a directory, not a regular file: refused`,
      ],
      '../events/missing.json': [
        'cannot read the event: ../events/missing.json: cannot read: ENOENT',
      ],
    });
  });

  it('takes the rules directory’s parent when no package.json holds it', async () => {
    const root = await project('without-package-json', false);
    expect(await eventFileScope(join(root, 'rules'))).toMatchObject({ root });
    await writeFile(
      join(root, 'rules/running.yaml'),
      ruleText(['../events/running.json', '../../outside.json']),
    );
    await writeFile(join(scratch, 'outside.json'), '{}');
    const result = await outcomes(join(root, 'rules'));
    expect(result['../events/running.json']).toEqual(['passed']);
    expect(result['../../outside.json']?.[0]).toMatch(/: outside .*without-package-json \(it is /);
  });

  it('keeps every shipped rule’s tests working, from rules/ and from rules/cis/', async () => {
    expect(await eventFileScope(repoPath('rules'))).toMatchObject({
      root: await realpath(repoPath('.')),
    });
    for (const dir of ['rules', 'rules/cis']) {
      const run = await runRuleTests(repoPath(dir));
      expect(run.results.filter((result) => !result.passed)).toEqual([]);
      expect(run.results.length).toBeGreaterThan(10);
    }
  });
});
