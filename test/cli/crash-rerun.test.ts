import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PipelineReport } from '../../src/pipeline.js';
import { repoPath } from '../support/files.js';
import { tmpdir } from 'node:os';

function run(args: string[], dataDir: string) {
  return spawnSync(process.execPath, args, {
    cwd: repoPath(''),
    env: { ...process.env, STEWARD_DATA_DIR: dataDir },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('steward run after a kill -9', () => {
  it('takes over the dead process’s claims at once and finishes every action exactly once', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'steward-crash-'));
    const file = 'events/cloudtrail-log-file.json.gz';
    const crashed = run(
      ['--import', 'tsx', 'test/fixtures/cli/crash-after-claims.ts', file],
      dataDir,
    );
    expect(crashed.signal).toBe('SIGKILL');

    const before = JSON.parse(
      run(['bin/steward.js', 'ledger', 'list', '--json'], dataDir).stdout,
    ) as {
      status: string;
    }[];
    const stranded = before.filter((entry) => entry.status === 'claimed').length;
    expect(stranded).toBeGreaterThan(0);

    const rerun = run(['bin/steward.js', 'run', file, '--json'], dataDir);
    expect(rerun.stderr).toBe('');
    expect(rerun.status).toBe(0);
    const report = JSON.parse(rerun.stdout) as PipelineReport;
    const actions = report.events.flatMap((event) =>
      event.matches.flatMap((match) => match.actions),
    );
    expect(actions.length).toBeGreaterThan(stranded);
    expect(actions.filter((action) => action.status === 'planned').length).toBeGreaterThanOrEqual(
      stranded,
    );
    expect(
      actions.every((action) => action.status === 'planned' || action.status === 'duplicate'),
    ).toBe(true);

    const after = JSON.parse(
      run(['bin/steward.js', 'ledger', 'list', '--json'], dataDir).stdout,
    ) as {
      status: string;
      attempts: number;
    }[];
    expect(after).toHaveLength(actions.length);
    expect(after.every((entry) => entry.status === 'planned')).toBe(true);
    expect(after.filter((entry) => entry.attempts === 2)).toHaveLength(stranded);
  });
});
