import { gunzipSync } from 'node:zlib';

/** A log file up to this size, as read, is gathered whole before it is decoded. */
const wholeFileBytes = 8 * 1024 * 1024;

function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * A log file's bytes as read, with a small gzipped file gunzipped at once: the streaming
 * gunzip costs a trip through libuv's thread pool for every 64 KiB it gives, which on
 * CloudTrail's small files cost a backtest an eighth of its speed. A file read whole (up to
 * 8 MiB) that gunzips to at most `maxPlainBytes` is handed on gunzipped; any other, and any
 * gzip that fails, is handed on as it was read, so the streaming decoder reads it as the
 * handlers do and says what is wrong with it. A read that fails midway passes on what came
 * before and then the failure.
 *
 * @example
 * for await (const item of scanLogFile(gunzippedWhenSmall(chunks, 32 * 1024 ** 2), where)) count(item);
 */
export async function* gunzippedWhenSmall(
  chunks: AsyncIterable<Uint8Array>,
  maxPlainBytes: number,
): AsyncGenerator<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const held: Uint8Array[] = [];
  let size = 0;
  try {
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      held.push(next.value);
      size += next.value.length;
      if (size > wholeFileBytes) {
        yield* held.splice(0);
        for (next = await iterator.next(); next.done !== true; next = await iterator.next())
          yield next.value;
        return;
      }
    }
  } catch (error) {
    yield* held.splice(0);
    throw error;
  }
  const whole = held.length === 1 ? (held[0] as Uint8Array) : Buffer.concat(held);
  if (isGzip(whole)) {
    let plain: Buffer | undefined;
    try {
      plain = gunzipSync(whole, { maxOutputLength: maxPlainBytes });
    } catch {
      // Broken, truncated or too large: the streaming decoder reads it and reports it.
    }
    if (plain !== undefined) {
      yield plain;
      return;
    }
  }
  if (whole.length > 0) yield whole;
}
