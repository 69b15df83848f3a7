import { randomUUID } from 'node:crypto';
import { ledgerKey, type LedgerEntry } from './entry.js';
import type { EntryWrites } from './entry-writes.js';
import { isConditionFailure, LedgerUnavailableError } from './errors.js';
import { takeEntry } from './take.js';
import { claimParts, identityParts, takeCondition, type ClaimDetails } from './writes.js';

/** What a claim attempt found. */
export type ClaimResult =
  | {
      kind: 'claimed';
      key: string;
      token: string;
      attempts: number;
      /** Taken over from an attempt that ended without an outcome: why it ended. */
      previousError?: string;
    }
  /** The action already has an outcome: return it, do not act again. */
  | { kind: 'duplicate'; key: string; entry: LedgerEntry }
  /** Another invocation holds a live lease on the action: its outcome is not known yet. */
  | { kind: 'in-progress'; key: string; entry: LedgerEntry };

/**
 * Claims an action: succeeds for exactly one caller per key, or for the first caller after
 * the holder's lease has ended (or, outside Lambda, after its process on this host has
 * gone). Everyone else gets the entry as the ledger holds it. A claim whose write may or may
 * not have been applied throws `LedgerUnavailableError` with the token it carried, to release.
 *
 * @example
 * const claim = await claimAction(writes, details);
 * if (claim.kind === 'claimed') console.log('act, then complete with', claim.token);
 */
export async function claimAction(
  writes: EntryWrites,
  details: ClaimDetails,
): Promise<ClaimResult> {
  const key = ledgerKey(details);
  const token = randomUUID();
  try {
    return await takeEntry<ClaimResult>(writes, key, 'claims', {
      write: async (staleToken) => {
        const written = await writeClaim(writes, key, token, details, staleToken);
        return written && { kind: 'claimed', key, token, ...written };
      },
      found: (entry) => {
        if (entry.status !== 'claimed') return { kind: 'duplicate', key, entry };
        // The write went through but its response was lost, and the SDK sent it again.
        if (entry.claimToken === token)
          return { kind: 'claimed', key, token, attempts: entry.attempts };
        return undefined;
      },
      inProgress: (entry) => ({ kind: 'in-progress', key, entry }),
    });
  } catch (error) {
    throw error instanceof LedgerUnavailableError
      ? error
      : new LedgerUnavailableError('claim', key, error, token);
  }
}

/**
 * The claim's conditional write: on a free key or an ended lease, or, with `staleToken`, over
 * the claim of a holder known to be gone. Undefined when the condition refused it.
 */
async function writeClaim(
  writes: EntryWrites,
  key: string,
  token: string,
  details: ClaimDetails,
  staleToken?: string,
): Promise<{ attempts: number; previousError?: string } | undefined> {
  const now = writes.now();
  const take = takeCondition(now, staleToken);
  const identity = identityParts(details, now, writes.retentionDays);
  const claim = claimParts(token, details.leaseUntil ?? now + writes.leaseMs, details.owner);
  try {
    const attributes = await writes.items.update({
      key: { pk: key },
      condition: take.condition,
      update: `SET ${claim.update}, ${identity.update}`,
      names: { ...identity.names, ...claim.names },
      values: { ...take.values, ...identity.values, ...claim.values },
      returnValues: 'ALL_NEW',
    });
    const attempts = Number(attributes?.attempts ?? 1);
    const previousError = attributes?.error;
    return attempts > 1 && typeof previousError === 'string'
      ? { attempts, previousError }
      : { attempts };
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}
