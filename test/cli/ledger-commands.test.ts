import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { connectLedger } from '../../src/ledger/connect.js';
import type { LedgerEntry } from '../../src/ledger/entry.js';
import { stewardWith } from './io.js';
import { steward } from './support.js';

const longResource = `arn:aws:s3:::${'a-bucket-with-a-very-long-name-'.repeat(3)}end`;
const hostileDetail = 'would tag "it", then\nsay =1+1';

/** Two entries in the ledger of `STEWARD_DATA_DIR`: one plain, one with a long resource and a hostile detail. */
async function writeEntries(): Promise<void> {
  const connection = await connectLedger();
  try {
    const event = {
      mode: 'dry-run' as const,
      eventId: 'e0000000-0000-4000-8000-000000000001',
      source: 'cloudtrail',
      eventName: 'CreateBucket',
      eventTime: '2026-11-20T10:00:00Z',
      severity: 'high',
      account: '123456789012',
      region: 'us-east-1',
    };
    await connection.ledger.record(
      {
        ...event,
        ruleId: 'ec2-tag-instance-creator',
        action: 'ec2.create-tags',
        resource: 'i-0123456789abcdef0',
      },
      { status: 'planned', detail: 'would tag i-0123456789abcdef0' },
    );
    await connection.ledger.record(
      {
        ...event,
        ruleId: 's3-bucket-made-public-with-an-uncommonly-long-rule-identifier',
        action: 'audit.record',
        resource: longResource,
      },
      { status: 'planned', detail: hostileDetail, data: { finding: { severity: 'high' } } },
    );
  } finally {
    await connection.close();
  }
}

/** A fresh embedded ledger holding `writeEntries`'s two entries; returns its scratch directory. */
async function freshLedger(): Promise<string> {
  const scratch = await mkdtemp(join(tmpdir(), 'steward-ledger-commands-'));
  process.env.STEWARD_DATA_DIR = join(scratch, 'data');
  await writeEntries();
  return scratch;
}

async function entries(): Promise<LedgerEntry[]> {
  return JSON.parse((await steward('ledger', 'list', '--json')).stdout) as LedgerEntry[];
}

let scratch: string;

beforeEach(async () => {
  scratch = await freshLedger();
});

describe('steward ledger list', () => {
  it('fits 100 columns by default, with times people read, and shows everything with --wide', async () => {
    const list = await steward('ledger', 'list');
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^created\s+status\s+mode\s+rule\s+action\s+resource$/);
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(100);
    for (const line of lines.slice(1))
      expect(line).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}planned {2}dry-run {2}/);
    expect(list.stdout).toContain('…');
    const wide = await steward('ledger', 'list', '--wide');
    expect(wide.stdout.split('\n')[0]).toMatch(
      /^key\s+created\s+updated\s+status\s+mode\s+rule\s+action\s+resource\s+where\s+event\s+expires$/,
    );
    expect(wide.stdout).toContain(longResource);
    expect(wide.stdout).toContain(' 123456789012/us-east-1 ');
  });

  it('takes --since as a time ago, and names the filter when nothing matches', async () => {
    expect(await entries()).toHaveLength(2);
    const recent = await steward('ledger', 'list', '--since', '1h', '--json');
    expect(JSON.parse(recent.stdout)).toHaveLength(2);
    const none = await steward('ledger', 'list', '--rule', 'nope', '--status', 'failed');
    expect(none.stdout).toMatch(
      /^no ledger entry matches --rule nope --status failed \(embedded ledger \(.+\)\)\n$/,
    );
    expect(await steward('ledger', 'list', '--since', 'yesterday')).toMatchObject({
      code: 2,
      stderr:
        'steward ledger: --since must be an ISO 8601 time, epoch milliseconds or a time ago such as 30m, 12h or 7d, got "yesterday"\n',
    });
  });

  it('shows an entry with its epoch times as people read them', async () => {
    const [entry] = await entries();
    const shown = await steward('ledger', 'show', entry?.pk ?? '');
    expect(shown.stdout).toMatch(
      new RegExp(
        `\\nexpiresAt: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\dZ \\(${entry?.expiresAt}\\)\\n`,
      ),
    );
  });
});

describe('steward ledger export', () => {
  it('writes JSON Lines of every entry with all its fields', async () => {
    const run = await steward('ledger', 'export', '--format', 'jsonl');
    expect(run.code).toBe(0);
    // The test's output adds a line break after what was printed, which ends with its own.
    expect(run.stdout.endsWith('}\n\n')).toBe(true);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(await entries());
  });

  it('writes CSV with a header of every field, quoting what must be quoted, to a file with --out', async () => {
    const out = join(scratch, 'ledger.csv');
    const run = await steward('ledger', 'export', '--format', 'csv', '--out', out);
    expect(run).toMatchObject({ code: 0, stdout: `exported 2 entries to ${out}\n` });
    const csv = await readFile(out, 'utf8');
    const [header] = csv.split('\r\n');
    const fields = header?.split(',') ?? [];
    for (const entry of await entries())
      for (const field of Object.keys(entry)) expect(fields).toContain(field);
    expect(fields.slice(0, 3)).toEqual(['pk', 'createdAt', 'updatedAt']);
    expect(csv).toContain(',"would tag ""it"", then\nsay =1+1",');
    expect(csv).toContain(',"{""finding"":{""severity"":""high""}}",');
    expect(csv.endsWith('\r\n')).toBe(true);
    // Every row has as many fields as the header once quoted fields are read as one.
    const rows = csv
      .replace(/"(?:[^"]|"")*"/g, 'q')
      .trimEnd()
      .split('\r\n');
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(row.split(',')).toHaveLength(fields.length);
  });

  it('rejects an unknown format and a file it cannot write, naming them', async () => {
    expect(await steward('ledger', 'export', '--format', 'xml')).toEqual({
      code: 2,
      stdout: '',
      stderr: 'steward ledger: --format must be one of jsonl, csv, got "xml"\n',
    });
    const out = join(scratch, 'missing-dir', 'ledger.csv');
    expect(await steward('ledger', 'export', '--format', 'csv', '--out', out)).toMatchObject({
      code: 2,
      stderr: `steward ledger: --out ${out}: cannot write: ENOENT\n`,
    });
  });
});

describe('steward ledger reset', () => {
  it('refuses without a terminal and without --yes, and deletes nothing', async () => {
    expect(await steward('ledger', 'reset')).toEqual({
      code: 2,
      stdout: '',
      stderr: `steward ledger: reset deletes every entry of the embedded ledger in ${join(scratch, 'data')}, and there is no terminal to confirm it on: nothing was deleted; pass --yes to reset without asking\n`,
    });
    expect(await entries()).toHaveLength(2);
  });

  it('refuses where the environment names a DynamoDB table', async () => {
    process.env.AWS_ENDPOINT_URL_DYNAMODB = 'http://127.0.0.1:9';
    try {
      expect(await steward('ledger', 'reset', '--yes')).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'steward ledger: reset empties only the embedded ledger, and this environment names a DynamoDB table (AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:9): nothing was deleted\n',
      });
    } finally {
      delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    }
    expect(await entries()).toHaveLength(2);
  });

  it('asks on a terminal, and keeps everything unless the answer is yes', async () => {
    const declined = await stewardWith({ answer: 'n' }, 'ledger', 'reset');
    expect(declined).toMatchObject({ code: 1, stdout: '', stderr: 'nothing deleted\n' });
    expect(declined.asked).toEqual([
      expect.stringMatching(
        /^delete all 2 entries of the embedded ledger \(.+\), and its rate limits, cooldowns and state-change guards\? \[y\/N\] $/,
      ),
    ]);
    expect(await entries()).toHaveLength(2);
    const accepted = await stewardWith({ answer: 'yes' }, 'ledger', 'reset');
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/^deleted 2 entries: the embedded ledger \(.+\) is empty\n$/);
    expect(await entries()).toEqual([]);
  });

  it('resets without asking with --yes, and the ledger takes entries again', async () => {
    expect((await steward('ledger', 'reset', '--yes')).code).toBe(0);
    expect(await entries()).toEqual([]);
    await writeEntries();
    expect(await entries()).toHaveLength(2);
  });
});
