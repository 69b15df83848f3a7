import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { connectLedger } from '../../src/ledger/connect.js';
import { ledgerFiles } from '../../src/ledger/embedded/ledger-files.js';
import { readServerEndpoint } from '../../src/ledger/embedded/server-endpoint.js';
import { eventually, serverGone, snapshotTree } from '../support/ledger-server.js';
import { hasStackTrace, stewardProcess } from '../support/steward-process.js';

const sample = 'events/cloudtrail-run-instances.json';

/** A data directory whose ledger holds the sample's three planned actions, its server gone. */
async function ledgerOfOneRun(): Promise<string> {
  const dataDir = join(await mkdtemp(join(tmpdir(), 'steward-check-')), 'data');
  const run = await stewardProcess(dataDir, 'run', sample);
  expect(run.code).toBe(0);
  const endpoint = await readServerEndpoint(ledgerFiles(dataDir).endpoint);
  if (endpoint !== undefined)
    expect(await eventually(() => serverGone(dataDir, endpoint.pid))).toBe(true);
  return dataDir;
}

describe('a missing or damaged embedded ledger', () => {
  it('deleted CURRENT: run and check exit 2 with one line naming the path, and nothing changes', async () => {
    const dataDir = await ledgerOfOneRun();
    const { ledger } = ledgerFiles(dataDir);
    await rm(join(ledger, 'CURRENT'));
    const before = await snapshotTree(dataDir);
    const expected = `the embedded ledger at ${ledger} cannot be opened: CURRENT is missing; run "steward ledger check --repair" (it backs the directory up first, then repairs)`;

    const run = await stewardProcess(dataDir, 'run', sample, '--json');
    expect(run).toEqual({ code: 2, stdout: '', stderr: `steward run: ${expected}\n` });
    const check = await stewardProcess(dataDir, 'ledger', 'check');
    expect(check).toEqual({ code: 2, stdout: '', stderr: `steward ledger: ${expected}\n` });
    expect(await snapshotTree(dataDir)).toEqual(before);
  }, 60_000);

  it('check --repair backs the directory up, repairs it, and the ledger opens with its entries', async () => {
    const dataDir = await ledgerOfOneRun();
    const { ledger } = ledgerFiles(dataDir);
    await rm(join(ledger, 'CURRENT'));
    const damaged = await snapshotTree(ledger);

    const repair = await stewardProcess(dataDir, 'ledger', 'check', '--repair');
    expect(repair.stderr).toBe('');
    expect(repair.code).toBe(0);
    const backupLine = /^backed up (\S+) to (\S+)$/m.exec(repair.stdout);
    expect(backupLine?.[1]).toBe(ledger);
    const backup = backupLine?.[2] as string;
    expect(backup).toMatch(/\/data\/ledger\.backup-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/);
    expect(await snapshotTree(backup)).toEqual(damaged);
    expect(repair.stdout).toContain(`repaired ${ledger}\n`);
    expect(repair.stdout).toContain(`the embedded ledger (${ledger}) opens and holds 3 entries\n`);

    const rerun = await stewardProcess(dataDir, 'run', sample, '--json');
    expect(rerun.code).toBe(0);
    expect(rerun.stdout.match(/"status": "duplicate"/g)).toHaveLength(3);
  }, 60_000);

  it('a damaged table: check names it; --repair sets it aside and the ledger opens again', async () => {
    const dataDir = await ledgerOfOneRun();
    // A second run opens the ledger again, and LevelDB turns the first run's log into a table.
    expect((await stewardProcess(dataDir, 'run', sample)).code).toBe(0);
    const endpoint = await readServerEndpoint(ledgerFiles(dataDir).endpoint);
    if (endpoint !== undefined)
      expect(await eventually(() => serverGone(dataDir, endpoint.pid))).toBe(true);
    const { ledger } = ledgerFiles(dataDir);
    const table = (await readdir(ledger)).find((name) => name.endsWith('.ldb'));
    expect(table).toBeDefined();
    const path = join(ledger, table as string);
    const bytes = await readFile(path);
    bytes.write('XXXXXXXX', 100);
    await writeFile(path, bytes);

    const check = await stewardProcess(dataDir, 'ledger', 'check');
    expect(check.code).toBe(2);
    expect(check.stderr).toBe(
      `steward ledger: the embedded ledger at ${ledger} cannot be opened: ${table} is damaged: checksum mismatch in the data block at byte 0; run "steward ledger check --repair" (it backs the directory up first, then repairs)\n`,
    );
    const repair = await stewardProcess(dataDir, 'ledger', 'check', '--repair');
    expect(repair.code).toBe(0);
    expect(repair.stdout).toContain(
      `set aside ${join(ledger, 'lost', table as string)} (checksum mismatch in the data block at byte 0)`,
    );
    expect(repair.stdout).toMatch(/opens and holds \d+ entr(y|ies)\n$/);
    expect(hasStackTrace(repair.stderr)).toBe(false);
  }, 60_000);

  it('check --repair refuses while a server serves the directory, and changes nothing', async () => {
    const dataDir = await ledgerOfOneRun();
    const connection = await connectLedger({ STEWARD_DATA_DIR: dataDir });
    try {
      const serving = await readServerEndpoint(ledgerFiles(dataDir).endpoint);
      const before = await snapshotTree(ledgerFiles(dataDir).ledger);
      const repair = await stewardProcess(dataDir, 'ledger', 'check', '--repair');
      expect(repair.code).toBe(1);
      expect(repair.stderr).toBe(
        `steward ledger: the embedded ledger at ${ledgerFiles(dataDir).ledger} is in use by process ${serving?.pid}; try again once no steward process uses it (its server exits by itself a few seconds after its last request)\n`,
      );
      expect((await readdir(dataDir)).filter((name) => name.includes('backup'))).toEqual([]);
      expect(await snapshotTree(ledgerFiles(dataDir).ledger)).toEqual(before);
    } finally {
      await connection.close();
    }
  }, 60_000);
});

describe('steward ledger check', () => {
  async function steward(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = '';
    let err = '';
    const code = await main(argv, {
      out: (text) => (out += `${text}\n`),
      err: (text) => (err += `${text}\n`),
    });
    return { code, out, err };
  }

  it('is in the usage of steward ledger --help', async () => {
    const help = await steward('ledger', '--help');
    expect(help.code).toBe(0);
    expect(help.out).toContain('steward ledger check [--repair]');
  });

  it('counts the entries of a sound ledger', async () => {
    const dataDir = await ledgerOfOneRun();
    process.env.STEWARD_DATA_DIR = dataDir;
    expect(await steward('ledger', 'check')).toEqual({
      code: 0,
      out: `the embedded ledger (${ledgerFiles(dataDir).ledger}) opens and holds 3 entries\n`,
      err: '',
    });
  }, 60_000);

  it('says it checks only the embedded ledger when the environment names DynamoDB', async () => {
    process.env.STEWARD_LEDGER = 'dynamodb';
    try {
      expect(await steward('ledger', 'check', '--repair')).toEqual({
        code: 2,
        out: '',
        err: 'steward ledger: ledger check checks the embedded ledger; this environment names a DynamoDB table (STEWARD_LEDGER, AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL)\n',
      });
    } finally {
      delete process.env.STEWARD_LEDGER;
    }
  });
});
