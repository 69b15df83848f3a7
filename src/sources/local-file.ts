import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { formatBytes } from './limits.js';

/**
 * A local file that steward will not read, or could not: the message names the file.
 *
 * @example
 * throw new LocalFileError('a directory, not a regular file: refused', 'events/');
 */
export class LocalFileError extends Error {
  constructor(
    message: string,
    readonly file: string,
    options?: ErrorOptions,
  ) {
    super(`${file}: ${message}`, options);
    this.name = 'LocalFileError';
  }
}

const READ_CHUNK_BYTES = 64 * 1024;

function kindOf(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Opens a file for reading and checks, on the open handle, that it is a regular file of at
 * most `maxBytes`: `/dev/zero`, a FIFO or a directory is refused before any byte is read.
 * `O_NONBLOCK` keeps opening a FIFO from waiting for a writer; it does not change how a
 * regular file reads.
 *
 * @example
 * const handle = await openRegularFile('events/ec2-running.json', 1024 ** 3);
 * try { console.log((await handle.stat()).size); } finally { await handle.close(); }
 */
export async function openRegularFile(file: string, maxBytes: number): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new LocalFileError(`cannot read: ${code}`, file, { cause });
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      throw new LocalFileError(`${kindOf(stats)}, not a regular file: refused`, file);
    }
    if (stats.size > maxBytes) {
      throw new LocalFileError(
        `${formatBytes(stats.size)} is over the ${formatBytes(maxBytes)} cap for an input file`,
        file,
      );
    }
    return handle;
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/**
 * The bytes of an open file from its start, as they are read: at most `maxBytes`, so a file
 * that grows while it is read is still bounded (past the cap is a `LocalFileError`).
 *
 * @example
 * for await (const chunk of fileChunks(handle, path, 1024 ** 3)) hash.update(chunk);
 */
export async function* fileChunks(
  handle: FileHandle,
  file: string,
  maxBytes: number,
): AsyncGenerator<Uint8Array> {
  let position = 0;
  for (;;) {
    // One byte more than the cap may hold is asked for, to tell "at the cap" from "over it".
    const wanted = Math.min(READ_CHUNK_BYTES, maxBytes + 1 - position);
    const buffer = Buffer.allocUnsafe(wanted);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, wanted, position));
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
      throw new LocalFileError(`cannot read: ${code}`, file, { cause });
    }
    if (bytesRead === 0) return;
    position += bytesRead;
    if (position > maxBytes) {
      throw new LocalFileError(
        `grew past the ${formatBytes(maxBytes)} cap for an input file while it was read`,
        file,
      );
    }
    yield buffer.subarray(0, bytesRead);
  }
}

/**
 * A whole regular file of at most `maxBytes`, checked as `openRegularFile` checks it.
 *
 * @example
 * const bytes = await readLocalFile('facts.json', 64 * 1024 * 1024);
 */
export async function readLocalFile(file: string, maxBytes: number): Promise<Buffer> {
  const handle = await openRegularFile(file, maxBytes);
  try {
    return await readOpenFile(handle, file, maxBytes);
  } finally {
    await handle.close();
  }
}

/**
 * The whole of an open file from its start, at most `maxBytes`.
 *
 * @example
 * const bytes = await readOpenFile(handle, 'events/x.json', 64 * 1024 * 1024);
 */
export async function readOpenFile(
  handle: FileHandle,
  file: string,
  maxBytes: number,
): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of fileChunks(handle, file, maxBytes)) chunks.push(chunk);
  return Buffer.concat(chunks);
}
