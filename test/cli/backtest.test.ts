import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BacktestReport } from '../../src/backtest/report.js';
import type { PipelineReport } from '../../src/pipeline.js';
import { repoPath } from '../support/files.js';
import { runSteward } from '../support/steward-process.js';
import { accounts, organizationTree, scratch, writeTree } from '../backtest/run-support.js';
import { buildCli, steward } from './support.js';

let root: string;
let paths: string[];

beforeAll(async () => {
  process.env.STEWARD_DATA_DIR = join(await scratch('backtest-cli-data'), 'data');
  root = await scratch('backtest-cli');
  paths = await writeTree(root, organizationTree(3));
});

async function backtest(...argv: string[]): Promise<BacktestReport> {
  const run = await steward('backtest', ...argv, '--workers', '2', '--json', '-');
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as BacktestReport;
}

/** Matches and planned actions per rule, as a report gives them. */
function byRule(report: BacktestReport) {
  return Object.fromEntries(
    report.rules
      .filter((rule) => rule.matches > 0)
      .map((rule) => [rule.rule, { matches: rule.matches, actions: rule.plannedActions }]),
  );
}

describe('steward backtest', () => {
  it('finds what steward run --what-if finds on each file of an organization tree', async () => {
    const report = await backtest(root);
    const expected: Record<string, { matches: number; actions: Record<string, number> }> = {};
    for (const path of paths) {
      const run = await steward('run', path, '--what-if', '--json');
      expect(run.code).toBe(0);
      for (const event of (JSON.parse(run.stdout) as PipelineReport).events)
        for (const match of event.matches) {
          const rule = (expected[match.rule] ??= { matches: 0, actions: {} });
          rule.matches += 1;
          for (const action of match.actions)
            rule.actions[action.action] = (rule.actions[action.action] ?? 0) + 1;
        }
    }
    expect(Object.keys(expected).length).toBeGreaterThan(1);
    expect(byRule(report)).toEqual(expected);
    expect(report.totals.files).toBe(paths.length);
  });

  it('narrows by --since, --until, --accounts, --regions and --rule', async () => {
    const report = await backtest(
      root,
      '--since',
      '2026-10-02',
      '--until',
      '2026-10-03T00:00:00Z',
      '--accounts',
      accounts[0],
      '--regions',
      'us-east-1,eu-west-1',
      '--rule',
      'cloudtrail-logging-stopped',
      '--rule',
      'iam-user-or-access-key-created',
    );
    expect(report.query).toEqual({
      sources: [root],
      since: '2026-10-02T00:00:00.000Z',
      until: '2026-10-03T00:00:00.000Z',
      accounts: [accounts[0]],
      regions: ['us-east-1', 'eu-west-1'],
      ruleIds: ['cloudtrail-logging-stopped', 'iam-user-or-access-key-created'],
    });
    // One account, two regions, the day and the day after (whose events are left out).
    expect(report.totals.files).toBe(4);
    expect(report.totals.filteredOut).toBe(report.totals.records / 2);
    expect(report.rules.map((rule) => rule.rule)).toEqual([
      'cloudtrail-logging-stopped',
      'iam-user-or-access-key-created',
    ]);
    expect(report.rules[0]?.perDay).toEqual({ '2026-10-02': 6 });
  });

  it('prints a summary per rule, the rules that never fired and the totals', async () => {
    const run = await steward('backtest', paths[0] as string, '--workers', '1');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'cloudtrail-logging-stopped (enforce): 3 matches\n  planned: audit.record 3, cloudtrail.start-logging 3\n  1 distinct resources, 1 distinct actors\n  first seen 2026-10-01T00:15:00.000Z, last seen 2026-10-01T10:15:00.000Z',
    );
    expect(run.stdout).toMatch(/\nnever fired: .*ec2-require-imdsv2/);
    expect(run.stdout).toMatch(
      /\ntotals: 1 files read, 12 records, 12 events evaluated \(0 filtered out\), 4 matched, [\d,]+ records\/s\n/,
    );
    expect(run.stdout).toContain('nothing was executed and no ledger was written');
  });

  it('names bad sources and unreadable files, and reads the rest', async () => {
    const dir = await scratch('backtest-cli-bad');
    const good = await writeTree(dir, organizationTree(1));
    await writeFile(good[0] as string, 'not gzip');
    const missing = join(dir, 'missing');
    const run = await steward('backtest', missing, 's3://', dir, '--workers', '2', '--json', '-');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`steward backtest: ${missing}: no such file or directory\n`);
    expect(run.stderr).toContain(
      'steward backtest: s3://: no bucket name: expected s3://bucket/prefix\n',
    );
    expect(run.stderr).toContain(`${good[0]}: `);
    const report = JSON.parse(run.stdout) as BacktestReport;
    expect(report.totals.files).toBe(good.length - 1);
    expect(report.totals.unreadableFiles).toBe(1);
    expect(report.errors[0]?.where).toBe(good[0]);
  });

  it('exits 1 when a file cannot be read and the sources could all be listed', async () => {
    const dir = await scratch('backtest-cli-unreadable');
    const good = await writeTree(dir, organizationTree(1));
    await writeFile(good[1] as string, '{"Records": [');
    const run = await steward('backtest', dir, '--workers', '1');
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/totals: 3 files read, 1 unreadable,/);
  });

  it.each([
    [
      ['--since', 'last week'],
      '--since: "last week" is not a day (2026-10-01), an ISO 8601 time or a duration back from now (30d, 12h)',
    ],
    [['--workers', '0'], '--workers: "0" is not a number from 1 to 256'],
    [['--accounts', '1234'], '--accounts: "1234" is not a 12-digit account id'],
    [['--regions', 'mars'], '--regions: "mars" is not a region (us-east-1)'],
    [
      ['--since', '2026-10-05', '--until', '2026-10-01'],
      '--since 2026-10-05T00:00:00.000Z is not before --until 2026-10-01T00:00:00.000Z',
    ],
    [['--rule', 'no-such-rule'], 'rule no-such-rule: not in the rule pack'],
    [
      ['--checkpoint', 'a.json', '--resume', 'b.json'],
      '--resume FILE continues and updates FILE; --checkpoint FILE starts afresh: use one or the other',
    ],
  ])('refuses %j with a usage error', async (args, message) => {
    const run = await steward('backtest', paths[0] as string, ...args);
    expect(run.stderr).toBe(`steward backtest: ${message}\n`);
    expect(run.code).toBe(2);
  });

  it('asks for sources, and shows its usage with --help', async () => {
    const none = await steward('backtest');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /^steward backtest: usage: steward backtest <file\|dir\|s3:\/\/bucket\/prefix>/,
    );
    const help = await steward('backtest', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('[--checkpoint FILE | --resume FILE]');
    expect(help.stdout).toContain('\n       steward backtest --on-aws s3://BUCKET/PREFIX');
    const completion = await steward('completion', 'bash');
    expect(completion.stdout).toContain(
      'backtest) verbs=""; options="--since --until --rules --accounts --regions --rule --facts --json --html --workers --checkpoint --resume --progress --on-aws --max-concurrency --stage --region --help" ;;',
    );
  });

  it('hands --on-aws, with the options of a run on AWS, to the backtest on AWS', async () => {
    const run = await steward('backtest', '--on-aws', 'trail/', '--max-concurrency', '10');
    expect(run.stderr).toMatch(
      /^steward backtest: trail\/: --on-aws reads a trail in S3: expected s3:\/\/BUCKET\/PREFIX/,
    );
    expect(run.code).toBe(2);
  });

  it('writes a checkpoint that --resume alone continues, and refuses it for another query', async () => {
    const checkpoint = join(await scratch('backtest-cli-checkpoint'), 'run.json');
    const first = await steward('backtest', root, '--checkpoint', checkpoint, '--json', '-');
    expect(first.code).toBe(0);
    const saved = JSON.parse(await readFile(checkpoint, 'utf8')) as { done: string[] };
    expect(saved.done).toHaveLength(paths.length);
    const resumed = await steward('backtest', '--resume', checkpoint, '--json', '-');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toEqual(JSON.parse(first.stdout));
    const other = await steward('backtest', root, '--since', '2026-10-02', '--resume', checkpoint);
    expect(other.code).toBe(2);
    expect(other.stderr).toBe(
      `steward backtest: ${checkpoint}: the checkpoint is of another backtest (since null); resume it with the same sources and options, or start afresh without --resume\n`,
    );
  });
});

describe('steward backtest, lazy facts and the HTML page', () => {
  const trailRule = `id: logging-stopped-on-a-logging-trail
description: A StopLogging on a trail that is still logging.
kind: audit
severity: high
triggers:
  - source: cloudtrail
    eventSource: cloudtrail.amazonaws.com
    events: [StopLogging]
conditions:
  all:
    - fact: trail
      path: $.isLogging
      operator: equal
      value: true
actions:
  - action: audit.record
    params: { note: still logging }
mode: dry-run
`;

  it('reports events that need live state without --facts, and decides them with it', async () => {
    const dir = await scratch('backtest-cli-facts');
    const rules = join(dir, 'rules');
    await writeTree(dir, [{ key: 'rules/trail.yaml', bytes: new TextEncoder().encode(trailRule) }]);
    const unknown = await steward(
      'backtest',
      paths[0] as string,
      '--rules',
      rules,
      '--workers',
      '1',
    );
    expect(unknown.code).toBe(0);
    expect(unknown.stdout).toContain(
      'logging-stopped-on-a-logging-trail (dry-run): 0 matches\n  needs live state: 3 events undecided without trail (--facts FILE answers them)',
    );
    const facts = join(dir, 'facts.json');
    await writeFile(facts, JSON.stringify({ trail: { isLogging: true } }));
    const known = await backtest(paths[0] as string, '--rules', rules, '--facts', facts);
    expect(known.query.facts).toBe(facts);
    expect(known.rules[0]).toMatchObject({ matches: 3, needsLiveState: 0 });
  });

  it('writes the report as an HTML page with --html', async () => {
    const page = join(await scratch('backtest-cli-html'), 'report.html');
    const run = await steward('backtest', root, '--workers', '2', '--html', page);
    expect(run.code).toBe(0);
    const html = await readFile(page, 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/i);
    expect(html).toContain('cloudtrail-logging-stopped');
    expect(run.stdout).toContain('cloudtrail-logging-stopped (enforce): 36 matches');
  });

  it('says which report file cannot be written', async () => {
    const dir = await scratch('backtest-cli-unwritable');
    const run = await steward('backtest', paths[0] as string, '--json', join(dir, 'no', 'r.json'));
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      `steward backtest: --json ${join(dir, 'no', 'r.json')}: cannot be written (ENOENT)\n`,
    );
  });
});

describe('steward backtest as a process', () => {
  beforeAll(async () => {
    await buildCli();
  }, 120_000);

  it('gives the same report from the built CLI and from source', async () => {
    const inProcess = await backtest(root);
    for (const fromSource of ['0', '1']) {
      const run = await runSteward(['backtest', root, '--json', '-', '--workers', '2'], {
        env: { ...process.env, STEWARD_FROM_SOURCE: fromSource },
      });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual(inProcess);
    }
  });

  it('stops on Ctrl-C with a checkpoint, and says how to resume', async () => {
    const big = await scratch('backtest-cli-interrupt');
    await writeTree(big, organizationTree(100));
    const checkpoint = join(big, 'interrupted.json');
    const child = spawn(
      process.execPath,
      [
        repoPath('bin/steward.js'),
        'backtest',
        join(big, 'AWSLogs'),
        '--workers',
        '1',
        '--progress',
        '--checkpoint',
        checkpoint,
      ],
      { cwd: repoPath('.'), env: process.env },
    );
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) =>
      child.stderr.on('data', (data: Buffer) => {
        stderr += data.toString();
        if (stderr.includes('files ')) resolve();
      }),
    );
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain(`steward backtest: interrupted after `);
    expect(stderr).toContain(
      `the checkpoint is ${checkpoint}: steward backtest --resume ${checkpoint} continues\n`,
    );
    const saved = JSON.parse(await readFile(checkpoint, 'utf8')) as { done: string[] };
    expect(saved.done.length).toBeGreaterThan(0);
    expect(saved.done.length).toBeLessThan(400);
    const resumed = await steward('backtest', '--resume', checkpoint, '--json', '-');
    expect(resumed.code).toBe(0);
    expect((JSON.parse(resumed.stdout) as BacktestReport).totals.files).toBe(400);
  });
});
