import { factNames } from '../rules/facts.js';
import {
  decodeBytes,
  decodeEventFile,
  LocalFileError,
  readLocalFile,
  sourceLimits,
  TrustConfigError,
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
  const batch = await asUsageError(decodeEventFile(file, limits));
  const unsupported = batch.errors.find((error) => error.where === file);
  if (batch.events.length === 0 && batch.objects.length === 0 && unsupported) {
    throw new UsageError(`${file}: ${unsupported.message}`);
  }
  return batch;
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
