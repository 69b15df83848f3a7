import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../../src/ledger/embedded/leveldb/crc32c.js';
import { loadLevel } from '../../../src/ledger/embedded/dynalite-module.js';
import { logFileProblem, tableFileProblem } from '../../../src/ledger/embedded/leveldb/format.js';
import { snappyDecompress } from '../../../src/ledger/embedded/leveldb/snappy.js';

/**
 * A real LevelDB directory written by the `level` build dynalite uses: `entries` JSON values,
 * compressible as dynalite's are. Opened twice when `asTable`, so that LevelDB turns its log
 * into a table.
 */
async function levelDirectory(entries: number, asTable: boolean): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'steward-level-')), 'db');
  const Level = loadLevel();
  const options = {
    createIfMissing: true,
    keyEncoding: 'buffer',
    valueEncoding: 'buffer',
  } as const;
  const db = new Level(path, options) as unknown as {
    open(): Promise<void>;
    close(): Promise<void>;
    put(key: Buffer, value: Buffer): Promise<void>;
  };
  await db.open();
  for (let index = 0; index < entries; index++) {
    const value = { pk: `key-${index}`, status: 'planned', detail: 'would tag '.repeat(20) };
    await db.put(Buffer.from(`item~${index}`), Buffer.from(JSON.stringify(value)));
  }
  await db.close();
  if (asTable) {
    const again = new Level(path, { ...options, createIfMissing: false });
    await again.open();
    await again.close();
  }
  return path;
}

async function fileOf(path: string, pattern: RegExp): Promise<Buffer> {
  const name = (await readdir(path)).find((file) => pattern.test(file));
  if (name === undefined) throw new Error(`no file matching ${pattern} in ${path}`);
  return readFile(join(path, name));
}

function damaged(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = (copy[at] as number) ^ 0xff;
  return copy;
}

describe('crc32c', () => {
  it('gives the standard check value and the test vectors of RFC 3720', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, index) => index)))).toBe(0x46dd794e);
  });
});

describe('logFileProblem (write-ahead logs and manifests)', () => {
  it('passes a log LevelDB wrote, and names the record whose checksum fails after one byte changed', async () => {
    const log = await fileOf(await levelDirectory(40, false), /^\d+\.log$/);
    expect(log.length).toBeGreaterThan(1_000);
    expect(logFileProblem(log)).toBeUndefined();
    expect(logFileProblem(damaged(log, 30))).toBe('checksum mismatch in the record at byte 0');
  });

  it('ignores a record cut short at the end, as a crash mid-write leaves it', async () => {
    const log = await fileOf(await levelDirectory(40, false), /^\d+\.log$/);
    expect(logFileProblem(log.subarray(0, log.length - 10))).toBeUndefined();
  });

  it('names a damaged manifest record', async () => {
    const manifest = await fileOf(await levelDirectory(1, true), /^MANIFEST-/);
    expect(logFileProblem(manifest)).toBeUndefined();
    expect(logFileProblem(damaged(manifest, 8))).toBe('checksum mismatch in the record at byte 0');
  });
});

describe('tableFileProblem (sorted tables)', () => {
  it('passes a table LevelDB wrote', async () => {
    const table = await fileOf(await levelDirectory(200, true), /^\d+\.ldb$/);
    expect(tableFileProblem(table)).toBeUndefined();
  });

  it('names the damaged block, the damaged footer, and a file too short to be a table', async () => {
    const table = await fileOf(await levelDirectory(200, true), /^\d+\.ldb$/);
    expect(tableFileProblem(damaged(table, 100))).toBe(
      'checksum mismatch in the data block at byte 0',
    );
    expect(tableFileProblem(damaged(table, table.length - 1))).toBe(
      'its footer does not end with the table magic number',
    );
    expect(tableFileProblem(table.subarray(0, 20))).toBe('it is shorter than a table footer');
  });
});

describe('snappyDecompress', () => {
  it('decodes literals and overlapping copies, and refuses a copy before the start', () => {
    // "abcabcabcX": a 3-byte literal, a copy of 6 from 3 back, a 1-byte literal.
    const block = Buffer.from([10, 0x08, 0x61, 0x62, 0x63, 0x09, 0x03, 0x00, 0x58]);
    expect(Buffer.from(snappyDecompress(block)).toString()).toBe('abcabcabcX');
    expect(() => snappyDecompress(Buffer.from([4, 0x01, 0x05]))).toThrow('copy outside the output');
  });
});
