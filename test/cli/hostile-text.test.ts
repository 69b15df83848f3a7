import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/ledger/entry.js';
import type { PipelineReport } from '../../src/pipeline.js';
import { steward } from './support.js';

/** Anything a terminal would act on instead of showing: C0, DEL, C1, bidi controls. */
const terminalControls = /(?!\n)[\p{Cc}\p{Bidi_Control}]/u;

/** A trail name that would clear the screen, forge an output line and reverse what follows it. */
const hostileTrail = 'trail\nsucceeded\r\u001b[2J\u202egnol';
const escapedTrail = 'trail\\nsucceeded\\r\\u001b[2J\\u202egnol';

/** A StopLogging record as the CloudTrail user guide writes records: without eventID. */
const stopLogging = {
  eventVersion: '1.09',
  eventTime: '2026-11-20T10:00:00Z',
  eventSource: 'cloudtrail.amazonaws.com',
  eventName: 'StopLogging',
  awsRegion: 'us-east-1',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/mallory' },
  recipientAccountId: '123456789012',
  requestParameters: { name: hostileTrail },
};

let scratch: string;
let file: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'steward-cli-text-'));
  process.env.STEWARD_DATA_DIR = join(scratch, 'data');
  file = join(scratch, 'stop-logging.json');
  await writeFile(file, JSON.stringify({ Records: [stopLogging] }));
});

describe('a record without eventID through steward run', () => {
  it('is processed under an id derived from its content, and its redelivery is a duplicate', async () => {
    const first = await steward('run', file, '--json');
    const second = await steward('run', file, '--json');
    const [one, two] = [first, second].map((run) => JSON.parse(run.stdout) as PipelineReport);
    expect([first.code, second.code, one?.errors, two?.errors]).toEqual([0, 0, [], []]);
    const event = one?.events[0];
    expect(event).toMatchObject({
      id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      idDerived: true,
    });
    const actions = (report: PipelineReport | undefined) =>
      report?.events.flatMap((each) =>
        each.matches.flatMap((match) =>
          match.actions.map((action) => [match.rule, action.action, action.status]),
        ),
      );
    expect(actions(one)).toEqual([
      ['cis-aws-4-5', 'audit.record', 'planned'],
      ['cloudtrail-logging-stopped', 'cloudtrail.start-logging', 'planned'],
      ['cloudtrail-logging-stopped', 'audit.record', 'planned'],
    ]);
    expect(two?.events[0]?.id).toBe(event?.id);
    expect(actions(two)).toEqual([
      ['cis-aws-4-5', 'audit.record', 'duplicate'],
      ['cloudtrail-logging-stopped', 'cloudtrail.start-logging', 'duplicate'],
      ['cloudtrail-logging-stopped', 'audit.record', 'duplicate'],
    ]);
  });

  it('says in its text output that the id is derived, and escapes the control characters', async () => {
    const run = await steward('run', file);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(terminalControls);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(
      new RegExp(
        `^cloudtrail StopLogging \\S+  \\(event sha256:[0-9a-f]{64}, id derived from its content\\)$`,
      ),
    );
    expect(lines[0]).toContain(`cloudtrail StopLogging ${escapedTrail}  `);
    expect(lines).toContain(
      `    cloudtrail.start-logging ${escapedTrail}: duplicate (stored: planned)` +
        ` — would start logging on trail ${escapedTrail}`,
    );
  });

  it('keeps the raw value in --json output, where JSON escapes it', async () => {
    const run = await steward('run', file, '--json');
    const report = JSON.parse(run.stdout) as PipelineReport;
    expect(report.events[0]?.resources).toEqual([hostileTrail]);
    expect(run.stdout).toContain('"trail\\nsucceeded\\r\\u001b[2J\u202egnol"');
  });
});

describe('steward ledger text output', () => {
  it('escapes control characters in list and show, and not in --json', async () => {
    const list = await steward('ledger', 'list');
    const entries = JSON.parse((await steward('ledger', 'list', '--json')).stdout) as LedgerEntry[];
    expect(entries.map((entry) => entry.resource)).toEqual([
      hostileTrail,
      hostileTrail,
      hostileTrail,
    ]);
    expect(list.stdout).not.toMatch(terminalControls);
    // A header and one row per entry: the newline in the resource forged no extra row.
    expect(list.stdout.trimEnd().split('\n')).toHaveLength(4);
    // The default list cuts long values to fit 100 columns; --wide shows them whole.
    expect(list.stdout).toContain('trail\\nsucceeded\\r');
    const wide = await steward('ledger', 'list', '--wide');
    expect(wide.stdout).not.toMatch(terminalControls);
    expect(wide.stdout.trimEnd().split('\n')).toHaveLength(4);
    expect(wide.stdout).toContain(escapedTrail);

    const key = entries[0]?.pk ?? '';
    const show = await steward('ledger', 'show', key);
    expect(show.stdout).not.toMatch(terminalControls);
    expect(show.stdout.split('\n')).toContain(`resource: ${escapedTrail}`);
    const shown = JSON.parse(
      (await steward('ledger', 'show', key, '--json')).stdout,
    ) as LedgerEntry;
    expect(shown.resource).toBe(hostileTrail);
  });

  it('escapes control characters in an error message on stderr', async () => {
    const bad = join(scratch, 'bad.json');
    await writeFile(bad, JSON.stringify({ 'detail-type': 'x\u202e\u009b' }));
    const run = await steward('run', bad);
    expect(run.code).toBe(2);
    expect(run.stderr).not.toMatch(terminalControls);
    expect(run.stderr).toContain('EventBridge event "x\\u202e\\u009b" from no source');
  });
});

describe('steward validate text output', () => {
  it('escapes control characters a rule file puts in a problem', async () => {
    const rules = join(scratch, 'rules');
    await mkdir(rules);
    const file = join(rules, 'hidden.yaml');
    await writeFile(
      file,
      'id: hidden\ndescription: d\nkind: audit\nseverity: low\ntriggers:\n  - source: ec2-state\n' +
        '    states: [running]\nactions:\n  - action: audit.record\n"note\u202e\u001b[8m": x\n',
    );
    const run = await steward('validate', rules);
    expect(run.code).toBe(1);
    expect(run.stderr).not.toMatch(terminalControls);
    expect(run.stderr).toBe(`${file}:10:1: unknown property "note\\u202e\\u001b[8m"\n`);
  });
});
