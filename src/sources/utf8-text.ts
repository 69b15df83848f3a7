import { isAscii, isUtf8 } from 'node:buffer';

/**
 * The text of bytes that are all ASCII, else undefined. ASCII reads the same as Latin-1 and
 * UTF-8, and Latin-1 is a plain copy: most log files are ASCII, and decoding them so costs no
 * UTF-8 check.
 *
 * @example
 * asciiText(Buffer.from('{"a":1}')); // '{"a":1}'
 * asciiText(Buffer.from('é')); // undefined
 */
export function asciiText(bytes: Uint8Array): string | undefined {
  if (!isAscii(bytes)) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
}

/**
 * The text of UTF-8 bytes (copied as Latin-1 when they are ASCII), else undefined.
 *
 * @example
 * utf8Text(Buffer.from('é')); // 'é'
 * utf8Text(Buffer.from([0xff])); // undefined
 */
export function utf8Text(bytes: Uint8Array): string | undefined {
  const ascii = asciiText(bytes);
  if (ascii !== undefined) return ascii;
  if (!isUtf8(bytes)) return undefined;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
}
