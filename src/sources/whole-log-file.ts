import { isObject } from '../json/fields.js';
import { QUOTE } from './json-bytes.js';
import { utf8Text } from './utf8-text.js';

/** One record of a log file, parsed but not yet checked as a CloudTrail record. */
export interface ParsedRecord {
  /** Its position in `Records`. */
  index: number;
  value: unknown;
}

/** U+FEFF, which the record-by-record reader skips at the start of a file and `JSON.parse` refuses. */
const BYTE_ORDER_MARK = 0xfeff;
const RECORDS = 'Records';

/** The file's text without a leading byte order mark; undefined when it is not UTF-8. */
function documentText(bytes: Buffer): string | undefined {
  const text = utf8Text(bytes);
  return text?.charCodeAt(0) === BYTE_ORDER_MARK ? text.slice(1) : text;
}

/**
 * Whether the document has one top-level `Records` key, as a log file must: `JSON.parse` keeps
 * the last of two without a word, where the record-by-record reader stops at the second. Only
 * a string written `"Records"` or one spelled with a `\u` escape can be that key, so a text
 * with one `"Records"` and no `\u` has one. Any other text (a record holding the string
 * `"Records"`, an escape anywhere) is left to the reader that finds the keys. The bytes are
 * searched for `Records` and its quotes checked after: a search that starts with a quote, the
 * commonest byte of JSON, took four times as long.
 */
function oneRecordsKey(bytes: Buffer, text: string): boolean {
  if (text.includes('\\u')) return false;
  let keys = 0;
  for (let at = bytes.indexOf(RECORDS); at >= 0; at = bytes.indexOf(RECORDS, at + RECORDS.length))
    if (bytes[at - 1] === QUOTE && bytes[at + RECORDS.length] === QUOTE && ++keys > 1) return false;
  return keys === 1;
}

/**
 * The records of a CloudTrail log file from its whole plain bytes, parsed at once, when that
 * finds exactly what reading it record by record (`RecordsScanner`) would: valid UTF-8, valid
 * JSON, an object with one `Records` array. Undefined otherwise; the file is then read record
 * by record, which says what is wrong and where, and still decodes the good records.
 *
 * It is taken for a gzipped file of at most `maxRecordBytes` of JSON (`scanLogFileChunks`), as
 * most CloudTrail files are: no record of such a file can be over that cap, so the records are
 * exactly those the record-by-record reader gives, and what parsing them makes (several times
 * the text) stays young garbage, collected cheaply. One parse of such a file costs what
 * parsing its records one at a time does, without finding each record's extent or keeping its
 * bytes apart first: a fifth less CPU a record (BENCHMARKS.md). Files of several MiB parsed
 * whole had their records promoted to V8's old generation, and in a process with a large heap
 * cost five times as much as streamed.
 *
 * @example
 * wholeLogFileRecords(Buffer.from('{"Records":[{"eventID":"a"}]}')); // [{ index: 0, value: { eventID: 'a' } }]
 * wholeLogFileRecords(Buffer.from('{"Records":[{"eventID":}]}')); // undefined
 */
export function wholeLogFileRecords(bytes: Buffer): ParsedRecord[] | undefined {
  const text = documentText(bytes);
  if (text === undefined || !oneRecordsKey(bytes, text)) return undefined;
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  const records = isObject(document) ? document.Records : undefined;
  if (!Array.isArray(records)) return undefined;
  return records.map((value: unknown, index) => ({ index, value }));
}
