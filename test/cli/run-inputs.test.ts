import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { PipelineReport } from '../../src/pipeline.js';
import { stewardWith } from './io.js';
import { steward } from './support.js';

/** A CloudTrail record; `StopLogging` is matched by the shipped rules, `DescribeInstances` by none. */
function record(id: number, eventName = 'StopLogging'): Record<string, unknown> {
  return {
    eventVersion: '1.09',
    eventID: `f00d0000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    eventTime: '2026-11-20T10:00:00Z',
    eventSource: eventName === 'StopLogging' ? 'cloudtrail.amazonaws.com' : 'ec2.amazonaws.com',
    eventName,
    awsRegion: 'us-east-1',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/mallory' },
    recipientAccountId: '123456789012',
    requestParameters: { name: 'management-trail' },
  };
}

const logFile = (...records: Record<string, unknown>[]) => JSON.stringify({ Records: records });
const idOf = (id: number) => `f00d0000-0000-4000-8000-${String(id).padStart(12, '0')}`;

let scratch: string;
let tree: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'steward-run-inputs-'));
  process.env.STEWARD_DATA_DIR = join(scratch, 'data');
  tree = join(scratch, 'tree');
  await mkdir(join(tree, 'a'), { recursive: true });
  await mkdir(join(tree, 'b', 'c'), { recursive: true });
  await mkdir(join(tree, '.hidden'));
  await writeFile(join(tree, 'a', 'one.json'), logFile(record(1)));
  await writeFile(join(tree, 'b', 'c', 'two.json.gz'), gzipSync(logFile(record(2))));
  // A lazy-fact sidecar, hidden files and other files are not events.
  await writeFile(join(tree, 'a', 'one.facts.json'), '{"instance": {}}');
  await writeFile(join(tree, '.hidden', 'three.json'), logFile(record(3)));
  await writeFile(join(tree, 'notes.txt'), 'not an event');
});

async function report(...argv: string[]): Promise<PipelineReport & { code: number }> {
  const run = await steward('run', ...argv, '--json');
  return { ...(JSON.parse(run.stdout) as PipelineReport), code: run.code };
}

describe('steward run on files, directories and stdin', () => {
  it('reads a directory recursively: its .json and .json.gz files, not sidecars, hidden or other files', async () => {
    const result = await report(tree);
    expect(result.code).toBe(0);
    expect(result.errors).toEqual([]);
    expect(result.events.map((event) => event.id)).toEqual([idOf(1), idOf(2)]);
  });

  it('reads a file listed twice, directly and through its directory, once', async () => {
    const result = await report(join(tree, 'a', 'one.json'), tree);
    expect(result.events.map((event) => event.id)).toEqual([idOf(1), idOf(2)]);
  });

  it('reads stdin for -, gzipped or not, beside files', async () => {
    const plain = await stewardWith({ stdin: logFile(record(4)) }, 'run', '-', '--json');
    expect(plain.code).toBe(0);
    expect((JSON.parse(plain.stdout) as PipelineReport).events.map((e) => e.id)).toEqual([idOf(4)]);
    const zipped = await stewardWith(
      { stdin: gzipSync(logFile(record(5))) },
      'run',
      join(tree, 'a', 'one.json'),
      '-',
      '--json',
    );
    expect((JSON.parse(zipped.stdout) as PipelineReport).events.map((e) => e.id)).toEqual([
      idOf(1),
      idOf(5),
    ]);
  });

  it('refuses an empty stdin, stdin twice, and a directory without event files, naming each', async () => {
    expect(await stewardWith({ stdin: '' }, 'run', '-')).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'steward run: stdin: empty: expected an event document\n',
    });
    expect(await stewardWith({ stdin: '{}' }, 'run', '-', '-')).toMatchObject({
      code: 2,
      stderr: 'steward run: - (standard input) is given more than once\n',
    });
    const empty = join(scratch, 'nothing-readable');
    await mkdir(join(empty, '.git'), { recursive: true });
    await writeFile(join(empty, '.git', 'x.json'), '{}');
    await writeFile(join(empty, 'readme.md'), '# no events');
    await writeFile(join(empty, 'x.facts.json'), '{}');
    expect(await steward('run', empty)).toEqual({
      code: 2,
      stdout: '',
      stderr: `steward run: ${empty}: a directory without event files (.json or .json.gz, searched recursively)\n`,
    });
  });

  it('runs the other inputs when one cannot be read, says which, and exits 2', async () => {
    const broken = join(scratch, 'broken.json');
    await writeFile(broken, '{"Records": [');
    const run = await steward('run', broken, join(tree, 'a', 'one.json'), '--quiet');
    expect(run.code).toBe(2);
    // The readable file's sidecar answers its facts (no credentials here), and says so.
    const sidecar = join(tree, 'a', 'one.facts.json');
    expect(run.stderr).toMatch(
      new RegExp(
        `^steward run: ${broken}: .+\\nfacts instance from ${sidecar} \\(no AWS credentials\\)\\n$`,
      ),
    );
    expect(run.stdout).toMatch(/^1 event from 2 inputs in /);
    expect(run.stdout).toContain('errors: 1 (unreadable input 1)\n');
  });
});

describe('steward run output', () => {
  it('ends with a summary: events, matches by rule, actions by status, errors, time', async () => {
    const file = join(scratch, 'mixed.json');
    await writeFile(file, logFile(record(6), record(7, 'DescribeInstances')));
    const run = await steward('run', file, '--quiet');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^2 events from 1 input in \d+\.\d s \([\d,]+ events\/s\): 1 matched a rule, 1 matched none$/,
    );
    expect(lines.slice(1, 4)).toEqual([
      'matches by rule:',
      '  cis-aws-4-5                 1',
      '  cloudtrail-logging-stopped  1',
    ]);
    expect(lines[4]).toMatch(/^actions by status: planned \d+$/);
    expect(lines.slice(5)).toEqual([
      'errors: none',
      expect.stringMatching(/^dry run; ledger: embedded ledger \(.+\)$/),
    ]);
  });

  it('lists every event, or with --matches-only only those a rule matched', async () => {
    const file = join(scratch, 'mixed-2.json');
    await writeFile(file, logFile(record(8), record(9, 'DescribeInstances')));
    const all = await steward('run', file);
    expect(all.stdout).toContain(
      `cloudtrail DescribeInstances -  (event ${idOf(9)})\n  no rule matched\n`,
    );
    const matched = await steward('run', file, '--matches-only');
    expect(matched.stdout).toContain(`cloudtrail StopLogging`);
    expect(matched.stdout).toContain('  rule cloudtrail-logging-stopped\n');
    expect(matched.stdout).not.toContain('DescribeInstances');
    expect(matched.stdout).toContain('1 matched a rule, 1 matched none');
  });

  it('refuses --json with --quiet or --matches-only', async () => {
    expect(await steward('run', tree, '--json', '--matches-only')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'steward run: --json prints the whole report; --matches-only shapes the text output: use one or the other\n',
    });
  });

  it('prints progress lines on stderr with --progress: input, records of the total, rate', async () => {
    const run = await steward('run', tree, '--progress', '--quiet');
    expect(run.code).toBe(0);
    const sidecar = `facts instance from ${join(tree, 'a', 'one.facts.json')} (no AWS credentials)`;
    const all = run.stderr.trimEnd().split('\n');
    expect(all.filter((line) => line === sidecar)).toHaveLength(1);
    const lines = all.filter((line) => line !== sidecar);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines)
      expect(line).toMatch(
        /^[12]\/2 \S+\.json(\.gz)?: (reading|\d+ of 1 records(, [\d,]+ records\/s)?(, ETA \d+s)?)$/,
      );
    expect(lines[0]).toBe(`1/2 ${join(tree, 'a', 'one.json')}: reading`);
  });
});
