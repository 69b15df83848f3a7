import { parseTime } from '../json/time.js';
import type { LedgerEntry, LedgerStatus } from './entry.js';
import type { Item, ItemTable } from './items.js';
import { ledgerIndexes } from './table.js';

export interface LedgerQuery {
  rule?: string;
  resource?: string;
  /** ISO 8601 or epoch ms: entries created at or after this time. */
  since?: string;
  status?: LedgerStatus;
  account?: string;
  region?: string;
  limit?: number;
}

/**
 * The ledger's entries that `query` selects, newest first: by rule or by resource through their
 * indexes, otherwise a scan of the table; guard items are left out.
 *
 * @example
 * const failed = await listEntries(items, { rule: 'stop-untagged', status: 'failed' });
 */
export async function listEntries(items: ItemTable, query: LedgerQuery): Promise<LedgerEntry[]> {
  const sinceTime = query.since === undefined ? undefined : parseTime(query.since);
  if (query.since !== undefined && sinceTime === undefined)
    throw new RangeError(`since is not an ISO 8601 time or epoch milliseconds: "${query.since}"`);
  const since = sinceTime === undefined ? undefined : new Date(sinceTime).toISOString();
  const entries: LedgerEntry[] = [];
  let startKey: Item | undefined;
  do {
    const page =
      query.rule !== undefined || query.resource !== undefined
        ? await items.query({
            index:
              query.rule !== undefined ? ledgerIndexes.byRule.name : ledgerIndexes.byResource.name,
            keyCondition:
              since === undefined
                ? '#partition = :partition'
                : '#partition = :partition AND createdAt >= :since',
            names: {
              '#partition': query.rule !== undefined ? 'ruleId' : 'resource',
            },
            values: {
              ':partition': query.rule ?? query.resource,
              ...(since === undefined ? {} : { ':since': since }),
            },
            forward: false,
            startKey,
          })
        : await items.scan({ startKey });
    entries.push(...(page.items as LedgerEntry[]));
    startKey = page.lastKey;
  } while (startKey !== undefined);
  return entries
    .filter(
      (entry) =>
        entry.action !== undefined &&
        (query.resource === undefined || entry.resource === query.resource) &&
        (query.status === undefined || entry.status === query.status) &&
        (query.account === undefined || entry.account === query.account) &&
        (query.region === undefined || entry.region === query.region) &&
        (since === undefined || entry.createdAt >= since),
    )
    .sort((a, b) =>
      a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.pk.localeCompare(b.pk),
    )
    .slice(0, query.limit ?? Number.POSITIVE_INFINITY);
}
