/** CRC-32C (Castagnoli), reflected, one table of 256 entries built once. */
const table = (() => {
  const entries = new Uint32Array(256);
  for (let byte = 0; byte < 256; byte++) {
    let crc = byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
    entries[byte] = crc >>> 0;
  }
  return entries;
})();

/**
 * The CRC-32C of `bytes`, the checksum LevelDB keeps for every log record and table block.
 *
 * @example
 * crc32c(Buffer.from('123456789')); // 0xe3069283
 */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (table[(crc ^ byte) & 0xff] as number) ^ (crc >>> 8);
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
