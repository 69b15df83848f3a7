import { parseArgs } from 'node:util';
import type { LedgerEntry, LedgerStatus } from '../ledger/entry.js';
import { connectLedger, embeddedDataDir, usesEmbeddedLedger } from '../ledger/connect.js';
import { repairLedger } from '../ledger/embedded/repair.js';
import { exportEntries, exportFormat, writeExport } from './ledger-export.js';
import { describeEntry, entryTable } from './ledger-format.js';
import { resetCommand } from './ledger-reset.js';
import { sinceTime } from './since-option.js';
import { escapeControls } from './escape.js';
import { table, UsageError, type Output } from './output.js';
import { usages } from './usages.js';

/** The filters `list`, `stats` and `export` take. */
const filterNames = ['rule', 'resource', 'account', 'region', 'since', 'status'] as const;

const statuses: readonly LedgerStatus[] = ['claimed', 'planned', 'succeeded', 'failed', 'skipped'];

/** `steward ledger`: read the ledger the environment names (the embedded one locally). */
export async function ledgerCommand(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      rule: { type: 'string' },
      resource: { type: 'string' },
      account: { type: 'string' },
      region: { type: 'string' },
      since: { type: 'string' },
      limit: { type: 'string' },
      status: { type: 'string' },
      json: { type: 'boolean' },
      wide: { type: 'boolean' },
      format: { type: 'string' },
      out: { type: 'string' },
      yes: { type: 'boolean', short: 'y' },
      repair: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    output.out(`usage: ${usages.ledger}`);
    return 0;
  }
  const [verb, key] = positionals;
  if (values.status !== undefined && !statuses.includes(values.status as LedgerStatus)) {
    throw new UsageError(`--status must be one of ${statuses.join(', ')}`);
  }
  const since = values.since === undefined ? undefined : sinceTime(values.since, Date.now());
  const limit = values.limit === undefined ? undefined : Number(values.limit);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0))
    throw new UsageError(`--limit must be a positive whole number, got "${values.limit}"`);
  if (verb === 'check') return checkCommand(values.repair === true, output);
  if (verb === 'reset') return resetCommand({ yes: values.yes === true }, output);
  if (verb !== 'list' && verb !== 'show' && verb !== 'stats' && verb !== 'export')
    throw new UsageError(`usage: ${usages.ledger}`);
  const format = verb === 'export' ? exportFormat(values.format) : undefined;
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
      account: values.account,
      region: values.region,
      since,
      limit,
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
    if (format !== undefined) {
      const text = exportEntries(entries, format);
      if (values.out === undefined) {
        if (text !== '') output.out(text);
      } else {
        await writeExport(text, values.out);
        output.out(
          `exported ${entries.length} ${entries.length === 1 ? 'entry' : 'entries'} to ${values.out}`,
        );
      }
      return 0;
    }
    if (values.json) output.out(JSON.stringify(entries, null, 2));
    else if (entries.length === 0) {
      const filter = filterNames
        .filter((name) => values[name] !== undefined)
        .map((name) => `--${name} ${values[name]}`)
        .join(' ');
      output.out(
        escapeControls(
          filter === ''
            ? `the ledger is empty (${connection.description})`
            : `no ledger entry matches ${filter} (${connection.description})`,
        ),
      );
    } else output.out(entryTable(entries, { wide: values.wide === true }));
    return 0;
  } finally {
    await connection.close();
  }
}

/**
 * `steward ledger check [--repair]`: whether the embedded ledger opens (every LevelDB file
 * checked before its server starts) and how many entries it holds; with `--repair`, a backup
 * of the directory first, then LevelDB's repair, then the same check again.
 */
async function checkCommand(repair: boolean, output: Output): Promise<number> {
  if (!usesEmbeddedLedger())
    throw new UsageError(
      'ledger check checks the embedded ledger; this environment names a DynamoDB table (STEWARD_LEDGER, AWS_ENDPOINT_URL_DYNAMODB or AWS_ENDPOINT_URL)',
    );
  if (repair) {
    const repaired = await repairLedger(embeddedDataDir());
    output.out(`backed up ${repaired.path} to ${repaired.backup}`);
    for (const table of repaired.setAside)
      output.out(
        `set aside ${table.file} (${table.problem}): its entries are not in the repaired ledger, only in the backup`,
      );
    output.out(`repaired ${repaired.path}`);
  }
  const connection = await connectLedger();
  try {
    const entries = (await connection.ledger.list()).length;
    output.out(
      `the ${connection.description} opens and holds ${entries} ${entries === 1 ? 'entry' : 'entries'}`,
    );
    return 0;
  } finally {
    await connection.close();
  }
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
