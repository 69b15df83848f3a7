import { randomBytes } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { DecompressedSizeError, InputReadError } from '../../src/sources/log-file-errors.js';
import { plainChunks } from '../../src/sources/plain-chunks.js';

const where = 's3://logs/AWSLogs/f.json.gz';

async function* parts(bytes: Uint8Array, size: number, failAfter?: number) {
  for (let start = 0; start < bytes.length; start += size) {
    if (failAfter !== undefined && start >= failAfter) {
      throw Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' });
    }
    yield bytes.subarray(start, start + size);
  }
}

/** The plain bytes read, and the error that ended them. */
async function readAll(
  source: AsyncIterable<Uint8Array>,
  maxBytes = 1024 ** 3,
): Promise<{ plain: Buffer; sizes: number[]; error?: unknown }> {
  const chunks: Uint8Array[] = [];
  try {
    for await (const chunk of plainChunks(source, where, maxBytes, 'S3 object')) chunks.push(chunk);
  } catch (error) {
    return { plain: Buffer.concat(chunks), sizes: chunks.map((c) => c.length), error };
  }
  return { plain: Buffer.concat(chunks), sizes: chunks.map((c) => c.length) };
}

/** Text that gzip cannot shrink much, so a few MiB of it stay a few MiB gzipped. */
function incompressible(bytes: number): Buffer {
  return Buffer.from(randomBytes(bytes / 2).toString('hex'));
}

describe('plainChunks', () => {
  it.each([
    ['a small file, inflated whole', 256 * 1024],
    ['a file over 4 MiB gzipped, streamed', 10 * 1024 * 1024],
  ])('gives the same bytes, in chunks of at most 64 KiB, for %s', async (_, size) => {
    const text = incompressible(size);
    const { plain, sizes, error } = await readAll(parts(gzipSync(text), 100_000));
    expect(error).toBeUndefined();
    expect(plain.equals(text)).toBe(true);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 1024);
  });

  it('reads every member of a gzip file of several, as gunzip does', async () => {
    const joined = Buffer.concat([gzipSync('{"Records":['), gzipSync('{"eventID":"a"}]}')]);
    const { plain } = await readAll(parts(joined, 7));
    expect(plain.toString()).toBe(gunzipSync(joined).toString());
    expect(plain.toString()).toBe('{"Records":[{"eventID":"a"}]}');
  });

  it('gives the bytes before a read that fails midway through a small gzip file, then the failure', async () => {
    const text = incompressible(1024 * 1024);
    const gzipped = gzipSync(text);
    const { plain, error } = await readAll(parts(gzipped, 64 * 1024, gzipped.length / 2));
    expect(error).toEqual(
      new InputReadError('could not read S3 object: ECONNRESET: socket hang up', where),
    );
    expect(plain.length).toBeGreaterThan(0);
    expect(plain.equals(text.subarray(0, plain.length))).toBe(true);
  });

  it('stops a small gzip file that expands past the cap at the cap, naming it', async () => {
    const { plain, error } = await readAll(
      parts(gzipSync(Buffer.alloc(300_000, 0x61)), 999),
      100_000,
    );
    expect(error).toEqual(
      new DecompressedSizeError(
        'it expands to more than 97.7 KiB, the cap for one log file',
        where,
      ),
    );
    expect(plain.length).toBeLessThanOrEqual(100_000);
  });
});
