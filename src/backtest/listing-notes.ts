import type { BacktestError } from './report.js';

/**
 * What listing the sources found besides log files: files skipped for their name, and sources
 * that could not be listed (a missing path, a bucket that cannot be read), each named.
 *
 * @example
 * const notes = new ListingNotes();
 * for await (const ref of listLocalFiles('trail/', filter, notes)) refs.push(ref);
 * if (notes.problems.length > 0) console.error(notes.problems[0].message);
 */
export class ListingNotes {
  /** Files left out because their name is not a log file's (`.json`, `.json.gz`). */
  skipped = 0;
  readonly problems: BacktestError[] = [];

  problem(where: string, message: string): void {
    this.problems.push({ where, message });
  }
}
