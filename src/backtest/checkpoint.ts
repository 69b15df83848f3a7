import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { StewardError } from '../errors.js';
import type { BacktestQuery, BacktestReport } from './report.js';

/**
 * Where an interrupted backtest stands: its query, the log files done (by name) and the report
 * merged from them. Resuming skips the files done and merges the rest into the report, which
 * gives the report one uninterrupted run would have.
 */
export interface Checkpoint {
  version: 1;
  query: BacktestQuery;
  done: string[];
  report: BacktestReport;
}

/**
 * A checkpoint that cannot be used: missing, not one, or of another query. The message says
 * which file and why.
 *
 * @example
 * try { await readCheckpoint(file); } catch (error) { if (error instanceof CheckpointError) console.error(error.message); }
 */
export class CheckpointError extends StewardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CheckpointError';
  }
}

/**
 * A checkpoint file as written by `writeCheckpoint`.
 *
 * @example
 * const { query, done } = await readCheckpoint('.steward/backtest.checkpoint.json');
 */
export async function readCheckpoint(file: string): Promise<Checkpoint> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const missing = cause instanceof Error && 'code' in cause && cause.code === 'ENOENT';
    throw new CheckpointError(
      `${file}: ${missing ? 'no such checkpoint' : 'the checkpoint cannot be read'}`,
      { cause },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new CheckpointError(`${file}: not a backtest checkpoint (not JSON)`, { cause });
  }
  if (!isCheckpoint(value))
    throw new CheckpointError(
      `${file}: not a backtest checkpoint of this version of steward (expected version 1 with query, done and report)`,
    );
  return value;
}

function isCheckpoint(value: unknown): value is Checkpoint {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return (
    record.version === 1 &&
    typeof record.query === 'object' &&
    record.query !== null &&
    Array.isArray(record.done) &&
    record.done.every((name) => typeof name === 'string') &&
    typeof record.report === 'object' &&
    record.report !== null
  );
}

/**
 * Writes a checkpoint atomically: aside, then renamed into place, so an interruption while
 * writing leaves the previous checkpoint whole.
 *
 * @example
 * await writeCheckpoint(file, { version: 1, query, done: [...done], report });
 */
export async function writeCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  const aside = `${file}.${process.pid}.tmp`;
  await mkdir(dirname(file), { recursive: true });
  await writeFile(aside, JSON.stringify(checkpoint));
  await rename(aside, file);
}

/** A query as a text that is the same for the same query, whatever the order of its keys. */
function canonical(query: BacktestQuery): string {
  return JSON.stringify(query, Object.keys(query).sort());
}

/**
 * Refuses to resume a checkpoint under another query: the files done and the report would not
 * be those of this one.
 *
 * @example
 * checkResumable(checkpoint, query, file); // throws CheckpointError when they differ
 */
export function checkResumable(checkpoint: Checkpoint, query: BacktestQuery, file: string): void {
  if (canonical(checkpoint.query) === canonical(query)) return;
  const names = new Set([...Object.keys(checkpoint.query), ...Object.keys(query)]);
  const differ = [...names]
    .sort()
    .filter(
      (name) =>
        JSON.stringify(checkpoint.query[name as keyof BacktestQuery]) !==
        JSON.stringify(query[name as keyof BacktestQuery]),
    );
  throw new CheckpointError(
    `${file}: the checkpoint is of another backtest (${differ
      .map(
        (name) =>
          `${name} ${JSON.stringify(checkpoint.query[name as keyof BacktestQuery] ?? null)}`,
      )
      .join(', ')}); resume it with the same sources and options, or start afresh without --resume`,
  );
}
