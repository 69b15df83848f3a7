/**
 * The bytes of JSON's structure. All are ASCII, and no byte of a multi-byte UTF-8 sequence is
 * ASCII, so JSON's structure can be found in its bytes without decoding them.
 */
export const TAB = 0x09;
export const LF = 0x0a;
export const CR = 0x0d;
export const SPACE = 0x20;
export const QUOTE = 0x22;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACKET = 0x5b;
export const BACKSLASH = 0x5c;
export const CLOSE_BRACKET = 0x5d;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
/** UTF-8's byte order mark, which a document may start with. */
export const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];

/**
 * Whether a byte is JSON whitespace.
 *
 * @example
 * isWhitespace(0x20); // true
 */
export function isWhitespace(byte: number): boolean {
  return byte === SPACE || byte === LF || byte === CR || byte === TAB;
}

/**
 * Whether a byte can start a JSON value.
 *
 * @example
 * isValueStart(0x7b); // true: '{'
 * isValueStart(0x2c); // false: ','
 */
export function isValueStart(byte: number): boolean {
  return (
    byte === OPEN_BRACE ||
    byte === OPEN_BRACKET ||
    byte === QUOTE ||
    byte === 0x2d ||
    (byte >= 0x30 && byte <= 0x39) ||
    byte === 0x74 ||
    byte === 0x66 ||
    byte === 0x6e
  );
}

/**
 * The kind of value a byte starts, as a message names it.
 *
 * @example
 * describeStart(0x5b); // 'an array'
 */
export function describeStart(byte: number): string {
  if (byte === OPEN_BRACE) return 'an object';
  if (byte === OPEN_BRACKET) return 'an array';
  if (byte === QUOTE) return 'a string';
  if (byte === 0x74 || byte === 0x66) return 'a boolean';
  if (byte === 0x6e) return 'null';
  return 'a number';
}
