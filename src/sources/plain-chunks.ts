import { pipeline, Readable } from 'node:stream';
import { createGunzip, gunzipSync } from 'node:zlib';
import { formatBytes } from './limits.js';
import {
  CompressionError,
  DecompressedSizeError,
  InputReadError,
  LogFileError,
} from './log-file-errors.js';

/** zlib's default is 16 KiB; larger chunks mean fewer trips through the async iterators. */
const GUNZIP_CHUNK_BYTES = 64 * 1024;

/**
 * A gzipped input of at most this many bytes that expands to at most `WHOLE_PLAIN_BYTES` is
 * inflated in one call, not streamed: a stream's trips through zlib's thread pool and the
 * stream machinery cost about as much CPU again as the inflating itself, and nearly every
 * CloudTrail log file is this small. Larger inputs stream, so memory stays bounded.
 */
const WHOLE_GZIP_BYTES = 4 * 1024 * 1024;
const WHOLE_PLAIN_BYTES = 32 * 1024 * 1024;

/**
 * Why a read failed, for a message: the error's name when it says something (`NoSuchKey`,
 * `ECONNRESET`), then its message.
 *
 * @example
 * describeFailure(Object.assign(new Error('gone'), { name: 'NoSuchKey' })); // 'NoSuchKey: gone'
 */
export function describeFailure(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  return cause.name === 'Error' ? cause.message : `${cause.name}: ${cause.message}`;
}

/** The source's chunks; an error while reading them becomes an `InputReadError` naming `what`. */
async function* reading(
  source: AsyncIterable<Uint8Array>,
  where: string,
  what: string,
): AsyncGenerator<Uint8Array> {
  try {
    yield* source;
  } catch (cause) {
    if (cause instanceof LogFileError) throw cause;
    throw new InputReadError(`could not read ${what}: ${describeFailure(cause)}`, where, { cause });
  }
}

/** The first chunks of an input, whether it ended after them, and the error that ended it. */
interface Head {
  chunks: Uint8Array[];
  ended: boolean;
  failure?: { error: unknown };
}

/**
 * The next chunks, after those `taken`, until they hold more than `count` bytes or the input
 * ends; a read error ends it too, and is kept to be thrown after the chunks before it.
 */
async function head(
  chunks: AsyncIterator<Uint8Array>,
  count: number,
  taken: Uint8Array[] = [],
): Promise<Head> {
  let bytes = taken.reduce((sum, chunk) => sum + chunk.length, 0);
  try {
    while (bytes <= count) {
      const next = await chunks.next();
      if (next.done === true) return { chunks: taken, ended: true };
      taken.push(next.value);
      bytes += next.value.length;
    }
  } catch (error) {
    return { chunks: taken, ended: false, failure: { error } };
  }
  return { chunks: taken, ended: false };
}

async function* replay(read: Head, rest: AsyncIterator<Uint8Array>): AsyncGenerator<Uint8Array> {
  yield* read.chunks;
  if (read.failure !== undefined) throw read.failure.error;
  for (let next = await rest.next(); next.done !== true; next = await rest.next()) yield next.value;
}

function startsWithGzipMagic(chunks: Uint8Array[]): boolean {
  const first: number[] = [];
  for (const chunk of chunks) {
    for (const byte of chunk.subarray(0, 2 - first.length)) first.push(byte);
  }
  return first[0] === 0x1f && first[1] === 0x8b;
}

/** Gunzips as the consumer reads: zlib holds one output chunk, never the whole file. */
async function* gunzipping(chunks: AsyncIterable<Uint8Array>, where: string) {
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK_BYTES });
  // Errors reach the consumer through `gunzip`'s iterator: pipeline destroys it with them.
  pipeline(Readable.from(chunks, { objectMode: false }), gunzip, () => undefined);
  try {
    for await (const chunk of gunzip) yield chunk as Buffer;
  } catch (cause) {
    if (cause instanceof LogFileError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new CompressionError(`not valid gzip: ${reason}`, where, { cause });
  } finally {
    gunzip.destroy();
  }
}

/**
 * A whole small gzipped input inflated in one call; undefined when it cannot be (broken gzip,
 * or `maxPlainBytes` or more), and then the stream reads it again, to give the bytes before
 * the problem and say what the problem is.
 */
function inflatedWhole(compressed: Uint8Array[], maxPlainBytes: number): Buffer | undefined {
  try {
    // Inflated in the stream's chunk size, not zlib's 16 KiB: fewer pieces to write and join.
    return gunzipSync(Buffer.concat(compressed), {
      maxOutputLength: maxPlainBytes,
      chunkSize: GUNZIP_CHUNK_BYTES,
    });
  } catch {
    return undefined;
  }
}

/** The bytes in chunks of the size the stream gives. */
function* inChunks(bytes: Buffer): Generator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += GUNZIP_CHUNK_BYTES) {
    yield bytes.subarray(start, start + GUNZIP_CHUNK_BYTES);
  }
}

/** An input's plain bytes, opened: whole when it could be inflated in one call. */
export interface PlainBytes {
  /**
   * Every plain byte of the input, within the cap, when it is a small gzipped input inflated
   * in one call (see `WHOLE_GZIP_BYTES`); undefined when it streams.
   */
  whole: Buffer | undefined;
  /** The plain bytes in chunks of at most 64 KiB (of `whole`, when it is there), as `plainChunks` gives them. */
  chunks: AsyncGenerator<Uint8Array>;
}

/**
 * The plain bytes of a file or object as they arrive, gunzipped when they start with the gzip
 * magic (CloudTrail log files are gzipped, hand-written samples usually are not): a file of at
 * most 4 MiB gzipped and 32 MiB plain in one call, anything larger as it streams. Past
 * `maxBytes` of plain bytes it stops with a `DecompressedSizeError` naming the cap, so a gzip
 * bomb costs time up to the cap and at most those 32 MiB of memory. Errors are
 * `LogFileError`s; a failed read says it could not read `what` (e.g. `S3 object`).
 *
 * @example
 * for await (const chunk of plainChunks(body, 's3://bucket/key', 4 * 1024 ** 3)) scan(chunk);
 */
export async function* plainChunks(
  source: AsyncIterable<Uint8Array>,
  where: string,
  maxBytes: number,
  what = 'the input',
): AsyncGenerator<Uint8Array> {
  yield* (await plainBytes(source, where, maxBytes, what)).chunks;
}

/**
 * `plainChunks`, opened: reads the start of the input to see whether it is gzipped and small
 * enough to inflate in one call, and then gives those bytes whole as well as in chunks, for a
 * reader that does better with the whole (a log file parsed at once: `whole-log-file.ts`).
 * Never rejects: a read error is thrown by `chunks`, after the bytes before it.
 *
 * @example
 * const plain = await plainBytes(body, 's3://bucket/key', 4 * 1024 ** 3);
 * if (plain.whole !== undefined) parse(plain.whole);
 * else for await (const chunk of plain.chunks) scan(chunk);
 */
export async function plainBytes(
  source: AsyncIterable<Uint8Array>,
  where: string,
  maxBytes: number,
  what = 'the input',
): Promise<PlainBytes> {
  const input = reading(source, where, what)[Symbol.asyncIterator]();
  const first = await head(input, 1);
  const gzipped = startsWithGzipMagic(first.chunks);
  const read =
    gzipped && first.failure === undefined
      ? await head(input, WHOLE_GZIP_BYTES, first.chunks)
      : first;
  const inflated =
    gzipped && read.ended
      ? inflatedWhole(read.chunks, Math.min(maxBytes + 1, WHOLE_PLAIN_BYTES))
      : undefined;
  const whole = inflated !== undefined && inflated.length <= maxBytes ? inflated : undefined;
  return { whole, chunks: cappedChunks(input, read, inflated, gzipped, { where, maxBytes }) };
}

async function* cappedChunks(
  input: AsyncIterator<Uint8Array>,
  read: Head,
  inflated: Buffer | undefined,
  gzipped: boolean,
  { where, maxBytes }: { where: string; maxBytes: number },
): AsyncGenerator<Uint8Array> {
  try {
    const chunks = replay(read, input);
    const plain =
      inflated !== undefined ? inChunks(inflated) : gzipped ? gunzipping(chunks, where) : chunks;
    let total = 0;
    for await (const chunk of plain) {
      total += chunk.length;
      if (total > maxBytes) {
        throw new DecompressedSizeError(
          `${gzipped ? 'it expands to' : 'it is'} more than ${formatBytes(maxBytes)}, the cap for one log file`,
          where,
        );
      }
      yield chunk;
    }
  } finally {
    // Not awaited: a stalled source must not hold up the error; returning it closes its stream.
    input.return?.(undefined).catch(() => undefined);
  }
}
