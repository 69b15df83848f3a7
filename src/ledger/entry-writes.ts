import type { LedgerEntry } from './entry.js';
import type { ItemTable } from './items.js';

/**
 * What the writes that take an action's entry (a claim, a one-write outcome) share with the
 * ledger: its table, its clock, how long a claim's lease lasts and entries are kept, and its
 * consistent read of an entry.
 *
 * @example
 * const writes: EntryWrites = { items, now: Date.now, leaseMs: 300_000, retentionDays: 90, get: (key) => ledger.get(key) };
 * const claim = await claimAction(writes, details);
 */
export interface EntryWrites {
  items: ItemTable;
  now: () => number;
  leaseMs: number;
  retentionDays: number;
  /** The entry as the ledger holds it; throws `LedgerUnavailableError` when it cannot be read. */
  get: (key: string) => Promise<LedgerEntry | undefined>;
}
