import { escapeControls } from './escape.js';

/** Where a command writes; tests pass their own to read what a command printed. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
};

/** A usage or input problem: printed as one line on stderr, exit status 2. */
export class UsageError extends Error {}

/**
 * Left-aligned columns for terminal tables. Cells are escaped (`escapeControls`): a value with a
 * newline or a bidi override can neither break the columns nor forge a row.
 *
 * @example
 * output.out(table([['rule', 'count'], ['ec2-untagged', '3']]));
 */
export function table(cells: string[][]): string {
  const rows = cells.map((row) => row.map(escapeControls));
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
