/**
 * CRC-32C (Castagnoli), reflected, sliced by 8: `tables[k][byte]` is the CRC of `byte` followed
 * by `k` zero bytes, so eight input bytes take eight lookups and no loop over bits.
 */
const tables = (() => {
  const all = Array.from({ length: 8 }, () => new Uint32Array(256));
  const [first] = all as [Uint32Array];
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    first[byte] = crc >>> 0;
  }
  for (let byte = 0; byte < 256; byte++)
    for (let k = 1; k < 8; k++) {
      const previous = (all[k - 1] as Uint32Array)[byte] as number;
      (all[k] as Uint32Array)[byte] = (previous >>> 8) ^ (first[previous & 0xff] as number);
    }
  return all as [
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
    Uint32Array,
  ];
})();

/**
 * The CRC-32C of `bytes`, the checksum LevelDB keeps for every log record and table block.
 * Checking a ledger reads every byte of it, hence the sliced tables (several hundred MB/s).
 *
 * @example
 * crc32c(Buffer.from('123456789')); // 0xe3069283
 */
export function crc32c(bytes: Uint8Array): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = tables;
  let crc = 0xffffffff;
  let at = 0;
  for (const end = bytes.length - 8; at <= end; at += 8) {
    const low =
      (crc ^
        ((bytes[at] as number) |
          ((bytes[at + 1] as number) << 8) |
          ((bytes[at + 2] as number) << 16) |
          ((bytes[at + 3] as number) << 24))) >>>
      0;
    crc =
      (t7[low & 0xff] as number) ^
      (t6[(low >>> 8) & 0xff] as number) ^
      (t5[(low >>> 16) & 0xff] as number) ^
      (t4[low >>> 24] as number) ^
      (t3[bytes[at + 4] as number] as number) ^
      (t2[bytes[at + 5] as number] as number) ^
      (t1[bytes[at + 6] as number] as number) ^
      (t0[bytes[at + 7] as number] as number);
  }
  for (; at < bytes.length; at++)
    crc = (t0[(crc ^ (bytes[at] as number)) & 0xff] as number) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const maskDelta = 0xa282ead8;

/**
 * A checksum as LevelDB stores it, turned back into the CRC: LevelDB rotates and offsets stored
 * CRCs so that the CRC of data holding CRCs stays strong.
 *
 * @example
 * unmaskCrc(buffer.readUInt32LE(offset)) === crc32c(record);
 */
export function unmaskCrc(masked: number): number {
  const rotated = (masked - maskDelta) >>> 0;
  return ((rotated >>> 17) | (rotated << 15)) >>> 0;
}
