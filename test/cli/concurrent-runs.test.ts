import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { LedgerEntry } from '../../src/ledger/entry.js';
import type { PipelineReport } from '../../src/pipeline.js';
import { hasStackTrace, stewardProcess } from '../support/steward-process.js';

const processes = 16;

describe('steward run, 16 processes at once on one data directory', () => {
  it('all exit 0 without a stack trace; each action is planned by exactly one of them and stored once', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'steward-concurrent-')), 'data');
    const runs = await Promise.all(
      Array.from({ length: processes }, () =>
        stewardProcess(dataDir, 'run', 'events/cloudtrail-run-instances.json', '--json'),
      ),
    );
    for (const run of runs) {
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(hasStackTrace(run.stderr)).toBe(false);
    }
    const statusesByKey = new Map<string, string[]>();
    for (const run of runs) {
      const report = JSON.parse(run.stdout) as PipelineReport;
      for (const action of report.events.flatMap((event) =>
        event.matches.flatMap((match) => match.actions),
      )) {
        const key = `${action.action} ${action.resource}`;
        statusesByKey.set(key, [...(statusesByKey.get(key) ?? []), action.status]);
      }
    }
    expect(statusesByKey.size).toBe(3);
    for (const statuses of statusesByKey.values()) {
      expect(statuses).toHaveLength(processes);
      expect(statuses.filter((status) => status === 'planned')).toHaveLength(1);
      expect(statuses.filter((status) => status === 'duplicate')).toHaveLength(processes - 1);
    }

    process.env.STEWARD_DATA_DIR = dataDir;
    let stdout = '';
    const code = await main(['ledger', 'list', '--json'], {
      out: (text) => (stdout += text),
      err: (text) => (stdout += text),
    });
    expect(code).toBe(0);
    const entries = JSON.parse(stdout) as LedgerEntry[];
    expect(entries.map((entry) => `${entry.action} ${entry.resource}`).sort()).toEqual(
      [...statusesByKey.keys()].sort(),
    );
    expect(entries.every((entry) => entry.status === 'planned')).toBe(true);
  }, 180_000);
});
