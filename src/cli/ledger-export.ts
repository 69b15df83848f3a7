import { writeFile } from 'node:fs/promises';
import type { LedgerEntry } from '../ledger/entry.js';
import { UsageError } from './output.js';

export const exportFormats = ['jsonl', 'csv'] as const;

export type ExportFormat = (typeof exportFormats)[number];

/**
 * The `--format` named, or a usage error listing the formats.
 *
 * @example
 * exportFormat('csv'); // 'csv'
 */
export function exportFormat(value: string | undefined): ExportFormat {
  const format = value ?? 'jsonl';
  if (!(exportFormats as readonly string[]).includes(format))
    throw new UsageError(`--format must be one of ${exportFormats.join(', ')}, got "${format}"`);
  return format as ExportFormat;
}

/** The fields of an entry in the order a CSV export puts them; fields not named here follow, sorted. */
const fieldOrder: readonly (keyof LedgerEntry)[] = [
  'pk',
  'createdAt',
  'updatedAt',
  'status',
  'mode',
  'ruleId',
  'action',
  'resource',
  'account',
  'region',
  'eventId',
  'idDerived',
  'source',
  'eventName',
  'eventTime',
  'actor',
  'severity',
  'detail',
  'error',
  'data',
  'attempts',
  'retries',
  'claimToken',
  'leaseUntil',
  'owner',
  'completionToken',
  'expiresAt',
];

/** A CSV field as RFC 4180 writes it: quoted, its quotes doubled, when it holds a comma, a quote, a line break or edge spaces. */
function csvField(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * The entries as CSV (RFC 4180: a header of every field any entry has, then a row an entry,
 * CRLF line ends; nested values as JSON) or as JSON Lines (an entry a line, as stored).
 *
 * @example
 * exportEntries(entries, 'csv').split('\r\n')[0]; // 'pk,createdAt,updatedAt,status,…'
 */
export function exportEntries(entries: readonly LedgerEntry[], format: ExportFormat): string {
  if (format === 'jsonl') return entries.map((entry) => `${JSON.stringify(entry)}\n`).join('');
  const present = new Set(entries.flatMap((entry) => Object.keys(entry)));
  const known = fieldOrder.filter((field) => present.has(field));
  const others = [...present].filter((field) => !known.includes(field as keyof LedgerEntry)).sort();
  const fields: string[] = entries.length === 0 ? [...fieldOrder] : [...known, ...others];
  const rows = [
    fields.join(','),
    ...entries.map((entry) =>
      fields
        .map((field) => csvField((entry as unknown as Record<string, unknown>)[field]))
        .join(','),
    ),
  ];
  return `${rows.join('\r\n')}\r\n`;
}

/**
 * Writes an export to `file`, replacing what it held; a file that cannot be written is a usage
 * error naming it.
 *
 * @example
 * await writeExport(text, 'ledger.csv');
 */
export async function writeExport(text: string, file: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new UsageError(`--out ${file}: cannot write: ${code}`, { cause });
  }
}
