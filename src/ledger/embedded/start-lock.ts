import { open, readFile, rm, stat } from 'node:fs/promises';
import { processAlive } from './server-endpoint.js';

/** How long a lock file may stay without a pid before it counts as abandoned. */
const emptyLockMs = 5_000;

/**
 * An exclusive lock file holding its holder's process id, taken by whoever starts a ledger
 * server or repairs the ledger, so that steward processes starting at once start one server,
 * not one each. A lock whose holder died is taken over. LevelDB's own lock on the database
 * stays the last word: a second server that got past this one still cannot open it.
 *
 * @example
 * const lock = await StartLock.acquire('.steward/ledger.lock');
 * if (lock) try { await startServer(); } finally { await lock.release(); }
 */
export class StartLock {
  private constructor(readonly file: string) {}

  /** The lock, or `undefined` while a live process holds it. */
  static async acquire(file: string): Promise<StartLock | undefined> {
    for (;;) {
      try {
        const handle = await open(file, 'wx');
        try {
          await handle.writeFile(`${process.pid}\n`);
        } finally {
          await handle.close();
        }
        return new StartLock(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      const holder = await StartLock.holder(file);
      if (holder === undefined) {
        // A lock being written has no pid yet; one left empty for long lost its holder.
        const written = await stat(file).then(
          (stats) => stats.mtimeMs,
          () => Date.now(),
        );
        if (Date.now() - written < emptyLockMs) return undefined;
        await rm(file, { force: true });
        continue;
      }
      if (processAlive(holder)) return undefined;
      // Only the dead holder's lock is removed, not one another process took over meanwhile.
      if ((await StartLock.holder(file)) === holder) await rm(file, { force: true });
    }
  }

  /** The process id in a lock file, if it holds one. */
  static async holder(file: string): Promise<number | undefined> {
    const text = await readFile(file, 'utf8').catch(() => '');
    const pid = Number(text.trim());
    return text.trim() !== '' && Number.isInteger(pid) && pid > 0 ? pid : undefined;
  }

  async release(): Promise<void> {
    if ((await StartLock.holder(this.file)) === process.pid) await rm(this.file, { force: true });
  }
}
