import { gunzipSync } from 'node:zlib';

/** A log file up to this size, as read, is gathered whole before it is decoded. */
const wholeFileBytes = 8 * 1024 * 1024;

/**
 * A log file's bytes: plain and whole in memory, or its chunks as read, for the streaming
 * decoder.
 */
export type LogFileBytes = { plain: Uint8Array } | { chunks: AsyncIterable<Uint8Array> };

function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The chunks held, then the rest of the file as it is read. */
async function* resumed(
  held: readonly Uint8Array[],
  rest: AsyncIterator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  yield* held;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
}

/** The chunks held, then the failure that ended the read. */
async function* failed(held: readonly Uint8Array[], error: unknown): AsyncGenerator<Uint8Array> {
  yield* held;
  throw error;
}

/**
 * A small log file whole and plain, so that its records are decoded without a promise each
 * and it is gunzipped without a trip through libuv's thread pool for every 64 KiB (on
 * CloudTrail's small files, a backtest's time went mostly to those). A file read whole (up to
 * 8 MiB as read) that is not gzipped, or gunzips to at most `maxPlainBytes`, is `plain`; any
 * other, a gzip that fails, and a read that fails, is `chunks`, as they were read, for the
 * streaming decoder to read as the handlers do and say what is wrong.
 *
 * @example
 * const bytes = await readWhenSmall(chunks, 32 * 1024 ** 2);
 * if ('plain' in bytes) for (const item of scanPlainLogFile(bytes.plain, where)) count(item);
 */
export async function readWhenSmall(
  chunks: AsyncIterable<Uint8Array>,
  maxPlainBytes: number,
): Promise<LogFileBytes> {
  const iterator = chunks[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  let size = 0;
  try {
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      held.push(next.value);
      size += next.value.length;
      if (size > wholeFileBytes) return { chunks: resumed(held, iterator) };
    }
  } catch (error) {
    return { chunks: failed(held, error) };
  }
  const whole = held.length === 1 ? (held[0] as Uint8Array) : Buffer.concat(held);
  if (!isGzip(whole)) return { plain: whole };
  try {
    return { plain: gunzipSync(whole, { maxOutputLength: maxPlainBytes }) };
  } catch {
    // Broken, truncated or too large: the streaming decoder reads it and says so.
    return { chunks: resumed(held, iterator) };
  }
}
