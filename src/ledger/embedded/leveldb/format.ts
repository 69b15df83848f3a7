import { crc32c, unmaskCrc } from './crc32c.js';
import { snappyDecompress } from './snappy.js';
import { readVarint } from './varint.js';

/** LevelDB's log files (`*.log`, `MANIFEST-*`) are written in blocks of this size. */
const logBlockSize = 32 * 1024;
/** checksum (4), length (2), type (1). */
const logHeaderSize = 7;
const recordType = { zero: 0, full: 1, first: 2, middle: 3, last: 4 } as const;

/**
 * What is wrong with a LevelDB log file (a write-ahead `*.log` or a `MANIFEST-*`), or
 * `undefined` when every record's checksum and framing hold. Reading a `*.log`, LevelDB itself
 * drops a damaged record without failing the open (it only notes it in its info log), so a
 * damaged log would silently lose ledger entries. A record cut short at the very end is what a
 * crash mid-write leaves, and LevelDB rightly ignores it; so does this.
 *
 * @example
 * logFileProblem(await readFile('.steward/ledger/000003.log')); // 'checksum mismatch in the record at byte 0'
 */
export function logFileProblem(bytes: Buffer): string | undefined {
  let offset = 0;
  let inRecord = false;
  while (offset < bytes.length) {
    const leftInBlock = logBlockSize - (offset % logBlockSize);
    const leftInFile = bytes.length - offset;
    // A block's last bytes, too few for a header, are padding.
    if (leftInBlock < logHeaderSize) {
      offset += leftInBlock;
      continue;
    }
    if (leftInFile < logHeaderSize) return undefined;
    const length = bytes.readUInt16LE(offset + 4);
    const type = bytes[offset + 6] as number;
    if (logHeaderSize + length > Math.min(leftInBlock, leftInFile)) {
      if (leftInFile < leftInBlock) return undefined;
      return `a record at byte ${offset} claims ${length} bytes, more than its block holds`;
    }
    // Preallocated space: LevelDB skips the rest of the block.
    if (type === recordType.zero && length === 0) {
      offset += leftInBlock;
      continue;
    }
    const stored = unmaskCrc(bytes.readUInt32LE(offset));
    if (crc32c(bytes.subarray(offset + 6, offset + logHeaderSize + length)) !== stored)
      return `checksum mismatch in the record at byte ${offset}`;
    if (type === recordType.full || type === recordType.first) {
      if (inRecord) return `a record at byte ${offset} starts inside another one`;
      inRecord = type === recordType.first;
    } else if (type === recordType.middle || type === recordType.last) {
      if (!inRecord) return `the record at byte ${offset} continues a record that never started`;
      inRecord = type === recordType.middle;
    } else return `unknown record type ${type} at byte ${offset}`;
    offset += logHeaderSize + length;
  }
  return undefined;
}

const tableFooterSize = 48;
const tableMagic = Buffer.from([0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb]);
/** compression type (1) and checksum (4) after every table block. */
const blockTrailerSize = 5;

/** A table block could not be read; the message says which and why. */
class TableProblem extends Error {}

interface BlockHandle {
  offset: number;
  size: number;
}

function readHandle(bytes: Uint8Array, at: number): [BlockHandle, number] {
  const [offset, afterOffset] = readVarint(bytes, at);
  const [size, next] = readVarint(bytes, afterOffset);
  return [{ offset, size }, next];
}

/** A block's contents after its checksum is verified and it is decompressed. */
function readBlock(table: Buffer, handle: BlockHandle, dataEnd: number, what: string): Uint8Array {
  const end = handle.offset + handle.size;
  if (end + blockTrailerSize > dataEnd)
    throw new TableProblem(`the ${what} at byte ${handle.offset} runs past the end of the file`);
  const stored = unmaskCrc(table.readUInt32LE(end + 1));
  if (crc32c(table.subarray(handle.offset, end + 1)) !== stored)
    throw new TableProblem(`checksum mismatch in the ${what} at byte ${handle.offset}`);
  const contents = table.subarray(handle.offset, end);
  const compression = table[end];
  if (compression === 0) return contents;
  if (compression === 1) {
    try {
      return snappyDecompress(contents);
    } catch (error) {
      throw new TableProblem(
        `the ${what} at byte ${handle.offset} does not decompress: ${(error as Error).message}`,
      );
    }
  }
  throw new TableProblem(
    `unknown compression ${compression} of the ${what} at byte ${handle.offset}`,
  );
}

/** The values of a block's entries (keys are prefix-compressed and not needed here). */
function blockValues(block: Uint8Array, what: string): Uint8Array[] {
  const view = Buffer.from(block.buffer, block.byteOffset, block.byteLength);
  if (view.length < 4) throw new TableProblem(`the ${what} is too short`);
  const restarts = view.readUInt32LE(view.length - 4);
  const entriesEnd = view.length - 4 - 4 * restarts;
  if (entriesEnd < 0) throw new TableProblem(`the ${what} has a bad restart count`);
  const values: Uint8Array[] = [];
  for (let at = 0; at < entriesEnd;) {
    const [, afterShared] = readVarint(view, at);
    const [unshared, afterUnshared] = readVarint(view, afterShared);
    const [valueLength, keyStart] = readVarint(view, afterUnshared);
    const valueStart = keyStart + unshared;
    at = valueStart + valueLength;
    if (at > entriesEnd) throw new TableProblem(`an entry of the ${what} runs past its end`);
    values.push(view.subarray(valueStart, at));
  }
  return values;
}

/**
 * What is wrong with a LevelDB table file (`*.ldb`, `*.sst`), or `undefined` when its footer
 * and every block it references (index, meta index, filter, data) have their checksums and
 * decode. LevelDB verifies none of these checksums when it reads, so this is the one place a
 * damaged table shows.
 *
 * @example
 * tableFileProblem(await readFile('.steward/ledger/000005.ldb')); // 'checksum mismatch in the data block at byte 0'
 */
export function tableFileProblem(table: Buffer): string | undefined {
  if (table.length < tableFooterSize) return 'it is shorter than a table footer';
  const footerStart = table.length - tableFooterSize;
  if (!table.subarray(table.length - tableMagic.length).equals(tableMagic))
    return 'its footer does not end with the table magic number';
  try {
    const [metaIndex, afterMeta] = readHandle(table, footerStart);
    const [index] = readHandle(table, afterMeta);
    const check = (values: Uint8Array[], what: string) => {
      for (const value of values) readBlock(table, readHandle(value, 0)[0], footerStart, what);
    };
    check(
      blockValues(readBlock(table, index, footerStart, 'index block'), 'index block'),
      'data block',
    );
    check(
      blockValues(readBlock(table, metaIndex, footerStart, 'meta index block'), 'meta index block'),
      'meta block',
    );
    return undefined;
  } catch (error) {
    if (error instanceof TableProblem) return error.message;
    return `it does not decode: ${(error as Error).message}`;
  }
}
