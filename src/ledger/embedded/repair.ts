import { cp, mkdir, readFile, readdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLevel } from './dynalite-module.js';
import { EmbeddedLedgerError, LedgerBusyError } from './errors.js';
import { isLevelFile, isLockedError } from './ledger-directory.js';
import { tableFileProblem } from './leveldb/format.js';
import { backupPathFor, ledgerFiles } from './ledger-files.js';
import { SharedLedgerServer } from './shared-server.js';
import { StartLock } from './start-lock.js';

/** What `repairLedger` did. */
export interface LedgerRepair {
  /** The ledger's directory. */
  path: string;
  /** The copy of it made before anything was changed. */
  backup: string;
  /** Damaged tables moved to `lost/` in the ledger before the repair: their entries are only in the backup. */
  setAside: { file: string; problem: string }[];
}

/**
 * Moves every table whose blocks fail their checksums to `lost/`, where RepairDB itself puts
 * what it cannot use: RepairDB reads tables without checking checksums, so it would keep a
 * damaged one, and the repaired ledger would still not open.
 */
async function setAsideDamagedTables(
  path: string,
  names: string[],
): Promise<LedgerRepair['setAside']> {
  const setAside: LedgerRepair['setAside'] = [];
  for (const name of names.filter((file) => /^\d+\.(ldb|sst)$/.test(file))) {
    const problem = tableFileProblem(await readFile(join(path, name)));
    if (problem === undefined) continue;
    await mkdir(join(path, 'lost'), { recursive: true });
    await rename(join(path, name), join(path, 'lost', name));
    setAside.push({ file: join(path, 'lost', name), problem });
  }
  return setAside;
}

/**
 * Repairs the embedded ledger of `dataDir` with LevelDB's own `RepairDB` (which rebuilds the
 * manifest and `CURRENT` from every table and log it can read, skipping damaged log records),
 * after copying the whole directory to a timestamped backup beside it and setting damaged
 * tables aside. Refused
 * (`LedgerBusyError`) while a server serves the directory or another process has the database
 * open; it holds the start lock meanwhile, so no server starts on a half-repaired ledger.
 *
 * @example
 * const { backup } = await repairLedger('.steward');
 * console.log(`the ledger as it was is in ${backup}`);
 */
export async function repairLedger(dataDir: string, now: Date = new Date()): Promise<LedgerRepair> {
  const files = ledgerFiles(dataDir);
  const names = await readdir(files.ledger).catch(() => [] as string[]);
  if (!names.some(isLevelFile))
    throw new EmbeddedLedgerError(
      files.ledger,
      'holds no LevelDB files: there is nothing to repair',
    );
  const lock = await StartLock.acquire(files.lock);
  if (lock === undefined)
    throw new LedgerBusyError(files.ledger, await StartLock.holder(files.lock));
  try {
    const serving = await SharedLedgerServer.serving(dataDir);
    if (serving !== undefined) throw new LedgerBusyError(files.ledger, serving.pid);
    const backup = backupPathFor(files.ledger, now);
    await cp(files.ledger, backup, { recursive: true, errorOnExist: true, force: false });
    const Level = loadLevel();
    // LevelDB takes its lock before it reads anything: a database another process has open
    // (a server starting, stopping or stuck) fails here, and RepairDB, which takes no lock,
    // never runs under it.
    const probe = new Level(files.ledger, {
      createIfMissing: false,
      keyEncoding: 'buffer',
      valueEncoding: 'buffer',
    });
    try {
      await probe.open();
      await probe.close();
    } catch (error) {
      if (isLockedError(error)) throw new LedgerBusyError(files.ledger);
    }
    const setAside = await setAsideDamagedTables(files.ledger, names);
    try {
      await Level.repair(files.ledger);
    } catch (error) {
      throw new EmbeddedLedgerError(
        files.ledger,
        `could not be repaired (${(error as Error).message}); the backup ${backup} holds it as it was`,
        { cause: error },
      );
    }
    return { path: files.ledger, backup, setAside };
  } finally {
    await lock.release();
  }
}
