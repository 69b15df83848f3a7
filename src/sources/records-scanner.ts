import {
  BYTE_ORDER_MARK,
  CLOSE_BRACE,
  CLOSE_BRACKET,
  COLON,
  COMMA,
  describeStart,
  isValueStart,
  isWhitespace,
  OPEN_BRACE,
  OPEN_BRACKET,
  QUOTE,
} from './json-bytes.js';
import { LogFileSyntaxError, NotALogFileError, type LogFileError } from './log-file-errors.js';
import { RecordBytes, type ScannedRecord } from './record-bytes.js';
import { TopLevelKeys } from './top-level-keys.js';
import { ValueExtent } from './value-extent.js';

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
  /** The value being read or skipped. */
  private readonly value = new ValueExtent();
  private readonly record: RecordBytes;
  private readonly keys = new TopLevelKeys();
  private recordsSeen = false;

  constructor(
    private readonly where: string,
    maxRecordBytes: number,
  ) {
    this.record = new RecordBytes(where, maxRecordBytes);
  }

  /** Scans the next chunk; yields each record it completes and each problem, in order. */
  *push(chunk: Uint8Array): Generator<ScannedRecord | LogFileError> {
    const n = chunk.length;
    let i = this.value.resume(n);
    this.record.nextChunk();
    while (this.phase !== Phase.Failed) {
      // A record is kept up to the chunk's end even when nothing of it is left to scan.
      if (this.phase === Phase.InRecord) {
        const end = this.value.scan(chunk, i, n);
        if (end < 0) {
          this.record.keepPart(chunk);
          break;
        }
        this.phase = Phase.AfterRecord;
        yield this.record.end(chunk, end);
        i = end;
        continue;
      }
      if (i >= n) break;
      if (this.phase === Phase.SkipValue) {
        const end = this.value.scan(chunk, i, n);
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
        ? `, inside Records[${this.record.index}] (from byte offset ${this.record.offset})`
        : '';
    yield new LogFileSyntaxError(
      `unexpected end of input at byte offset ${this.consumed}${inside}`,
      this.where,
    );
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
          this.keys.begin();
          this.phase = Phase.InKey;
          return undefined;
        }
        if (byte === CLOSE_BRACE && this.phase === Phase.FirstKey) return this.endDocument();
        return this.syntax(offset, 'expected a property name in double quotes');
      case Phase.InKey:
        if (this.keys.push(byte)) this.phase = Phase.Colon;
        return undefined;
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
        if (!this.keys.isRecords) {
          this.value.start(byte);
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
          return this.syntax(offset, `expected Records[${this.record.index}]`);
        }
        this.value.start(byte);
        this.record.begin(offset, offset - this.consumed);
        this.phase = Phase.InRecord;
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
        return this.syntax(offset, `expected ',' or ']' after Records[${this.record.index - 1}]`);
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

  private endDocument(): LogFileError | undefined {
    this.phase = Phase.DocumentEnd;
    if (this.recordsSeen) return undefined;
    return new NotALogFileError(`${NOT_A_LOG_FILE}, got ${this.keys.describe()}`, this.where);
  }
}
