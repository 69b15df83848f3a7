import { parseArgs } from 'node:util';
import type { LedgerEntry, LedgerStatus } from '../ledger/entry.js';
import { connectLedger } from '../ledger/connect.js';
import { escapeControls } from './escape.js';
import { table, UsageError, type Output } from './output.js';

export const ledgerUsage =
  'steward ledger list [--rule ID] [--resource ID] [--since TIME] [--status STATUS] [--json]\n' +
  '       steward ledger show <key> [--json]\n' +
  '       steward ledger stats [--rule ID] [--resource ID] [--since TIME] [--json]';

const statuses: readonly LedgerStatus[] = ['claimed', 'planned', 'succeeded', 'failed', 'skipped'];

/** `steward ledger`: read the ledger the environment names (the embedded one locally). */
export async function ledgerCommand(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      rule: { type: 'string' },
      resource: { type: 'string' },
      since: { type: 'string' },
      status: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const [verb, key] = positionals;
  if (values.status !== undefined && !statuses.includes(values.status as LedgerStatus)) {
    throw new UsageError(`--status must be one of ${statuses.join(', ')}`);
  }
  if (
    values.since !== undefined &&
    Number.isNaN(
      new Date(/^\d+$/.test(values.since) ? Number(values.since) : values.since).getTime(),
    )
  ) {
    throw new UsageError(
      `--since must be an ISO 8601 time or epoch milliseconds, got "${values.since}"`,
    );
  }
  if (verb !== 'list' && verb !== 'show' && verb !== 'stats')
    throw new UsageError(`usage: ${ledgerUsage}`);
  if (verb === 'show' && key === undefined)
    throw new UsageError('usage: steward ledger show <key>');
  const connection = await connectLedger();
  try {
    if (verb === 'show') {
      const entry = await connection.ledger.get(key as string);
      if (!entry) {
        output.err(`no ledger entry with key ${key}`);
        return 1;
      }
      output.out(values.json ? JSON.stringify(entry, null, 2) : describeEntry(entry));
      return 0;
    }
    const entries = await connection.ledger.list({
      rule: values.rule,
      resource: values.resource,
      since: values.since,
      status: values.status as LedgerStatus | undefined,
    });
    if (verb === 'stats') {
      const stats = countBy(entries);
      output.out(
        values.json
          ? JSON.stringify(stats, null, 2)
          : table([
              ['rule', 'status', 'count'],
              ...stats.map((row) => [row.rule, row.status, String(row.count)]),
            ]),
      );
      return 0;
    }
    if (values.json) output.out(JSON.stringify(entries, null, 2));
    else if (entries.length === 0) output.out(`the ledger is empty (${connection.description})`);
    else
      output.out(
        table([
          ['key', 'rule', 'action', 'resource', 'event', 'status', 'mode', 'time'],
          ...entries.map((entry) => [
            entry.pk,
            entry.ruleId,
            entry.action,
            entry.resource,
            entry.eventId,
            entry.status,
            entry.mode,
            entry.updatedAt,
          ]),
        ]),
      );
    return 0;
  } finally {
    await connection.close();
  }
}

function describeEntry(entry: LedgerEntry): string {
  return Object.entries(entry)
    .map(([name, value]) =>
      escapeControls(
        `${name}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`,
      ),
    )
    .join('\n');
}

function countBy(entries: LedgerEntry[]): { rule: string; status: string; count: number }[] {
  const counts = new Map<string, { rule: string; status: string; count: number }>();
  for (const entry of entries) {
    const id = `${entry.ruleId}\u0000${entry.status}`;
    const row = counts.get(id) ?? { rule: entry.ruleId, status: entry.status, count: 0 };
    row.count++;
    counts.set(id, row);
  }
  return [...counts.values()].sort(
    (a, b) => a.rule.localeCompare(b.rule) || a.status.localeCompare(b.status),
  );
}
