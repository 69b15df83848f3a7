import { formatBytes } from './limits.js';
import {
  LogFileSyntaxError,
  NotALogFileError,
  RecordError,
  type LogFileError,
} from './log-file-errors.js';

/** One element of the top-level `Records` array, as the bytes of its JSON text. */
export interface ScannedRecord {
  /** Its position in `Records`. */
  index: number;
  /** The byte offset of its first byte in the (decompressed) document. */
  offset: number;
  bytes: Uint8Array;
}

const TAB = 0x09;
const LF = 0x0a;
const CR = 0x0d;
const SPACE = 0x20;
const QUOTE = 0x22;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACKET = 0x5b;
const BACKSLASH = 0x5c;
const CLOSE_BRACKET = 0x5d;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const BYTE_ORDER_MARK = [0xef, 0xbb, 0xbf];

/** Where the scanner is in `{"key": value, "Records": [record, ...], ...}`. */
const enum Phase {
  DocumentStart,
  FirstKey,
  Key,
  InKey,
  Colon,
  Value,
  SkipValue,
  AfterValue,
  FirstRecord,
  NextRecord,
  InRecord,
  AfterRecord,
  DocumentEnd,
  Failed,
}

/** Top-level keys kept to describe a document that is not a log file. */
const KEYS_SHOWN = 10;
/** Longer top-level keys are only shown cut, and are never `Records`. */
const MAX_KEY_BYTES = 256;

function isWhitespace(byte: number): boolean {
  return byte === SPACE || byte === LF || byte === CR || byte === TAB;
}

function describeStart(byte: number): string {
  if (byte === OPEN_BRACE) return 'an object';
  if (byte === OPEN_BRACKET) return 'an array';
  if (byte === QUOTE) return 'a string';
  if (byte === 0x74 || byte === 0x66) return 'a boolean';
  if (byte === 0x6e) return 'null';
  return 'a number';
}

function isValueStart(byte: number): boolean {
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

const NOT_A_LOG_FILE = 'not a CloudTrail log file: expected {"Records": [...]}';

/**
 * Finds the records of a CloudTrail log file, `{"Records": [...]}`, in its bytes as they
 * arrive, holding no more than the record being read. It tracks only what it needs to find
 * each record's extent (strings, escapes and nesting depth) and leaves the record's own syntax
 * to `JSON.parse`; other top-level keys, before or after `Records`, are skipped. Structural
 * characters are ASCII and never occur inside a multi-byte UTF-8 sequence, so it works on
 * bytes and a chunk may end anywhere, even inside a character.
 *
 * @example
 * const scanner = new RecordsScanner('s3://bucket/key', 1024 * 1024);
 * for (const item of scanner.push(chunk)) console.log(item);
 * for (const item of scanner.finish()) console.log(item);
 */
export class RecordsScanner {
  private phase = Phase.DocumentStart;
  /** Bytes of the document before the current chunk. */
  private consumed = 0;
  private byteOrderMark = 0;
  // The value being read or skipped.
  private depth = 0;
  private inString = false;
  private scalar = false;
  /** Bytes to skip at the start of the next chunk: the character after a chunk-ending backslash. */
  private escapedByte = 0;
  // The record being read.
  private recordIndex = 0;
  private recordOffset = 0;
  private recordParts: Uint8Array[] = [];
  private recordSize = 0;
  /** Where the record's part in the current chunk starts. */
  private partStart = 0;
  // The top-level key being read.
  private keyBytes: number[] = [];
  private keyEscape = false;
  private keyIsRecords = false;
  private readonly keys: string[] = [];
  private keyCount = 0;
  private recordsSeen = false;

  constructor(
    private readonly where: string,
    private readonly maxRecordBytes: number,
  ) {}

  /** Scans the next chunk; yields each record it completes and each problem, in order. */
  *push(chunk: Uint8Array): Generator<ScannedRecord | LogFileError> {
    const n = chunk.length;
    let i = Math.min(this.escapedByte, n);
    this.escapedByte -= i;
    this.partStart = 0;
    while (this.phase !== Phase.Failed) {
      // A record is kept up to the chunk's end even when nothing of it is left to scan.
      if (this.phase === Phase.InRecord) {
        const end = this.scanValue(chunk, i, n);
        if (end < 0) {
          this.keepPart(chunk);
          break;
        }
        yield this.endRecord(chunk, end);
        i = end;
        continue;
      }
      if (i >= n) break;
      if (this.phase === Phase.SkipValue) {
        const end = this.scanValue(chunk, i, n);
        if (end < 0) break;
        this.phase = Phase.AfterValue;
        i = end;
        continue;
      }
      const problem = this.step(chunk[i] as number, this.consumed + i);
      if (problem !== undefined) {
        this.phase = Phase.Failed;
        yield problem;
        break;
      }
      i += 1;
    }
    this.consumed += n;
  }

  /** Ends the input: a document that stopped early is a problem. */
  *finish(): Generator<LogFileError> {
    const phase = this.phase;
    if (phase === Phase.DocumentEnd || phase === Phase.Failed) return;
    this.phase = Phase.Failed;
    if (phase === Phase.DocumentStart) {
      yield new LogFileSyntaxError(`empty input: ${NOT_A_LOG_FILE}`, this.where);
      return;
    }
    const inside =
      phase === Phase.InRecord
        ? `, inside Records[${this.recordIndex}] (from byte offset ${this.recordOffset})`
        : '';
    yield new LogFileSyntaxError(
      `unexpected end of input at byte offset ${this.consumed}${inside}`,
      this.where,
    );
  }

  /**
   * Advances past a string, array, object or scalar from `start`; returns the index just after
   * it, or -1 when the chunk ends first (the state is kept for the next chunk). A scalar ends
   * before its delimiter, which is left for the caller.
   */
  private scanValue(bytes: Uint8Array, start: number, n: number): number {
    let i = start;
    if (this.scalar) {
      for (; i < n; i += 1) {
        const byte = bytes[i] as number;
        if (
          byte === COMMA ||
          byte === CLOSE_BRACKET ||
          byte === CLOSE_BRACE ||
          isWhitespace(byte)
        ) {
          this.scalar = false;
          return i;
        }
      }
      return -1;
    }
    let depth = this.depth;
    let inString = this.inString;
    while (i < n) {
      if (inString) {
        // Most of a record is string content: jump to the next quote natively, then look back
        // for the backslashes that would escape it (never before `i`, the last unescaped place).
        const quote = bytes.indexOf(QUOTE, i);
        const stop = quote < 0 ? n : quote;
        let backslashes = 0;
        while (stop - backslashes - 1 >= i && bytes[stop - backslashes - 1] === BACKSLASH) {
          backslashes += 1;
        }
        if (quote < 0) {
          this.depth = depth;
          this.inString = true;
          this.escapedByte = backslashes % 2;
          return -1;
        }
        i = quote + 1;
        if (backslashes % 2 === 1) continue;
        inString = false;
        if (depth === 0) {
          this.inString = false;
          return i;
        }
        continue;
      }
      const byte = bytes[i++];
      if (byte === QUOTE) {
        inString = true;
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
    this.inString = inString;
    this.escapedByte = i - n;
    return -1;
  }

  /** Starts a value at `byte`: its kind decides how `scanValue` finds its end. */
  private startValue(byte: number): void {
    this.scalar = false;
    this.inString = false;
    this.depth = 0;
    if (byte === OPEN_BRACE || byte === OPEN_BRACKET) this.depth = 1;
    else if (byte === QUOTE) this.inString = true;
    else this.scalar = true;
  }

  /**
   * The chunk ended inside the record: keep a copy of its part (the chunk's owner may reuse
   * it), unless the record is already too large, which is then only measured.
   */
  private keepPart(chunk: Uint8Array): void {
    this.recordSize += chunk.length - this.partStart;
    if (this.recordSize > this.maxRecordBytes) this.recordParts = [];
    else this.recordParts.push(chunk.slice(this.partStart));
  }

  /** The record ends at `end`; its bytes are valid until the next `push`. */
  private endRecord(chunk: Uint8Array, end: number): ScannedRecord | LogFileError {
    const start = this.partStart;
    const size = this.recordSize + end - start;
    const parts = this.recordParts;
    const index = this.recordIndex;
    const offset = this.recordOffset;
    this.recordParts = [];
    this.recordSize = 0;
    this.recordIndex += 1;
    this.phase = Phase.AfterRecord;
    if (size > this.maxRecordBytes) {
      return new RecordError(
        `record at byte offset ${offset} is ${formatBytes(size)}, over the ${formatBytes(this.maxRecordBytes)} cap for one record; skipped`,
        `${this.where}: Records[${index}]`,
      );
    }
    if (parts.length === 0) return { index, offset, bytes: chunk.subarray(start, end) };
    parts.push(chunk.subarray(start, end));
    return { index, offset, bytes: Buffer.concat(parts, size) };
  }

  private beginRecord(byte: number, offset: number): void {
    this.startValue(byte);
    this.recordOffset = offset;
    this.partStart = offset - this.consumed;
    this.recordParts = [];
    this.recordSize = 0;
    this.phase = Phase.InRecord;
  }

  /** One byte outside any value; returns a problem that ends the scan. */
  private step(byte: number, offset: number): LogFileError | undefined {
    switch (this.phase) {
      case Phase.DocumentStart:
        if (offset === this.byteOrderMark && byte === BYTE_ORDER_MARK[offset]) {
          this.byteOrderMark += 1;
          return undefined;
        }
        if (isWhitespace(byte)) return undefined;
        if (byte === OPEN_BRACE) {
          this.phase = Phase.FirstKey;
          return undefined;
        }
        if (isValueStart(byte)) {
          return new NotALogFileError(`${NOT_A_LOG_FILE}, got ${describeStart(byte)}`, this.where);
        }
        return this.syntax(offset, 'expected a JSON value');
      case Phase.FirstKey:
      case Phase.Key:
        if (isWhitespace(byte)) return undefined;
        if (byte === QUOTE) {
          this.keyBytes = [];
          this.keyEscape = false;
          this.phase = Phase.InKey;
          return undefined;
        }
        if (byte === CLOSE_BRACE && this.phase === Phase.FirstKey) return this.endDocument();
        return this.syntax(offset, 'expected a property name in double quotes');
      case Phase.InKey:
        return this.keyByte(byte);
      case Phase.Colon:
        if (isWhitespace(byte)) return undefined;
        if (byte === COLON) {
          this.phase = Phase.Value;
          return undefined;
        }
        return this.syntax(offset, "expected ':'");
      case Phase.Value:
        if (isWhitespace(byte)) return undefined;
        if (!isValueStart(byte)) return this.syntax(offset, 'expected a JSON value');
        if (!this.keyIsRecords) {
          this.startValue(byte);
          // The opening byte is consumed here; a scalar's first byte is part of it.
          this.phase = Phase.SkipValue;
          return undefined;
        }
        if (this.recordsSeen) {
          return this.syntax(offset, 'a second "Records" key: a log file has one');
        }
        this.recordsSeen = true;
        if (byte !== OPEN_BRACKET) {
          return new NotALogFileError(
            `${NOT_A_LOG_FILE}, but Records is ${describeStart(byte)}`,
            this.where,
          );
        }
        this.phase = Phase.FirstRecord;
        return undefined;
      case Phase.AfterValue:
        if (isWhitespace(byte)) return undefined;
        if (byte === COMMA) {
          this.phase = Phase.Key;
          return undefined;
        }
        if (byte === CLOSE_BRACE) return this.endDocument();
        return this.syntax(offset, "expected ',' or '}'");
      case Phase.FirstRecord:
      case Phase.NextRecord:
        if (isWhitespace(byte)) return undefined;
        if (byte === CLOSE_BRACKET && this.phase === Phase.FirstRecord) {
          this.phase = Phase.AfterValue;
          return undefined;
        }
        if (!isValueStart(byte)) {
          return this.syntax(offset, `expected Records[${this.recordIndex}]`);
        }
        this.beginRecord(byte, offset);
        return undefined;
      case Phase.AfterRecord:
        if (isWhitespace(byte)) return undefined;
        if (byte === COMMA) {
          this.phase = Phase.NextRecord;
          return undefined;
        }
        if (byte === CLOSE_BRACKET) {
          this.phase = Phase.AfterValue;
          return undefined;
        }
        return this.syntax(offset, `expected ',' or ']' after Records[${this.recordIndex - 1}]`);
      case Phase.DocumentEnd:
        if (isWhitespace(byte)) return undefined;
        return this.syntax(offset, 'unexpected data after the JSON value');
      default:
        return undefined;
    }
  }

  private syntax(offset: number, reason: string): LogFileError {
    return new LogFileSyntaxError(`invalid JSON at byte offset ${offset}: ${reason}`, this.where);
  }

  private keyByte(byte: number): LogFileError | undefined {
    if (this.keyEscape) {
      this.keyEscape = false;
    } else if (byte === BACKSLASH) {
      this.keyEscape = true;
    } else if (byte === QUOTE) {
      this.endKey();
      return undefined;
    }
    if (this.keyBytes.length <= MAX_KEY_BYTES) this.keyBytes.push(byte);
    return undefined;
  }

  private endKey(): void {
    const raw = Buffer.from(this.keyBytes).toString('utf8');
    let key = raw;
    if (this.keyBytes.length > MAX_KEY_BYTES) key = `${raw.slice(0, 32)}…`;
    else if (raw.includes('\\')) {
      try {
        key = JSON.parse(`"${raw}"`) as string;
      } catch {
        // A bad escape in a key is not Records; the key is shown as written.
      }
    }
    this.keyIsRecords = key === 'Records';
    this.keyCount += 1;
    if (this.keys.length < KEYS_SHOWN) this.keys.push(JSON.stringify(key));
    this.phase = Phase.Colon;
  }

  private endDocument(): LogFileError | undefined {
    this.phase = Phase.DocumentEnd;
    if (this.recordsSeen) return undefined;
    const got =
      this.keyCount === 0
        ? 'an empty object'
        : `an object with keys ${this.keys.join(', ')}${this.keyCount > this.keys.length ? `, ... (${this.keyCount} keys)` : ''}`;
    return new NotALogFileError(`${NOT_A_LOG_FILE}, got ${got}`, this.where);
  }
}
