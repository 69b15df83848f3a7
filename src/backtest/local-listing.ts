import { opendir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeFailure } from '../sources/plain-chunks.js';
import type { LogKeyFilter } from './key-filter.js';
import { looksLikeLogFile } from './key-filter.js';
import type { LogFileRef } from './log-file-ref.js';
import type { ListingNotes } from './listing-notes.js';

/**
 * The log files of a local file or directory, as they are found: a file named is read
 * whatever its name; a directory is walked recursively (symbolic links to directories are not
 * followed, so a loop cannot walk forever; hidden directories such as `.git` or `.steward`,
 * where the checkpoint is, are not entered), in name order, keeping the `.json` and `.json.gz`
 * files the filter admits and counting the others as skipped. A path that cannot be read is a
 * problem in `notes`, and the listing goes on.
 *
 * @example
 * for await (const ref of listLocalFiles('copy/AWSLogs', new LogKeyFilter(query), notes)) queue.push(ref);
 */
export async function* listLocalFiles(
  path: string,
  filter: LogKeyFilter,
  notes: ListingNotes,
): AsyncGenerator<LogFileRef> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    notes.problem(path, pathProblem(error));
    return;
  }
  if (info.isFile()) yield { kind: 'file', path, bytes: info.size };
  else if (info.isDirectory()) yield* walk(path, filter, notes);
  else notes.problem(path, 'not a file or a directory');
}

async function* walk(
  dir: string,
  filter: LogKeyFilter,
  notes: ListingNotes,
): AsyncGenerator<LogFileRef> {
  const names: { name: string; directory: boolean; file: boolean }[] = [];
  try {
    for await (const entry of await opendir(dir))
      names.push({ name: entry.name, directory: entry.isDirectory(), file: entry.isFile() });
  } catch (error) {
    notes.problem(dir, pathProblem(error));
    return;
  }
  names.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const { name, directory, file } of names) {
    const path = join(dir, name);
    if (directory) {
      if (!name.startsWith('.')) yield* walk(path, filter, notes);
    } else if (!file || !looksLikeLogFile(name)) notes.skipped += 1;
    else if (filter.admitsKey(path)) {
      try {
        yield { kind: 'file', path, bytes: (await stat(path)).size };
      } catch (error) {
        notes.problem(path, pathProblem(error));
      }
    }
  }
}

function pathProblem(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? String(error.code) : undefined;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return `cannot be read: ${describeFailure(error)}`;
}
