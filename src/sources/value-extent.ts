import * as json from './json-bytes.js';

// Copied into this module's own constants: read as imports in `scan`'s loop, they made the scan
// of a log file several times slower.
const QUOTE = json.QUOTE;
const COMMA = json.COMMA;
const OPEN_BRACKET = json.OPEN_BRACKET;
const BACKSLASH = json.BACKSLASH;
const CLOSE_BRACKET = json.CLOSE_BRACKET;
const OPEN_BRACE = json.OPEN_BRACE;
const CLOSE_BRACE = json.CLOSE_BRACE;

/**
 * Finds where one JSON value ends in bytes that arrive in chunks, tracking only strings,
 * escapes and nesting depth: the value's own syntax is left to `JSON.parse`. A chunk may end
 * anywhere, even inside an escape; the state is kept for the next one.
 *
 * @example
 * const extent = new ValueExtent();
 * extent.start(chunk[i]);
 * const end = extent.scan(chunk, i + 1, chunk.length); // -1: the value goes on in the next chunk
 */
export class ValueExtent {
  private depth = 0;
  private inString = false;
  private scalar = false;
  /** Bytes to skip at the start of the next chunk: the character after a chunk-ending backslash. */
  private escapedByte = 0;

  /** Where scanning a new chunk of `length` bytes starts: past what an escape at the end of the last one covers. */
  resume(length: number): number {
    const start = Math.min(this.escapedByte, length);
    this.escapedByte -= start;
    return start;
  }

  /** Starts a value at `byte`: its kind decides how `scan` finds its end. */
  start(byte: number): void {
    this.scalar = false;
    this.inString = false;
    this.depth = 0;
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth = 1;
    else if (byte === QUOTE) this.inString = true;
    else this.scalar = true;
  }

  /**
   * Advances past a string, array, object or scalar from `start`; returns the index just after
   * it, or -1 when the chunk ends first (the state is kept for the next chunk). A scalar ends
   * before its delimiter, which is left for the caller.
   */
  scan(bytes: Uint8Array, start: number, n: number): number {
    let i = start;
    if (this.scalar) {
      for (; i < n; i += 1) {
        const byte = bytes[i] as number;
        if (
          byte === COMMA ||
          byte === CLOSE_BRACKET ||
          byte === CLOSE_BRACE ||
          json.isWhitespace(byte)
        ) {
          this.scalar = false;
          return i;
        }
      }
      return -1;
    }
    let depth = this.depth;
    if (this.inString) {
      i = this.stringEnd(bytes, i, n);
      if (i < 0 || depth === 0) return i;
    }
    while (i < n) {
      const byte = bytes[i++];
      if (byte === QUOTE) {
        i = this.stringEnd(bytes, i, n);
        if (i < 0) {
          this.depth = depth;
          return -1;
        }
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        depth += 1;
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        depth -= 1;
        if (depth === 0) {
          this.depth = 0;
          return i;
        }
      }
    }
    this.depth = depth;
    return -1;
  }

  /**
   * Skips string content from `start` (just inside a string) to just past its closing quote;
   * -1 when the chunk ends first, the string going on in the next one. Most of a record is
   * string content: it jumps to each quote natively, then looks back for the backslashes that
   * would escape it (never before `start`, the last unescaped place). Kept apart from `scan`'s
   * loop, which then tests for a string only at a quote (a third less CPU for the scan).
   */
  private stringEnd(bytes: Uint8Array, start: number, n: number): number {
    let i = start;
    for (;;) {
      const quote = bytes.indexOf(QUOTE, i);
      const stop = quote < 0 ? n : quote;
      let backslashes = 0;
      while (stop - backslashes - 1 >= i && bytes[stop - backslashes - 1] === BACKSLASH) {
        backslashes += 1;
      }
      if (quote < 0) {
        this.inString = true;
        this.escapedByte = backslashes % 2;
        return -1;
      }
      i = quote + 1;
      if (backslashes % 2 === 0) {
        this.inString = false;
        return i;
      }
    }
  }
}
