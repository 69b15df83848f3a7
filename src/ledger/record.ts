import { ledgerKey, type LedgerEntry } from './entry.js';
import type { EntryWrites } from './entry-writes.js';
import { isConditionFailure, LedgerUnavailableError } from './errors.js';
import {
  identityParts,
  outcomeParts,
  takeCondition,
  type ClaimDetails,
  type Completion,
} from './writes.js';
import { takeEntry } from './take.js';

/** What a one-write outcome attempt found. */
export type RecordResult =
  /** This call wrote the outcome. */
  | { kind: 'recorded'; key: string; entry: LedgerEntry }
  /** The action already has an outcome: return it, do not act again. */
  | { kind: 'duplicate'; key: string; entry: LedgerEntry }
  /** Another invocation holds a live lease on the action: its outcome is not known yet. */
  | { kind: 'in-progress'; key: string; entry: LedgerEntry };

/**
 * Claims an action and records its outcome in one conditional write, taken as a claim is
 * taken: exactly one caller per key records it, and every other caller gets the stored
 * outcome, or finds another invocation's claim still in progress. The same write sent again
 * with the same `token` after a lost response is recognised as this caller's. A write whose
 * outcome is unknown throws `LedgerUnavailableError`.
 *
 * @example
 * const result = await recordAction(writes, details, { status: 'planned', detail: 'would tag i-0123' }, token);
 * if (result.kind === 'duplicate') console.log('already', result.entry.status);
 */
export async function recordAction(
  writes: EntryWrites,
  details: ClaimDetails,
  completion: Completion,
  token: string,
): Promise<RecordResult> {
  const key = ledgerKey(details);
  try {
    return await takeEntry<RecordResult>(writes, key, 'writes', {
      write: async (staleToken) => {
        const written = await writeOutcome(writes, key, token, details, completion, staleToken);
        return written && { kind: 'recorded', key, entry: written };
      },
      found: (entry) => {
        if (entry.status === 'claimed') return undefined;
        // The same write, sent again after its response was lost, is this caller's.
        return entry.completionToken === token
          ? { kind: 'recorded', key, entry }
          : { kind: 'duplicate', key, entry };
      },
      inProgress: (entry) => ({ kind: 'in-progress', key, entry }),
    });
  } catch (error) {
    throw error instanceof LedgerUnavailableError
      ? error
      : new LedgerUnavailableError('record', key, error);
  }
}

/** `recordAction`'s conditional write, taken as a claim's write is taken. */
async function writeOutcome(
  writes: EntryWrites,
  key: string,
  token: string,
  details: ClaimDetails,
  completion: Completion,
  staleToken?: string,
): Promise<LedgerEntry | undefined> {
  const now = writes.now();
  const take = takeCondition(now, staleToken);
  const identity = identityParts(details, now, writes.retentionDays);
  const outcome = outcomeParts(token, completion, now);
  try {
    const attributes = await writes.items.update({
      key: { pk: key },
      condition: take.condition,
      update: `SET ${outcome.update}, ${identity.update} REMOVE ${outcome.remove}`,
      names: { ...identity.names, ...outcome.names },
      values: { ...take.values, ...identity.values, ...outcome.values },
      returnValues: 'ALL_NEW',
    });
    return attributes as LedgerEntry;
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
