import { readVarint } from './varint.js';

/**
 * Snappy's raw format could not be decoded: the block holding it is corrupt.
 *
 * @example
 * throw new SnappyFormatError('copy outside the output');
 */
export class SnappyFormatError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SnappyFormatError';
  }
}

function preamble(input: Uint8Array): [number, number] {
  try {
    return readVarint(input, 0);
  } catch (error) {
    throw new SnappyFormatError('bad length preamble', { cause: error });
  }
}

function littleEndian(bytes: Uint8Array, offset: number, size: number): number {
  if (offset + size > bytes.length) throw new SnappyFormatError('cut short');
  let value = 0;
  for (let index = size - 1; index >= 0; index--)
    value = value * 256 + (bytes[offset + index] as number);
  return value;
}

/**
 * Decompresses one block in Snappy's raw format, which LevelDB uses for table blocks; throws
 * `SnappyFormatError` for anything that is not valid Snappy. Only what checking a ledger needs:
 * LevelDB blocks are small, so speed does not matter here.
 *
 * @example
 * const indexBlock = snappyDecompress(storedIndexBlock);
 */
export function snappyDecompress(input: Uint8Array): Uint8Array {
  const [length, start] = preamble(input);
  if (length > 64 * 1024 * 1024) throw new SnappyFormatError(`implausible length ${length}`);
  const output = new Uint8Array(length);
  let written = 0;
  let at = start;
  while (at < input.length) {
    const tag = input[at++] as number;
    let size: number;
    let distance = 0;
    switch (tag & 3) {
      case 0: {
        size = (tag >>> 2) + 1;
        if (size > 60) {
          const extra = size - 60;
          size = littleEndian(input, at, extra) + 1;
          at += extra;
        }
        if (at + size > input.length || written + size > length)
          throw new SnappyFormatError('literal past the end');
        output.set(input.subarray(at, at + size), written);
        at += size;
        written += size;
        continue;
      }
      case 1:
        size = ((tag >>> 2) & 7) + 4;
        distance = ((tag >>> 5) << 8) | littleEndian(input, at, 1);
        at += 1;
        break;
      case 2:
        size = (tag >>> 2) + 1;
        distance = littleEndian(input, at, 2);
        at += 2;
        break;
      default:
        size = (tag >>> 2) + 1;
        distance = littleEndian(input, at, 4);
        at += 4;
    }
    if (distance === 0 || distance > written || written + size > length)
      throw new SnappyFormatError('copy outside the output');
    // Byte by byte: a copy may overlap what it writes (a run repeating a short pattern).
    for (let index = 0; index < size; index++, written++)
      output[written] = output[written - distance] as number;
  }
  if (written !== length) throw new SnappyFormatError(`${written} bytes of ${length}`);
  return output;
}
