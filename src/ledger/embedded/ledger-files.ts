import { join, resolve } from 'node:path';

/** Where the embedded ledger keeps its data and its coordination files in a data directory. */
export interface LedgerFiles {
  /** The data directory itself (`.steward/`). */
  dataDir: string;
  /** The LevelDB directory dynalite serves. */
  ledger: string;
  /** `{pid, port, startedAt, path}` of the server serving `ledger`, written once it answers. */
  endpoint: string;
  /** Held (created exclusively, holding a pid) by whoever starts a server or repairs. */
  lock: string;
  /** The server's own stderr: whatever it could not tell a client. */
  serverLog: string;
}

/**
 * The embedded ledger's files in `dataDir`, as absolute paths: the server runs in its own
 * working directory, and every steward process must name the same files.
 *
 * @example
 * const files = ledgerFiles('.steward');
 * files.ledger; // /home/me/project/.steward/ledger
 */
export function ledgerFiles(dataDir: string): LedgerFiles {
  const dir = resolve(dataDir);
  return {
    dataDir: dir,
    ledger: join(dir, 'ledger'),
    endpoint: join(dir, 'ledger.server.json'),
    lock: join(dir, 'ledger.lock'),
    serverLog: join(dir, 'ledger.server.log'),
  };
}

/**
 * Where `ledger check --repair` copies the ledger before it repairs: beside it, named for the
 * time (`ledger.backup-2026-11-30T14-05-00Z`), without colons so every file system takes it.
 *
 * @example
 * backupPathFor('/p/.steward/ledger', new Date('2026-11-30T14:05:00Z')); // /p/.steward/ledger.backup-2026-11-30T14-05-00Z
 */
export function backupPathFor(ledger: string, at: Date): string {
  return `${ledger}.backup-${at
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-')}`;
}
