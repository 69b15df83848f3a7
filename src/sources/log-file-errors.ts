/**
 * What can go wrong while a CloudTrail log file streams in. Each class is one way, so callers
 * branch on the type; `fatal` says whether the rest of the file is lost with it (a record that
 * is bad alone is not fatal).
 *
 * @example
 * for await (const item of scanLogFile(chunks, where)) {
 *   if (item instanceof NotALogFileError) return decodeWhole();
 * }
 */
export abstract class LogFileError extends Error {
  /** True when decoding stopped here; records after it were not read. */
  abstract readonly fatal: boolean;

  constructor(
    message: string,
    /** Where in the input: the file or object, and `Records[i]` for a record's own problem. */
    readonly where: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * The document is not `{"Records": [...]}` (another shape, or `Records` is not an array).
 *
 * @example
 * if (item instanceof NotALogFileError) return decodeDocument(JSON.parse(text), where);
 */
export class NotALogFileError extends LogFileError {
  readonly fatal = true;
}

/**
 * The text is not JSON at a place outside any record: the rest of the file cannot be found.
 *
 * @example
 * new LogFileSyntaxError("invalid JSON at byte offset 16: expected ',' or ']'", where);
 */
export class LogFileSyntaxError extends LogFileError {
  readonly fatal = true;
}

/**
 * A gzip stream is broken or truncated.
 *
 * @example
 * new CompressionError('not valid gzip: unexpected end of file', where, { cause });
 */
export class CompressionError extends LogFileError {
  readonly fatal = true;
}

/**
 * The decompressed input grew past `maxStreamedBytes`.
 *
 * @example
 * new DecompressedSizeError('it expands to more than 4 GiB, the cap for one log file', where);
 */
export class DecompressedSizeError extends LogFileError {
  readonly fatal = true;
}

/**
 * The bytes could not be read (a dropped connection to S3, a file read error).
 *
 * @example
 * new InputReadError('could not read S3 object: ECONNRESET: socket hang up', where, { cause });
 */
export class InputReadError extends LogFileError {
  readonly fatal = true;
}

/**
 * One record is bad (invalid JSON or UTF-8, over `maxRecordBytes`); the others still decode.
 *
 * @example
 * new RecordError('record at byte offset 12 is not valid UTF-8 text', `${where}: Records[0]`);
 */
export class RecordError extends LogFileError {
  readonly fatal = false;
}
