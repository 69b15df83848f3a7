import type { LedgerEntry } from './entry.js';
import type { EntryWrites } from './entry-writes.js';
import { ownerIsGone } from './owner.js';

/** One way to take an action's entry: its conditional write, and what an entry it meets means. */
export interface Taking<T> {
  /** The write: on a free key or an ended lease, or, with `staleToken`, over a gone holder's claim. Undefined when refused. */
  write(staleToken?: string): Promise<T | undefined>;
  /** What an entry that refused the write means (an outcome, or this caller's own write); undefined: a live claim. */
  found(entry: LedgerEntry): T | undefined;
  /** What another invocation's live claim means. */
  inProgress(entry: LedgerEntry): T;
}

/**
 * Takes an action's entry: the conditional write, and when it is refused, a read of the
 * entry that refused it. An outcome or this caller's own write ends there; a claim whose
 * holder's process is gone is taken over; a live claim is in progress. An entry that changes
 * between each write and read is tried again, three times in all.
 *
 * @example
 * const result = await takeEntry(writes, key, 'claims', { write, found, inProgress });
 */
export async function takeEntry<T>(
  writes: EntryWrites,
  key: string,
  what: string,
  taking: Taking<T>,
): Promise<T> {
  for (let tries = 0; tries < 3; tries++) {
    const written = await taking.write();
    if (written) return written;
    const entry = await writes.get(key);
    // Gone between the write and the read: only TTL deletes entries, so take it afresh.
    if (!entry) continue;
    const settled = taking.found(entry);
    if (settled) return settled;
    if (entry.claimToken !== undefined && ownerIsGone(entry.owner)) {
      const takenOver = await taking.write(entry.claimToken);
      if (takenOver) return takenOver;
      continue;
    }
    return taking.inProgress(entry);
  }
  throw new Error(`the entry changed under every one of 3 ${what} in a row`);
}
