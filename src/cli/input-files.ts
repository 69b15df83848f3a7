import { readdir, realpath, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { factNames } from '../rules/facts.js';
import {
  decodeBytes,
  decodeDocument,
  decodeEventFile,
  formatBytes,
  LocalFileError,
  readLocalFile,
  sourceLimits,
  TrustConfigError,
  SourceTrust,
  type SourceLimits,
} from '../sources/index.js';
import type { DecodedBatch } from '../sources/steward-event.js';
import { UsageError } from './output.js';

/**
 * A file steward refuses (not a regular file, over a cap) or cannot read, or a trust setting
 * it cannot use, as a usage error.
 */
async function asUsageError<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (error) {
    if (error instanceof LocalFileError || error instanceof TrustConfigError)
      throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/**
 * A JSON (or gzipped JSON) file's value; a file that is not a regular file, is over
 * `limits.maxBufferedBytes`, or cannot be read or parsed is a usage error naming it.
 *
 * @example
 * const stubs = await readJsonFile('facts.json');
 */
export async function readJsonFile(
  file: string,
  limits: SourceLimits = sourceLimits(),
): Promise<unknown> {
  const bytes = await asUsageError(readLocalFile(file, limits.maxBufferedBytes));
  const decoded = decodeBytes(bytes, file, limits);
  if (!decoded.ok) throw new UsageError(`${decoded.error.where}: ${decoded.error.message}`);
  return decoded.value;
}

/**
 * An event file of any supported shape, decoded (a CloudTrail log file record by record, see
 * `decodeEventFile`): the operator's own, so CloudTrail log files and records in it are
 * believed, and CloudWatch Logs in it follow `STEWARD_CLOUDTRAIL_LOG_GROUPS`. A file that is
 * not a regular file, is over a cap or holds no supported shape at all is a usage error; bad
 * records inside a supported shape stay in the batch's errors.
 *
 * @example
 * const { events, errors } = await readEventFile('events/cloudtrail-log-file.json.gz');
 */
export async function readEventFile(
  file: string,
  limits: SourceLimits = sourceLimits(),
): Promise<DecodedBatch> {
  return supportedShape(await asUsageError(decodeEventFile(file, limits)), file);
}

/** The batch, unless its input held no supported shape at all: that is a usage error. */
function supportedShape(batch: DecodedBatch, where: string): DecodedBatch {
  const unsupported = batch.errors.find((error) => error.where === where);
  if (batch.events.length === 0 && batch.objects.length === 0 && unsupported) {
    throw new UsageError(`${where}: ${unsupported.message}`);
  }
  return batch;
}

/** One input of `steward run`: a file with its size, or standard input (`-`). */
export type RunInput = { kind: 'file'; path: string; bytes: number } | { kind: 'stdin' };

/** What `steward run` reads in a directory: event files, but not the lazy-fact sidecars beside them. */
function isEventFile(name: string): boolean {
  return /\.json(\.gz)?$/.test(name) && !name.endsWith('.facts.json');
}

/** Every event file under `dir`, in name order; hidden entries and linked directories are left out. */
async function eventFilesUnder(dir: string): Promise<RunInput[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new UsageError(`${dir}: cannot read: ${code}`, { cause });
  }
  const found: RunInput[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await eventFilesUnder(path)));
    else if (isEventFile(entry.name) && (entry.isFile() || entry.isSymbolicLink())) {
      const stats = await stat(path).catch(() => undefined);
      if (stats?.isFile()) found.push({ kind: 'file', path, bytes: stats.size });
    }
  }
  return found;
}

/**
 * The inputs `steward run` was given, in order: each file as it is (whatever its name), each
 * directory's event files (`.json`, `.json.gz`, searched recursively, `*.facts.json` sidecars
 * and hidden entries left out), `-` for standard input (once). A file listed twice is read
 * once. A path that does not exist, or a directory without an event file, is a usage error
 * naming it; whether a file can be read is found out when it is.
 *
 * @example
 * const inputs = await findRunInputs(['events/', '-']);
 */
export async function findRunInputs(paths: readonly string[]): Promise<RunInput[]> {
  const inputs: RunInput[] = [];
  const seen = new Set<string>();
  for (const path of paths) {
    if (path === '-') {
      if (seen.has('-')) throw new UsageError('- (standard input) is given more than once');
      seen.add('-');
      inputs.push({ kind: 'stdin' });
      continue;
    }
    let stats;
    try {
      stats = await stat(path);
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
      throw new UsageError(`${path}: cannot read: ${code}`, { cause });
    }
    const found = stats.isDirectory()
      ? await eventFilesUnder(path)
      : [{ kind: 'file' as const, path, bytes: stats.size }];
    if (stats.isDirectory() && found.length === 0)
      throw new UsageError(
        `${path}: a directory without event files (.json or .json.gz, searched recursively)`,
      );
    for (const input of found) {
      if (input.kind !== 'file') continue;
      const identity = await realpath(input.path).catch(() => input.path);
      if (seen.has(identity)) continue;
      seen.add(identity);
      inputs.push(input);
    }
  }
  return inputs;
}

/** How standard input is named in messages. */
export const STDIN_NAME = 'stdin';

/**
 * Standard input as one event document (gzipped or not), decoded whole: at most
 * `limits.maxBufferedBytes`, and past that a usage error naming the cap. Like a local file, it
 * is the operator's own (see `readEventFile`).
 *
 * @example
 * const { batch, bytes } = await readStdinEvents(process.stdin);
 */
export async function readStdinEvents(
  stdin: AsyncIterable<Uint8Array>,
  limits: SourceLimits = sourceLimits(),
  trust: SourceTrust = SourceTrust.fromEnv(),
): Promise<{ batch: DecodedBatch; bytes: number }> {
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for await (const chunk of stdin) {
    bytes += chunk.length;
    if (bytes > limits.maxBufferedBytes)
      throw new UsageError(
        `${STDIN_NAME}: over the ${formatBytes(limits.maxBufferedBytes)} cap for input decoded whole (pass a CloudTrail log file by name to read it record by record)`,
      );
    chunks.push(chunk);
  }
  if (bytes === 0) throw new UsageError(`${STDIN_NAME}: empty: expected an event document`);
  const decoded = decodeBytes(Buffer.concat(chunks), STDIN_NAME, limits);
  if (!decoded.ok) throw new UsageError(`${decoded.error.where}: ${decoded.error.message}`);
  const batch = decodeDocument(decoded.value, STDIN_NAME, { trust, origin: 'operator' });
  return { batch: supportedShape(batch, STDIN_NAME), bytes };
}

/** A JSON object of lazy fact values by fact name, e.g. `{"instance": {"tags": {}}}`. */
export async function readFactStubs(file: string): Promise<Record<string, unknown>> {
  const value = await readJsonFile(file);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new UsageError(`${file}: expected a JSON object of fact values by fact name`);
  }
  const unknown = Object.keys(value).filter((name) => !factNames.has(name));
  if (unknown.length > 0) {
    throw new UsageError(
      `${file}: unknown facts ${unknown.join(', ')}; known facts: ${[...factNames].join(', ')}`,
    );
  }
  return value as Record<string, unknown>;
}
