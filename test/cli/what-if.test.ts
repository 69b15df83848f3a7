import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/ledger/entry.js';
import type { PipelineReport } from '../../src/pipeline.js';
import { steward } from './support.js';

const trailRecord = {
  eventVersion: '1.09',
  eventID: 'c0ffee00-0000-4000-8000-000000000001',
  eventTime: '2026-11-20T10:00:00Z',
  eventSource: 'cloudtrail.amazonaws.com',
  eventName: 'StopLogging',
  awsRegion: 'us-east-1',
  userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/mallory' },
  recipientAccountId: '123456789012',
  requestParameters: { name: 'management-trail' },
};

let file: string;

beforeAll(async () => {
  const scratch = await mkdtemp(join(tmpdir(), 'steward-what-if-'));
  process.env.STEWARD_DATA_DIR = join(scratch, 'data');
  file = join(scratch, 'stop-logging.json');
  await writeFile(file, JSON.stringify({ Records: [trailRecord] }));
});

async function report(...argv: string[]): Promise<PipelineReport> {
  const run = await steward('run', file, ...argv, '--json');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as PipelineReport;
}

const actionsOf = (result: PipelineReport) =>
  result.events.flatMap((event) =>
    event.matches.flatMap((match) =>
      match.actions.map((action) => ({ key: action.key, status: action.status })),
    ),
  );

async function ledgerEntries(): Promise<LedgerEntry[]> {
  return JSON.parse((await steward('ledger', 'list', '--json')).stdout) as LedgerEntry[];
}

describe('steward run --what-if', () => {
  it('plans every action, says nothing was recorded, and leaves the ledger untouched however often it runs', async () => {
    const first = await report('--what-if');
    expect(first.whatIf).toBe(true);
    const planned = actionsOf(first);
    expect(planned.length).toBeGreaterThan(0);
    expect(planned.every((action) => action.status === 'planned')).toBe(true);
    expect(actionsOf(await report('--what-if'))).toEqual(planned);
    expect(await ledgerEntries()).toEqual([]);
    const text = await steward('run', file, '--what-if');
    expect(text.stdout).toMatch(
      /\nwhat-if \(dry run\): nothing executed, nothing recorded: the ledger was neither read nor written\n$/,
    );
    expect(text.stdout).toContain('planned — would ');
  });

  it('plans the keys a run records, and still plans (never duplicate) once the run has recorded them', async () => {
    const planned = actionsOf(await report('--what-if'));
    const recorded = actionsOf(await report());
    expect(recorded).toEqual(planned);
    const entries = await ledgerEntries();
    expect(entries.map((entry) => entry.pk).sort()).toEqual(planned.map((a) => a.key).sort());
    expect(actionsOf(await report())).toEqual(
      planned.map((action) => ({ ...action, status: 'duplicate' })),
    );
    expect(actionsOf(await report('--what-if'))).toEqual(planned);
    expect(await ledgerEntries()).toEqual(entries);
  });

  it('plans enforced rules in enforce mode with --live, executing nothing', async () => {
    const live = await report('--what-if', '--live');
    const modes = live.events.flatMap((event) =>
      event.matches.flatMap((match) => match.actions.map((action) => action.mode)),
    );
    expect(modes).toContain('enforce');
    expect(actionsOf(live).every((action) => action.status === 'planned')).toBe(true);
    const text = await steward('run', file, '--what-if', '--live', '--quiet');
    expect(text.stdout).toContain('what-if (live): nothing executed, nothing recorded');
  });
});
