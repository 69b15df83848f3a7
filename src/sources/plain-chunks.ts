import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
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

/** The first chunks, until they hold at least `count` bytes or the input ends. */
async function head(
  chunks: AsyncIterator<Uint8Array>,
  count: number,
): Promise<{ chunks: Uint8Array[]; bytes: number }> {
  const taken: Uint8Array[] = [];
  let bytes = 0;
  while (bytes < count) {
    const next = await chunks.next();
    if (next.done === true) break;
    taken.push(next.value);
    bytes += next.value.length;
  }
  return { chunks: taken, bytes };
}

async function* replay(
  first: Uint8Array[],
  rest: AsyncIterator<Uint8Array>,
): AsyncGenerator<Uint8Array> {
  yield* first;
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
 * The plain bytes of a file or object as they arrive, gunzipped as they stream when they start
 * with the gzip magic (CloudTrail log files are gzipped, hand-written samples usually are
 * not). Past `maxBytes` of plain bytes it stops with a `DecompressedSizeError` naming the cap,
 * so a gzip bomb costs time up to the cap and no memory. Errors are `LogFileError`s; a failed
 * read says it could not read `what` (e.g. `S3 object`).
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
  const input = reading(source, where, what)[Symbol.asyncIterator]();
  try {
    const first = await head(input, 2);
    const gzipped = startsWithGzipMagic(first.chunks);
    const chunks = replay(first.chunks, input);
    let total = 0;
    for await (const chunk of gzipped ? gunzipping(chunks, where) : chunks) {
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
