import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadLevel, type LevelClass } from './dynalite-module.js';
import { LedgerUnreadableError } from './errors.js';
import { logFileProblem, tableFileProblem } from './leveldb/format.js';

/**
 * What a ledger directory holds: nothing of LevelDB's yet (`fresh`: dynalite creates it),
 * a database that opens and whose every file checks (`readable`), or a database another process
 * has open (`locked`: LevelDB's own lock, or a file that changed while it was read).
 */
export type LedgerDirectoryState = 'fresh' | 'readable' | 'locked';

const levelFileName = /^(CURRENT|LOCK|LOG|LOG\.old|MANIFEST-\d+|\d+\.(log|ldb|sst))$/;

/**
 * True for the names of files LevelDB keeps in its directory: their presence means a database
 * was there, whatever else is missing.
 *
 * @example
 * (await readdir(path)).some(isLevelFile);
 */
export function isLevelFile(name: string): boolean {
  return levelFileName.test(name);
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** The deepest message of a `level` error: "Corruption: …", "IO error: …". */
function levelReason(error: unknown): string {
  let deepest = error as Error | undefined;
  while (deepest?.cause instanceof Error) deepest = deepest.cause;
  return deepest?.message ?? String(error);
}

/**
 * True when `error`, from opening a LevelDB database, says another process has it open.
 *
 * @example
 * await db.open().catch((error) => { if (isLockedError(error)) throw new LedgerBusyError(path, pid); });
 */
export function isLockedError(error: unknown): boolean {
  for (let current = error; current instanceof Error; current = current.cause)
    if ((current as NodeJS.ErrnoException).code === 'LEVEL_LOCKED') return true;
  return false;
}

/**
 * Checks the LevelDB directory of an embedded ledger before anything serves it, without
 * creating or changing a file unless it is sound: LevelDB files without `CURRENT`, a damaged
 * record or block in any log, manifest or table, or a database LevelDB will not open is a
 * `LedgerUnreadableError` naming the path. LevelDB would otherwise start an empty database over
 * a missing `CURRENT` and drop damaged log records on open, silently.
 *
 * Opening the database (the last check) lets LevelDB turn its log into a table, as any open
 * does; every file has been checked before that.
 *
 * @example
 * if ((await inspectLedgerDirectory('.steward/ledger')) === 'locked') await retryLater();
 */
export async function inspectLedgerDirectory(
  path: string,
  Level: LevelClass = loadLevel(),
): Promise<LedgerDirectoryState> {
  let names: string[];
  try {
    names = await readdir(path);
  } catch (error) {
    if (isMissing(error)) return 'fresh';
    throw new LedgerUnreadableError(path, `its directory cannot be read (${levelReason(error)})`, {
      cause: error,
    });
  }
  if (!names.some(isLevelFile)) return 'fresh';
  const unreadable = (reason: string, cause?: unknown) =>
    new LedgerUnreadableError(path, reason, { cause });
  if (!names.includes('CURRENT')) throw unreadable('CURRENT is missing');
  try {
    const current = await readFile(join(path, 'CURRENT'), 'utf8');
    const manifest = /^(MANIFEST-\d+)\n$/.exec(current)?.[1];
    if (manifest === undefined)
      throw unreadable(
        `CURRENT does not name a manifest (it holds ${JSON.stringify(current.slice(0, 40))})`,
      );
    if (!names.includes(manifest)) throw unreadable(`CURRENT names ${manifest}, which is missing`);
    const logs = [manifest, ...names.filter((name) => /^\d+\.log$/.test(name))];
    for (const name of logs) {
      const problem = logFileProblem(await readFile(join(path, name)));
      if (problem !== undefined) throw unreadable(`${name} is damaged: ${problem}`);
    }
    for (const name of names.filter((name) => /^\d+\.(ldb|sst)$/.test(name))) {
      const problem = tableFileProblem(await readFile(join(path, name)));
      if (problem !== undefined) throw unreadable(`${name} is damaged: ${problem}`);
    }
  } catch (error) {
    // A server still closing may compact and remove files while they are read.
    if (isMissing(error)) return 'locked';
    throw error;
  }
  const db = new Level(path, {
    createIfMissing: false,
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
  });
  try {
    await db.open();
  } catch (error) {
    if (isLockedError(error)) return 'locked';
    throw unreadable(`LevelDB refuses it (${levelReason(error)})`, error);
  }
  await db.close();
  return 'readable';
}
