import type { S3Client } from '@aws-sdk/client-s3';
import { bodyChunks } from '../sources/cloudtrail-log-file.js';
import { sourceLimits } from '../sources/limits.js';
import { fileChunks, LocalFileError, openRegularFile } from '../sources/local-file.js';
import { InputReadError } from '../sources/log-file-errors.js';
import { describeFailure } from '../sources/plain-chunks.js';
import { logFileName, type LogFileRef } from './log-file-ref.js';

/**
 * The bytes of one log file as they are read, gzipped or not: a local regular file (at most
 * the input file cap) or an S3 object's `GetObject` body, streamed. A file or object that
 * cannot be read, at the start or midway, is an `InputReadError` naming it, which
 * `scanLogFile` passes on as the file's last item. `s3` is asked for only when an S3 object is
 * read.
 *
 * @example
 * for await (const chunk of logFileChunks({ kind: 'file', path: 'x.json.gz', bytes: 0 }, s3)) n += chunk.length;
 */
export async function* logFileChunks(
  ref: LogFileRef,
  s3: () => Promise<S3Client>,
): AsyncGenerator<Uint8Array> {
  const where = logFileName(ref);
  try {
    if (ref.kind === 'file') yield* localChunks(ref.path);
    else yield* objectChunks(ref.bucket, ref.key, s3);
  } catch (cause) {
    if (cause instanceof InputReadError) throw cause;
    const reason =
      cause instanceof LocalFileError && cause.message.startsWith(`${cause.file}: `)
        ? cause.message.slice(cause.file.length + 2)
        : describeFailure(cause);
    const what = ref.kind === 'file' ? 'file' : 'S3 object';
    throw new InputReadError(`could not read ${what}: ${reason}`, where, { cause });
  }
}

/**
 * A log file up to this size is read in one call: CloudTrail's are mostly far smaller, and each
 * read of a chunk is a trip through libuv's thread pool.
 */
const wholeReadBytes = 8 * 1024 * 1024;

async function* localChunks(path: string): AsyncGenerator<Uint8Array> {
  const { maxFileBytes } = sourceLimits();
  const handle = await openRegularFile(path, maxFileBytes);
  try {
    const { size } = await handle.stat();
    if (size > wholeReadBytes) {
      yield* fileChunks(handle, path, maxFileBytes);
      return;
    }
    // The file as its size was when opened; a pread of a regular file reads it all at once.
    const buffer = Buffer.allocUnsafe(size);
    const { bytesRead } = await handle.read(buffer, 0, size, 0);
    yield buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

async function* objectChunks(
  bucket: string,
  key: string,
  s3: () => Promise<S3Client>,
): AsyncGenerator<Uint8Array> {
  // Loaded with the first object read: a worker reading local files never needs the S3 client,
  // whose loading cost each worker about 0.1 s of CPU.
  const { GetObjectCommand } = await import('@aws-sdk/client-s3');
  const client = await s3();
  const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (typeof Body !== 'object' || Body === null)
    throw new InputReadError('S3 object has no body', `s3://${bucket}/${key}`);
  yield* bodyChunks(Body);
}
