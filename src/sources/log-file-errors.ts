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

/** The document is not `{"Records": [...]}` (another shape, or `Records` is not an array). */
export class NotALogFileError extends LogFileError {
  readonly fatal = true;
}

/** The text is not JSON at a place outside any record: the rest of the file cannot be found. */
export class LogFileSyntaxError extends LogFileError {
  readonly fatal = true;
}

/** The input is neither gzip nor plain text, or a gzip stream is broken or truncated. */
export class CompressionError extends LogFileError {
  readonly fatal = true;
}

/** The decompressed input grew past `maxStreamedBytes`. */
export class DecompressedSizeError extends LogFileError {
  readonly fatal = true;
}

/** The bytes could not be read (a dropped connection to S3, a file read error). */
export class InputReadError extends LogFileError {
  readonly fatal = true;
}

/** One record is bad (invalid JSON or UTF-8, over `maxRecordBytes`); the others still decode. */
export class RecordError extends LogFileError {
  readonly fatal = false;
}
