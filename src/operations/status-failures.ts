import { mapWithConcurrency } from '../concurrency.js';
import type { LedgerEntry } from '../ledger/entry.js';
import type { Ledger } from '../ledger/ledger.js';
import { StatusPartError } from './status-errors.js';

/** One failed action as the ledger recorded it. */
export interface RecentFailure {
  /** When the action was claimed (the entry's `createdAt`). */
  time: string;
  rule: string;
  action: string;
  resource: string;
  account: string;
  region: string;
  /** The error the action met, else the outcome's detail. */
  reason: string;
  eventId: string;
  ledgerKey: string;
}

/** Rules looked up at once: each is one Query of the `byRule` index. */
const concurrentRules = 4;

function failureOf(entry: LedgerEntry): RecentFailure {
  return {
    time: entry.createdAt,
    rule: entry.ruleId,
    action: entry.action,
    resource: entry.resource,
    account: entry.account ?? '-',
    region: entry.region ?? '-',
    reason: entry.error ?? entry.detail ?? '-',
    eventId: entry.eventId,
    ledgerKey: entry.pk,
  };
}

/**
 * The newest `limit` failed actions of `rules` since `since`, newest first, from the ledger's
 * `byRule` index: one Query per rule, bounded by the window, never a scan of the table (the
 * metrics say which rules had failed actions). A refusal throws `StatusPartError` naming the
 * table.
 *
 * @example
 * const failures = await recentFailures(ledger, ['ec2-running-without-owner'], '2026-12-01T09:00:00Z', 10);
 */
export async function recentFailures(
  ledger: Ledger,
  rules: readonly string[],
  since: string,
  limit: number,
): Promise<RecentFailure[]> {
  try {
    const perRule = await mapWithConcurrency(rules, concurrentRules, (rule) =>
      ledger.list({ rule, status: 'failed', since, limit }),
    );
    return perRule
      .flat()
      .sort((a, b) =>
        a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.pk.localeCompare(b.pk),
      )
      .slice(0, limit)
      .map(failureOf);
  } catch (error) {
    throw new StatusPartError(
      'failures',
      `cannot read the ledger table ${ledger.tableName}`,
      error,
    );
  }
}
