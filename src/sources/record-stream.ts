import { normalizeCloudTrailRecord } from './cloudtrail.js';
import type { CloudTrailLogKey } from './cloudtrail-key.js';
import { isObject } from '../json/fields.js';
import { locateJsonProblem } from './json-text.js';
import { sourceLimits, type SourceLimits } from './limits.js';
import { LogFileError, RecordError } from './log-file-errors.js';
import { plainBytes } from './plain-chunks.js';
import type { ScannedRecord } from './record-bytes.js';
import { RecordsScanner } from './records-scanner.js';
import type { DeliveryPath, SourceError, StewardEvent } from './steward-event.js';
import { asciiText, utf8Text } from './utf8-text.js';
import { wholeLogFileRecords, type ParsedRecord } from './whole-log-file.js';

export type { ParsedRecord } from './whole-log-file.js';

/**
 * The record's JSON text; undefined when its bytes are not UTF-8. Within a chunk that is all
 * ASCII (`chunkText`), a slice of the chunk's one string, not a string of its own.
 */
function recordText(record: ScannedRecord, chunkText: string | undefined): string | undefined {
  const { bytes, chunkStart } = record;
  if (chunkText !== undefined && chunkStart !== undefined)
    return chunkText.slice(chunkStart, chunkStart + bytes.length);
  return utf8Text(bytes);
}

function parseRecord(
  record: ScannedRecord,
  where: string,
  chunkText: string | undefined,
): ParsedRecord | RecordError {
  const { index, offset } = record;
  const recordWhere = `${where}: Records[${index}]`;
  const text = recordText(record, chunkText);
  if (text === undefined) {
    return new RecordError(`record at byte offset ${offset} is not valid UTF-8 text`, recordWhere);
  }
  try {
    return { index, value: JSON.parse(text) };
  } catch (cause) {
    const problem = locateJsonProblem(text);
    const message =
      problem === undefined
        ? `invalid JSON in the record at byte offset ${offset}: ${cause instanceof Error ? cause.message : String(cause)}`
        : `invalid JSON at byte offset ${offset + Buffer.byteLength(text.slice(0, problem.offset))}: ${problem.reason}`;
    return new RecordError(message, recordWhere, { cause });
  }
}

/**
 * The records of a CloudTrail log file, `{"Records": [...]}`, parsed one at a time as its bytes
 * arrive (gzipped or not), at the consumer's pace: memory holds about one chunk and its records
 * however large the file. A gzipped file of at most `maxRecordBytes` of JSON is parsed whole
 * when that finds what reading it record by record would (`whole-log-file.ts`). A bad record is
 * a `RecordError` for it alone; a problem that ends the
 * file (not a log file, broken JSON between records, broken gzip, a cap, a read error) is the
 * last item, after every record before it. `what` names the source in a read error
 * (`could not read S3 object: ...`; default `the input`).
 *
 * @example
 * for await (const item of scanLogFile(createReadStream(path), path)) {
 *   if (item instanceof LogFileError) console.error(item.where, item.message);
 *   else console.log(item.index, item.value);
 * }
 */
export async function* scanLogFile(
  chunks: AsyncIterable<Uint8Array>,
  where: string,
  limits: SourceLimits = sourceLimits(),
  what?: string,
): AsyncGenerator<ParsedRecord | LogFileError> {
  for await (const items of scanLogFileChunks(chunks, where, limits, what)) yield* items;
}

/**
 * `scanLogFile`'s items a plain chunk at a time: what each chunk of the file completes (its
 * records, parsed, and its problems, in order) as one array, the problem that ends the file
 * last; a file parsed whole, all its records in one array. A consumer with nothing to wait for
 * on most records (a backtest) then pays one promise a chunk, not one a record.
 *
 * @example
 * for await (const items of scanLogFileChunks(chunks, path))
 *   for (const item of items) if (!(item instanceof LogFileError)) count(item.value);
 */
export async function* scanLogFileChunks(
  chunks: AsyncIterable<Uint8Array>,
  where: string,
  limits: SourceLimits = sourceLimits(),
  what?: string,
): AsyncGenerator<(ParsedRecord | LogFileError)[]> {
  const plain = await plainBytes(chunks, where, limits.maxStreamedBytes, what);
  const whole =
    plain.whole !== undefined && plain.whole.length <= limits.maxRecordBytes
      ? wholeLogFileRecords(plain.whole)
      : undefined;
  if (whole !== undefined) {
    if (whole.length > 0) yield whole;
    return;
  }
  const scanner = new RecordsScanner(where, limits.maxRecordBytes);
  try {
    for await (const chunk of plain.chunks) {
      const items: (ParsedRecord | LogFileError)[] = [];
      const chunkText = asciiText(chunk);
      for (const item of scanner.push(chunk)) {
        if (item instanceof LogFileError) {
          items.push(item);
          if (item.fatal) {
            yield items;
            return;
          }
        } else items.push(parseRecord(item, where, chunkText));
      }
      if (items.length > 0) yield items;
    }
  } catch (error) {
    if (!(error instanceof LogFileError)) throw error;
    yield [error];
    return;
  }
  const last = [...scanner.finish()];
  if (last.length > 0) yield last;
}

/** How `decodeCloudTrailLogStream` reads. */
export interface LogStreamOptions {
  /** How the file reached steward; `s3` unless said otherwise. */
  delivery?: DeliveryPath;
  limits?: SourceLimits;
  /** What a read error says could not be read, e.g. `S3 object`; `the input` by default. */
  what?: string;
  /**
   * Where the file's S3 key says its records come from: a record of another account is an
   * error for it alone, and the key's account and region stand in for those a record lacks.
   */
  logKey?: CloudTrailLogKey;
}

/**
 * Decodes a CloudTrail log file from its raw bytes (gzipped or not) into StewardEvents, one
 * record at a time, each through `normalizeCloudTrailRecord` with `where` `<where>: Records[i]`.
 * With `logKey`, only records whose `recipientAccountId` is the key's account are believed.
 * Never throws for bad input: each problem is a `SourceError` in the stream, in order.
 *
 * @example
 * for await (const result of decodeCloudTrailLogStream(body, 's3://bucket/key')) {
 *   if (isSourceError(result)) errors.push(result);
 *   else await process(result);
 * }
 */
export async function* decodeCloudTrailLogStream(
  chunks: AsyncIterable<Uint8Array>,
  where: string,
  options: LogStreamOptions = {},
): AsyncGenerator<StewardEvent | SourceError> {
  const delivery = options.delivery ?? 's3';
  const { logKey } = options;
  const defaults = logKey === undefined ? {} : { account: logKey.account, region: logKey.region };
  for await (const item of scanLogFile(chunks, where, options.limits, options.what)) {
    if (item instanceof LogFileError) {
      yield { message: item.message, where: item.where };
      continue;
    }
    const recordWhere = `${where}: Records[${item.index}]`;
    yield (
      (logKey === undefined ? undefined : foreignRecord(item.value, logKey, recordWhere)) ??
      normalizeCloudTrailRecord(item.value, delivery, recordWhere, defaults)
    );
  }
}

/**
 * The error for a record whose `recipientAccountId` is not its log file key's account;
 * undefined when it is. A record that is not an object is left to the decoder.
 *
 * @example
 * const foreign = foreignRecord(item.value, logKey, `${where}: Records[${item.index}]`);
 * if (foreign) errors.push(foreign);
 */
export function foreignRecord(
  record: unknown,
  logKey: CloudTrailLogKey,
  where: string,
): SourceError | undefined {
  if (!isObject(record) || record.recipientAccountId === logKey.account) return undefined;
  const account = record.recipientAccountId;
  const got =
    account === undefined
      ? 'has no recipientAccountId'
      : `has recipientAccountId ${JSON.stringify(account) ?? String(account)}`;
  return {
    message: `record ${got}, not ${logKey.account}, the account its log file's key names: not believed`,
    where,
  };
}
