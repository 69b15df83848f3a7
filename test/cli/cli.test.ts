import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/ledger/entry.js';
import type { PipelineReport } from '../../src/pipeline.js';
import { ruleFiles } from '../../src/rules/load.js';
import { repoPath } from '../support/files.js';
import { buildCli, steward } from './support.js';

async function report(...argv: string[]): Promise<PipelineReport & { code: number }> {
  const run = await steward('run', ...argv, '--json');
  return { ...(JSON.parse(run.stdout) as PipelineReport), code: run.code };
}

async function ledgerEntries(...filters: string[]): Promise<LedgerEntry[]> {
  return JSON.parse(
    (await steward('ledger', 'list', '--json', ...filters)).stdout,
  ) as LedgerEntry[];
}

const statuses = (result: PipelineReport) =>
  result.events.flatMap((event) =>
    event.matches.flatMap((match) => match.actions.map((action) => action.status)),
  );

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'steward-cli-'));
  process.env.STEWARD_DATA_DIR = join(scratch, 'data');
});

describe('steward run', () => {
  it('runs every public AWS sample; a second run is all duplicates and adds nothing to the ledger', async () => {
    const samplesDir = repoPath('test/fixtures/public-samples');
    const samples = (await readdir(samplesDir)).filter((name) => /\.json(\.gz)?$/.test(name));
    expect(samples.length).toBeGreaterThanOrEqual(6);
    let actions = 0;
    for (const sample of samples) {
      const first = await report(join(samplesDir, sample));
      expect({ sample, code: first.code, errors: first.errors }).toEqual({
        sample,
        code: 0,
        errors: [],
      });
      const entriesAfterFirst = (await ledgerEntries()).length;
      const second = await report(join(samplesDir, sample));
      expect(second.code).toBe(0);
      expect(statuses(second)).toEqual(statuses(first).map(() => 'duplicate'));
      expect((await ledgerEntries()).length).toBe(entriesAfterFirst);
      actions += statuses(first).length;
    }
    // The root user's CreateBucket fires root-user-activity, so the duplicate check above is not vacuous.
    expect(actions).toBeGreaterThan(0);
  });

  it('yields nothing for the S3 test event, and names the log files an S3 notification points at', async () => {
    const testEvent = await report(
      repoPath(
        'test/fixtures/public-samples/SEKOIA-automation-library__test_records_trigger__s3-TestEvent.json',
      ),
    );
    expect(testEvent).toMatchObject({ code: 0, events: [], errors: [], objects: [] });
    const created = await report(repoPath('events/s3-cloudtrail-object-created.json'));
    expect(created.objects).toEqual([
      expect.objectContaining({ bucket: 'steward-cloudtrail-logs-123456789012', read: false }),
    ]);
    const human = await steward('run', repoPath('events/s3-cloudtrail-object-created.json'));
    expect(human.stdout).toContain(
      'would read (run with --live to read it) s3://steward-cloudtrail-logs-123456789012/AWSLogs/',
    );
  });

  it('prints planned actions in dry-run mode and where the ledger is', async () => {
    const run = await steward('run', repoPath('events/cloudtrail-run-instances.json'));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('rule ec2-tag-instance-creator');
    expect(run.stdout).toContain(
      'ec2.create-tags i-0a1b2c3d4e5f67890: planned — would tag i-0a1b2c3d4e5f67890 with steward:created-by=arn:aws:sts::123456789012:assumed-role/Developer/alice@example.com',
    );
    expect(run.stdout).toMatch(/dry run; ledger: embedded ledger \(.*data\/ledger\)$/m);
  });

  it('says which event matched no rule', async () => {
    const run = await steward('run', repoPath('events/ec2-stopped.json'));
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain('ec2-state stopped i-0123456789abcdef0');
    expect(run.stdout).toContain('no rule matched');
  });

  it('exits 2 with the line and column of invalid JSON', async () => {
    const file = join(scratch, 'broken.json');
    await writeFile(
      file,
      '{\n  "detail-type": "EC2 Instance State-change Notification",\n  "detail": {,}\n}\n',
    );
    const run = await steward('run', file);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(
      new RegExp(`^steward run: ${file}: invalid JSON at line 3, column 14: .+\\n$`),
    );
  });

  it('exits 2 for a file of no supported shape and for a file that does not exist', async () => {
    const file = join(scratch, 'mystery.json');
    await writeFile(file, '{"hello": "world"}');
    const unknown = await steward('run', file);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      `steward run: ${file}: unknown event shape: expected an EventBridge event, a CloudWatch Logs subscription event, an S3 notification, a CloudTrail log file or CloudTrail records; got an object with keys "hello"\n`,
    );
    const missing = await steward('run', join(scratch, 'nope.json'));
    expect(missing).toMatchObject({
      code: 2,
      stderr: `steward run: ${join(scratch, 'nope.json')}: cannot read: ENOENT\n`,
    });
  });

  it('exits 1 and lists the bad record, after processing the good records of the same file', async () => {
    const file = join(scratch, 'log-file.json');
    const good = {
      eventVersion: '1.09',
      eventID: 'f00d0000-0000-4000-8000-000000000001',
      eventTime: '2026-11-20T10:00:00Z',
      eventSource: 'cloudtrail.amazonaws.com',
      eventName: 'StopLogging',
      awsRegion: 'us-east-1',
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/mallory' },
      recipientAccountId: '123456789012',
      requestParameters: { name: 'management-trail' },
    };
    const bad = { ...good, eventID: 42 };
    await writeFile(file, JSON.stringify({ Records: [bad, good] }));
    const result = await report(file);
    expect(result.code).toBe(1);
    expect(result.errors).toEqual([
      {
        kind: 'input',
        message: "CloudTrail record's eventID is not a non-empty string (got a number)",
        where: `${file}: Records[0]`,
      },
    ]);
    expect(
      result.events.map((event) => [event.id, event.matches.map((match) => match.rule)]),
    ).toEqual([
      ['f00d0000-0000-4000-8000-000000000001', ['cis-aws-4-5', 'cloudtrail-logging-stopped']],
    ]);
  });
});

describe('steward ledger', () => {
  it('lists, filters, shows and counts entries', async () => {
    await steward('run', repoPath('events/ec2-running.json'));
    const entries = await ledgerEntries('--rule', 'ec2-quarantined-instance-started');
    expect(
      entries.map((entry) => [entry.action, entry.resource, entry.status, entry.mode]).sort(),
    ).toEqual([
      ['ec2.create-tags', 'i-0123456789abcdef0', 'planned', 'dry-run'],
      ['ec2.stop-instances', 'i-0123456789abcdef0', 'planned', 'dry-run'],
    ]);
    expect(
      await ledgerEntries('--rule', 'ec2-quarantined-instance-started', '--status', 'succeeded'),
    ).toEqual([]);
    expect(entries.map((entry) => [entry.account, entry.region])).toEqual([
      ['123456789012', 'us-east-1'],
      ['123456789012', 'us-east-1'],
    ]);
    expect(
      await ledgerEntries(
        '--account',
        '123456789012',
        '--region',
        'us-east-1',
        '--rule',
        'ec2-quarantined-instance-started',
      ),
    ).toHaveLength(2);
    expect(await ledgerEntries('--account', '222233334444')).toEqual([]);
    expect(
      await ledgerEntries('--rule', 'ec2-quarantined-instance-started', '--limit', '1'),
    ).toEqual([entries[0]]);
    expect(await steward('ledger', 'list', '--limit', '0')).toMatchObject({
      code: 2,
      stderr: 'steward ledger: --limit must be a positive whole number, got "0"\n',
    });
    expect(await ledgerEntries('--region', 'eu-west-1')).toEqual([]);
    expect((await steward('ledger', 'list', '--region', 'eu-west-1')).stdout).toMatch(
      /^no ledger entry matches --region eu-west-1 \(/,
    );
    const table = await steward('ledger', 'list', '--resource', 'i-0123456789abcdef0', '--wide');
    const [header, row] = table.stdout.split('\n');
    expect(header).toMatch(
      /^key\s+created\s+updated\s+status\s+mode\s+rule\s+action\s+resource\s+where\s+event\s+expires$/,
    );
    expect(row).toContain(' 123456789012/us-east-1 ');
    const shown = await steward('ledger', 'show', entries[0]?.pk ?? '');
    expect(shown.stdout).toContain(`pk: ${entries[0]?.pk}`);
    expect(shown.stdout).toContain('ruleId: ec2-quarantined-instance-started');
    const stats = JSON.parse(
      (await steward('ledger', 'stats', '--json', '--rule', 'ec2-quarantined-instance-started'))
        .stdout,
    );
    expect(stats).toEqual([
      { rule: 'ec2-quarantined-instance-started', status: 'planned', count: 2 },
    ]);
  });

  it('says so for a key it does not hold, and rejects a bad filter', async () => {
    expect(await steward('ledger', 'show', 'act_missing')).toMatchObject({
      code: 1,
      stderr: 'no ledger entry with key act_missing\n',
    });
    expect(await steward('ledger', 'list', '--status', 'done')).toMatchObject({
      code: 2,
      stderr:
        'steward ledger: --status must be one of claimed, planned, succeeded, failed, skipped\n',
    });
    expect(await steward('ledger', 'list', '--since', 'yesterday')).toMatchObject({ code: 2 });
  });
});

describe('steward validate and usage', () => {
  it('prints its version, and each command its usage for --help or -h, before reading anything', async () => {
    const { version } = JSON.parse(
      await import('node:fs/promises').then(({ readFile }) =>
        readFile(repoPath('package.json'), 'utf8'),
      ),
    ) as { version: string };
    expect(await steward('--version')).toMatchObject({ code: 0, stdout: `steward ${version}\n` });
    expect(await steward('validate', '--help')).toMatchObject({
      code: 0,
      stdout: 'usage: steward validate [FILE|DIR]...\n',
      stderr: '',
    });
    expect(await steward('test', '-h')).toMatchObject({
      code: 0,
      stdout: 'usage: steward test [FILE|DIR]... [--rule ID]... [--verbose]\n',
    });
    expect((await steward('run', 'events/ec2-running.json', '--help')).stdout).toMatch(
      /^usage: steward run <file\|dir\|->\.\.\. /,
    );
    expect((await steward('member-template', '--help')).stdout).toMatch(
      /^usage: steward member-template \[--central-account ID\]/,
    );
    // After `--`, --help is a file name like any other.
    expect(await steward('run', '--', '--help')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^steward run: --help: cannot read: ENOENT/),
    });
  });

  it('passes the shipped rules and reports a broken rule as file:line:col', async () => {
    expect(await steward('validate', repoPath('rules'))).toMatchObject({
      code: 0,
      stdout: `${(await ruleFiles(repoPath('rules'))).length} rule files valid\n`,
    });
    const dir = join(scratch, 'broken-rules');
    await import('node:fs/promises').then(({ mkdir }) => mkdir(dir));
    await writeFile(
      join(dir, 'bad.yaml'),
      'id: bad-rule\ndescription: x\nkind: audit\nseverity: low\ntriggers:\n  - source: ec2-state\n    states: [running]\nactions:\n  - action: ec2.nuke\n',
    );
    const run = await steward('validate', dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/bad\.yaml:9:13: unknown action "ec2\.nuke"/);
  });

  it('runs the rules’ tests and says what differed', async () => {
    expect(await steward('test', repoPath('rules'))).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^\d+ passed, 0 failed\n$/),
    });
    const dir = join(scratch, 'rules-with-tests');
    await import('node:fs/promises').then(({ mkdir }) => mkdir(dir));
    // A rule test reads event files inside its project only: these sit beside the rule.
    for (const name of ['ec2-running.json', 'ec2-stopped.json'])
      await copyFile(repoPath(`events/${name}`), join(dir, name));
    await writeFile(
      join(dir, 'wrong.yaml'),
      [
        'id: wrong-expectation',
        'description: x',
        'kind: audit',
        'severity: low',
        'triggers:',
        '  - source: ec2-state',
        '    states: [stopped]',
        'actions:',
        '  - action: audit.record',
        'tests:',
        '  - name: expects a running instance to fire it',
        '    eventFile: ec2-running.json',
        '    expect: { fires: true }',
        '  - name: a stopped instance fires it',
        '    eventFile: ec2-stopped.json',
        '    expect: { fires: true, actions: [audit.record] }',
        '',
      ].join('\n'),
    );
    const run = await steward('test', dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(
      `FAIL wrong-expectation › expects a running instance to fire it (${join(dir, 'wrong.yaml')})\n` +
        '  expected the rule to fire, but it did not\n' +
        '1 passed, 1 failed\n',
    );
  });

  it('explains each condition: the value it saw, the operator, the expected value, the result', async () => {
    const facts = join(scratch, 'facts.json');
    await writeFile(
      facts,
      JSON.stringify({ instance: { state: 'running', tags: { Owner: 'team-a' } } }),
    );
    const run = await steward('explain', repoPath('events/ec2-running.json'), '--facts', facts);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      [
        '  rule ec2-running-without-owner: does not fire',
        '    ✗ all',
        '      ✓ instance exists true: saw {"state":"running","tags":{"Owner":"team-a"}}',
        '      ✗ instance $.tags.Owner absent true: saw "team-a"',
      ].join('\n'),
    );
    const json = JSON.parse(
      (
        await steward(
          'explain',
          repoPath('events/ec2-running.json'),
          '--facts',
          facts,
          '--json',
          '--rule',
          'ec2-quarantined-instance-started',
        )
      ).stdout,
    );
    expect(json[0].rules).toEqual([
      {
        rule: 'ec2-quarantined-instance-started',
        fires: true,
        conditions: {
          kind: 'all',
          result: true,
          children: [
            {
              fact: 'event',
              path: '$.resources[0]',
              operator: 'inList',
              expected: 'quarantined-instances',
              saw: 'i-0123456789abcdef0',
              result: true,
            },
          ],
        },
      },
    ]);
    const notCandidate = await steward(
      'explain',
      repoPath('events/ec2-stopped.json'),
      '--rule',
      'ec2-running-without-owner',
    );
    expect(notCandidate.stdout).toContain(
      'rule ec2-running-without-owner: not a candidate: its triggers do not match this event',
    );
    expect(
      await steward('explain', repoPath('events/ec2-stopped.json'), '--rule', 'nope'),
    ).toMatchObject({ code: 2, stderr: 'steward explain: no rule with id "nope"\n' });
  });

  it('explains a fact it cannot read as an error', async () => {
    const run = await steward(
      'explain',
      repoPath('events/ec2-running.json'),
      '--rule',
      'ec2-running-without-owner',
      '--facts',
      join(scratch, 'no-instance.json'),
    );
    expect(run.code).toBe(2);
    await writeFile(join(scratch, 'empty-facts.json'), '{}');
    const ec2 = mockClient(EC2Client);
    ec2
      .on(DescribeInstancesCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' }));
    const unstubbed = await steward(
      'explain',
      repoPath('events/ec2-running.json'),
      '--rule',
      'ec2-running-without-owner',
      '--facts',
      join(scratch, 'empty-facts.json'),
    );
    expect(unstubbed.stdout).toMatch(
      /rule ec2-running-without-owner: error: fact instance could not be read: /,
    );
    expect(unstubbed.code).toBe(1);
  });

  it('prints the EventBridge patterns, the log subscriptions and the sweep schedules of the rules', async () => {
    const run = await steward('patterns', repoPath('rules'));
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).cloudwatchLogs).toEqual([
      { logGroup: '/var/log/auth.log', filter: 'authentication' },
      { logGroup: '/var/log/secure', filter: '?"Failed password" ?authentication' },
    ]);
    expect(JSON.parse(run.stdout).ec2State).toEqual([
      {
        source: ['aws.ec2'],
        'detail-type': ['EC2 Instance State-change Notification'],
        detail: { state: ['running'] },
      },
    ]);
    expect(JSON.parse(run.stdout).sweep).toEqual([
      { rule: 'sweep-instances-without-imdsv2', expression: 'rate(1 day)' },
      { rule: 'sweep-instances-without-owner', expression: 'rate(1 day)' },
      { rule: 'sweep-log-groups-without-retention', expression: 'rate(7 days)' },
      { rule: 'sweep-security-groups-open-to-world', expression: 'rate(1 day)' },
    ]);
  });

  it('rejects an unknown command and an unknown option with exit 2', async () => {
    expect((await steward('frobnicate')).code).toBe(2);
    expect(await steward('run', 'x.json', '--verbose')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("Unknown option '--verbose'"),
    });
  });

  it('works as the installed command', async () => {
    await buildCli();
    const file = join(scratch, 'broken-for-bin.json');
    await writeFile(file, '{"a": }');
    const result = await promisify(execFile)(
      process.execPath,
      [repoPath('bin/steward.js'), 'run', file],
      {
        env: { ...process.env },
      },
    ).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toMatch(
      /^steward run: .*broken-for-bin\.json: invalid JSON at line 1, column 7: .+\n$/,
    );
  });
});
