import { readFile } from 'node:fs/promises';
import { factNames } from '../rules/facts.js';
import { decodeBytes, decodeDocument } from '../sources/index.js';
import type { DecodedBatch } from '../sources/steward-event.js';
import { UsageError } from './output.js';

/** A JSON (or gzipped JSON) file's value; a file that cannot be read or parsed is a usage error naming it. */
export async function readJsonFile(file: string): Promise<unknown> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new UsageError(
      `${file}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  const decoded = decodeBytes(bytes, file);
  if (!decoded.ok) throw new UsageError(`${decoded.error.where}: ${decoded.error.message}`);
  return decoded.value;
}

/**
 * An event file of any supported shape, decoded. A file that holds no supported shape at all
 * is a usage error; bad records inside a supported shape stay in the batch's errors.
 */
export async function readEventFile(file: string): Promise<DecodedBatch> {
  const batch = decodeDocument(await readJsonFile(file), file);
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
