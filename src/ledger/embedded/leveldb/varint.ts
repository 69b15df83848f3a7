/**
 * Bytes that do not hold the varint expected at an offset (it runs past their end).
 *
 * @example
 * throw new VarintError(offset);
 */
export class VarintError extends Error {
  constructor(readonly offset: number) {
    super(`bad varint at byte ${offset}`);
    this.name = 'VarintError';
  }
}

/**
 * The little-endian base-128 varint at `offset` (as LevelDB and Snappy write lengths and
 * offsets) and the offset just after it. Exact up to 2^53, which no ledger file reaches.
 *
 * @example
 * const [size, next] = readVarint(block, 0);
 */
export function readVarint(bytes: Uint8Array, offset: number): [value: number, next: number] {
  let value = 0;
  for (let shift = 0, at = offset; shift < 64 && at < bytes.length; shift += 7, at++) {
    const byte = bytes[at] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, at + 1];
  }
  throw new VarintError(offset);
}
