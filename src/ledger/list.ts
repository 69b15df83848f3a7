import { parseTime } from '../json/time.js';
import { boundText, ledgerBounds } from './bounds.js';
import type { LedgerEntry, LedgerStatus } from './entry.js';
import type { Item, ItemPage, ItemTable } from './items.js';
import { ledgerIndexes } from './table.js';

export interface LedgerQuery {
  /** An event's id: every action of the event, in both modes. */
  event?: string;
  rule?: string;
  resource?: string;
  /** ISO 8601 or epoch ms: entries created at or after this time. */
  since?: string;
  status?: LedgerStatus;
  account?: string;
  region?: string;
  limit?: number;
}

/** The index a query reads, and the value of its partition key; none for a scan. */
function indexLookup(query: LedgerQuery) {
  // The ledger writes an event id bounded, as an index key must be: the query asks for the same.
  if (query.event !== undefined)
    return {
      index: ledgerIndexes.byEvent,
      value: boundText(query.event, ledgerBounds.keyBytes),
    };
  if (query.rule !== undefined) return { index: ledgerIndexes.byRule, value: query.rule };
  if (query.resource !== undefined)
    return { index: ledgerIndexes.byResource, value: query.resource };
  return undefined;
}

/**
 * True when DynamoDB refused a query for an index the table lacks: a table made before the
 * index was defined (an embedded ledger of an older steward, a stack not deployed since).
 */
function isMissingIndex(error: unknown): boolean {
  return (
    error instanceof Error &&
    error.name === 'ValidationException' &&
    error.message.includes('does not have the specified index')
  );
}

/**
 * The ledger's entries that `query` selects, newest first: by event, rule or resource through
 * their indexes (a table without the index is scanned instead), otherwise a scan of the table;
 * guard items are left out.
 *
 * @example
 * const failed = await listEntries(items, { rule: 'stop-untagged', status: 'failed' });
 */
export async function listEntries(items: ItemTable, query: LedgerQuery): Promise<LedgerEntry[]> {
  const sinceTime = query.since === undefined ? undefined : parseTime(query.since);
  if (query.since !== undefined && sinceTime === undefined)
    throw new RangeError(`since is not an ISO 8601 time or epoch milliseconds: "${query.since}"`);
  const since = sinceTime === undefined ? undefined : new Date(sinceTime).toISOString();
  const lookup = indexLookup(query);
  const event =
    query.event === undefined ? undefined : boundText(query.event, ledgerBounds.keyBytes);
  let indexed = lookup !== undefined;
  const readPage = async (startKey: Item | undefined): Promise<ItemPage> => {
    if (!indexed || lookup === undefined) return items.scan({ startKey });
    try {
      return await items.query({
        index: lookup.index.name,
        keyCondition:
          since === undefined
            ? '#partition = :partition'
            : '#partition = :partition AND createdAt >= :since',
        names: { '#partition': lookup.index.partitionKey },
        values: {
          ':partition': lookup.value,
          ...(since === undefined ? {} : { ':since': since }),
        },
        forward: false,
        startKey,
      });
    } catch (error) {
      if (startKey !== undefined || !isMissingIndex(error)) throw error;
      indexed = false;
      return items.scan({});
    }
  };
  const entries: LedgerEntry[] = [];
  let startKey: Item | undefined;
  do {
    const page = await readPage(startKey);
    entries.push(...(page.items as LedgerEntry[]));
    startKey = page.lastKey;
  } while (startKey !== undefined);
  return entries
    .filter(
      (entry) =>
        entry.action !== undefined &&
        (event === undefined || entry.eventId === event) &&
        (query.rule === undefined || entry.ruleId === query.rule) &&
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
