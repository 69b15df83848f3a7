import { createInterface } from 'node:readline/promises';
import { escapeControls } from './escape.js';

/** A terminal on stderr: where progress is drawn in place. */
export interface Terminal {
  /** Its width in columns. */
  columns: number;
  write(text: string): void;
}

/**
 * Where a command reads and writes; tests pass their own to read what a command printed, feed
 * its stdin, or play the terminal.
 */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  /** Standard input, for `-` among a command's inputs. */
  stdin?: () => AsyncIterable<Uint8Array>;
  /** Present when stderr is a terminal. */
  terminal?: Terminal;
  /** Present when stdin and stderr are terminals: asks on stderr, returns the line answered. */
  ask?: (question: string) => Promise<string>;
}

/** stderr, when it is a terminal. */
function stderrTerminal(): Terminal | undefined {
  if (!process.stderr.isTTY) return undefined;
  return {
    columns: process.stderr.columns || 80,
    write: (text) => process.stderr.write(text),
  };
}

async function askOnTerminal(question: string): Promise<string> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await prompt.question(question);
  } finally {
    prompt.close();
  }
}

export const processOutput: Output = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  stdin: () => process.stdin,
  get terminal() {
    return stderrTerminal();
  },
  get ask() {
    return process.stdin.isTTY && process.stderr.isTTY ? askOnTerminal : undefined;
  },
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
