import type { ActionHistory } from '../actions/history.js';
import { HistoryUnavailableError } from '../actions/history.js';
import { messageOf } from '../errors.js';
import type { Ledger } from '../ledger/ledger.js';

/**
 * The history an action reads, over the ledger's `byResource` index: the succeeded, enforced
 * entries of one resource in one account and region, newest first. Dry runs record `planned`,
 * never `succeeded`, so a dry run's plan is never taken for something done.
 *
 * @example
 * const history = ledgerHistory(ledger, '123456789012', 'us-east-1');
 * const isolated = await history.lastSucceeded('i-0123', 'ec2.isolate-instance');
 */
export function ledgerHistory(ledger: Ledger, account: string, region: string): ActionHistory {
  return {
    async lastSucceeded(resource, action) {
      let entries;
      try {
        entries = await ledger.list({ resource, status: 'succeeded', account, region });
      } catch (error) {
        throw new HistoryUnavailableError(
          `the ledger's history of ${resource} could not be read: ${messageOf(error)}`,
          { cause: error },
        );
      }
      const entry = entries.find((found) => found.action === action && found.mode === 'enforce');
      return (
        entry && {
          action: entry.action,
          resource: entry.resource,
          eventId: entry.eventId,
          ruleId: entry.ruleId,
          at: entry.createdAt,
          ...(entry.detail === undefined ? {} : { detail: entry.detail }),
          ...(entry.data === undefined ? {} : { data: entry.data }),
        }
      );
    },
  };
}
