import type { LedgerEntry } from '../ledger/entry.js';
import { escapeControls } from './escape.js';
import { table } from './output.js';

/** How wide `steward ledger list` is without `--wide`. */
export const listWidth = 100;

/**
 * A time as people read it in a table: `2026-11-30 19:02:11Z`; epoch milliseconds or an ISO
 * string; the value as given when it is neither.
 *
 * @example
 * humanTime('2026-11-30T19:02:11.123Z'); // '2026-11-30 19:02:11Z'
 */
export function humanTime(value: string | number | undefined): string {
  if (value === undefined) return '-';
  const time = new Date(value);
  if (Number.isNaN(time.getTime())) return String(value);
  return `${time.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}

/** A cell cut to `width` characters, the cut marked with `…`. */
function cut(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

/**
 * Columns that fit in `width`: while the table is wider, the widest of the `shrinkable`
 * columns loses a character (its cells cut with `…`), down to 8 characters.
 */
function fitted(cells: string[][], shrinkable: readonly number[], width: number): string[][] {
  const rows = cells.map((row) => row.map(escapeControls));
  const widths =
    rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? [];
  const total = () => widths.reduce((sum, w) => sum + w, 0) + 2 * (widths.length - 1);
  while (total() > width) {
    const widest = [...shrinkable].sort((a, b) => (widths[b] ?? 0) - (widths[a] ?? 0))[0];
    if (widest === undefined || (widths[widest] ?? 0) <= 8) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
  }
  return rows.map((row) => row.map((cell, c) => cut(cell, widths[c] ?? cell.length)));
}

/**
 * The entries as `steward ledger list` prints them: by default the columns that tell what
 * happened, in at most 100 columns (long rules, actions and resources cut with `…`); with
 * `wide`, every column in full, the key first (for `steward ledger show`).
 *
 * @example
 * output.out(entryTable(entries, { wide: false }));
 */
export function entryTable(entries: readonly LedgerEntry[], options: { wide: boolean }): string {
  if (options.wide)
    return table([
      [
        'key',
        'created',
        'updated',
        'status',
        'mode',
        'rule',
        'action',
        'resource',
        'where',
        'event',
        'expires',
      ],
      ...entries.map((entry) => [
        entry.pk,
        humanTime(entry.createdAt),
        humanTime(entry.updatedAt),
        entry.status,
        entry.mode,
        entry.ruleId,
        entry.action,
        entry.resource,
        `${entry.account ?? '-'}/${entry.region ?? '-'}`,
        entry.eventId,
        humanTime(entry.expiresAt * 1000),
      ]),
    ]);
  const cells = [
    ['created', 'status', 'mode', 'rule', 'action', 'resource'],
    ...entries.map((entry) => [
      humanTime(entry.createdAt),
      entry.status,
      entry.mode,
      entry.ruleId,
      entry.action,
      entry.resource,
    ]),
  ];
  // Already escaped and cut: `table` escapes again, which leaves escaped text as it is.
  return table(fitted(cells, [3, 4, 5], listWidth));
}

/** Epoch fields of an entry and the unit each is kept in. */
const epochFields: Readonly<Record<string, number>> = { expiresAt: 1000, leaseUntil: 1 };

/**
 * One entry as `steward ledger show` prints it: a field a line, times also as people read them.
 *
 * @example
 * output.out(describeEntry(entry)); // …\nexpiresAt: 2027-02-28 19:02:11Z (1803582131)
 */
export function describeEntry(entry: LedgerEntry): string {
  return Object.entries(entry)
    .map(([name, value]) => {
      const unit = epochFields[name];
      const text =
        unit !== undefined && typeof value === 'number'
          ? `${humanTime(value * unit)} (${value})`
          : typeof value === 'object'
            ? JSON.stringify(value)
            : String(value);
      return escapeControls(`${name}: ${text}`);
    })
    .join('\n');
}
