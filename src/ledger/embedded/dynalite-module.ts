import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * Where dynalite is installed, resolved from this module: from the bundle when a handler runs
 * under `sls invoke local` (CommonJS), from the source otherwise (ESM).
 *
 * @example
 * const dynalite = createRequire(import.meta.url)(dynalitePath());
 */
export function dynalitePath(): string {
  return typeof require === 'function'
    ? require.resolve('dynalite')
    : fileURLToPath(import.meta.resolve('dynalite'));
}

/** A LevelDB database as `level` opens it, reduced to what checking one needs. */
export interface LevelDatabase {
  open(): Promise<void>;
  close(): Promise<void>;
  iterator(options: { keyEncoding: 'buffer'; valueEncoding: 'buffer' }): {
    nextv(size: number): Promise<unknown[]>;
    close(): Promise<void>;
  };
}

/** The `Level` class of the `level` package. */
export interface LevelClass {
  new (
    location: string,
    options: { createIfMissing: boolean; keyEncoding: 'buffer'; valueEncoding: 'buffer' },
  ): LevelDatabase;
  /** LevelDB's `RepairDB`: rebuilds the descriptor from every table and log it can read. */
  repair(location: string): Promise<void>;
}

/**
 * The `level` package dynalite itself stores its data with, so that checking and repairing a
 * ledger use the very LevelDB build that writes it.
 *
 * @example
 * const Level = loadLevel();
 * await Level.repair('.steward/ledger');
 */
export function loadLevel(): LevelClass {
  return (createRequire(dynalitePath())('level') as { Level: LevelClass }).Level;
}
