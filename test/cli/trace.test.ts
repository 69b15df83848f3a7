import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectLedger } from '../../src/ledger/connect.js';
import { steward } from './support.js';

const eventId = 'e7d1c0b2-5a4f-4e3d-9c8b-7a6f5e4d3c2b';
let dataDir: string;
let keys: string[];

/** Two dry-run plans of the event and one of another event, in a fresh embedded ledger. */
beforeAll(async () => {
  dataDir = join(await mkdtemp(join(tmpdir(), 'steward-trace-')), 'data');
  process.env.STEWARD_DATA_DIR = dataDir;
  const connection = await connectLedger();
  try {
    const event = {
      mode: 'dry-run' as const,
      source: 'ec2-state',
      eventName: 'running',
      eventTime: '2026-11-20T10:00:00Z',
      severity: 'high',
      account: '123456789012',
      region: 'us-east-1',
      resource: 'i-0123456789abcdef0',
      ruleId: 'ec2-running-without-owner',
    };
    const tagged = await connection.ledger.record(
      { ...event, eventId, action: 'ec2.create-tags' },
      { status: 'planned', detail: 'would tag i-0123456789abcdef0\n\u202eforged line' },
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    const stopped = await connection.ledger.record(
      { ...event, eventId, action: 'ec2.stop-instances' },
      { status: 'planned', detail: 'would stop i-0123456789abcdef0' },
    );
    await connection.ledger.record(
      { ...event, eventId: `${eventId}-other`, action: 'ec2.stop-instances' },
      { status: 'planned', detail: 'another event' },
    );
    keys = [tagged, stopped].map((result) =>
      result.kind === 'recorded' ? result.entry.pk : 'not recorded',
    );
  } finally {
    await connection.close();
  }
});

describe('steward trace on the embedded ledger', () => {
  it('prints the entries of the event alone, escaped, and says no logs were searched', async () => {
    const run = await steward('trace', eventId);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    const created = /created (\S+ \S+), updated \1$/;
    expect(lines.map((line) => line.replace(created, 'created T, updated T'))).toEqual([
      `event ${eventId}`,
      '  ec2-state running at 2026-11-20 10:00:00Z in 123456789012/us-east-1',
      `ledger: embedded ledger (${join(dataDir, 'ledger')}): 2 entries`,
      "logs: none searched (the embedded ledger is this machine's; --stage searches a deployed stage's logs)",
      '',
      'rule ec2-running-without-owner (2 actions)',
      '  ec2.create-tags on i-0123456789abcdef0 (dry-run): planned, 1 attempt',
      `    key ${keys[0]}; created T, updated T`,
      '    detail: would tag i-0123456789abcdef0\\n\\u202eforged line',
      '  ec2.stop-instances on i-0123456789abcdef0 (dry-run): planned, 1 attempt',
      `    key ${keys[1]}; created T, updated T`,
      '    detail: would stop i-0123456789abcdef0',
    ]);
  });

  it('prints one JSON document, the entries whole', async () => {
    const run = await steward('trace', eventId, '--json');
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as {
      logs: unknown;
      rules: { actions: { entry: { pk: string; detail: string; eventId: string } }[] }[];
    };
    expect(document.logs).toEqual({
      searched: false,
      reason: "the embedded ledger is this machine's; --stage searches a deployed stage's logs",
    });
    expect(document.rules[0]?.actions.map((action) => action.entry.pk)).toEqual(keys);
    expect(document.rules[0]?.actions[0]?.entry.detail).toBe(
      'would tag i-0123456789abcdef0\n\u202eforged line',
    );
  });

  it('says the event is unknown, exit 1', async () => {
    const run = await steward('trace', 'no-such-event');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      [
        'steward trace: no ledger entry or log line holds event no-such-event',
        `  ledger: embedded ledger (${join(dataDir, 'ledger')}): 0 entries`,
        "  logs: none searched (the embedded ledger is this machine's; --stage searches a deployed stage's logs)",
        '',
      ].join('\n'),
    );
  });

  it('refuses what it cannot do, exit 2, saying why', async () => {
    expect(await steward('trace')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(
        /^steward trace: name one event id\nusage: steward trace EVENT_ID/,
      ),
    });
    expect(await steward('trace', 'a', 'b')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^steward trace: one event id, not 2\nusage: /),
    });
    expect(await steward('trace', eventId, '--since', '1h')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        "steward trace: --since bounds the search of a deployed stage's logs; the embedded ledger has none: name the stage (--stage)\n",
    });
    expect(await steward('trace', eventId, '--stage', 'prod', '--since', 'yesterday')).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'steward trace: --since must be an ISO 8601 time, epoch milliseconds or a time ago such as 30m, 12h or 7d, got "yesterday"\n',
    });
  });
});
