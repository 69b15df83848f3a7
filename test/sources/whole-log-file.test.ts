import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SOURCE_LIMITS, type SourceLimits } from '../../src/sources/limits.js';
import { LogFileError } from '../../src/sources/log-file-errors.js';
import { scanLogFile, scanLogFileChunks } from '../../src/sources/record-stream.js';
import { wholeLogFileRecords } from '../../src/sources/whole-log-file.js';

const where = 's3://logs/AWSLogs/f.json.gz';

async function* parts(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let start = 0; start < bytes.length; start += size)
    yield bytes.subarray(start, start + size);
}

/** What `scanLogFile` gives, errors as their class, message and place. */
async function scanned(
  source: AsyncIterable<Uint8Array>,
  limits: SourceLimits = DEFAULT_SOURCE_LIMITS,
): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of scanLogFile(source, where, limits))
    items.push(
      item instanceof LogFileError
        ? { error: item.constructor.name, message: item.message, where: item.where }
        : item,
    );
  return items;
}

/** The file gzipped (parsed whole when it can be), and its plain bytes in 7-byte chunks (never). */
async function bothWays(text: string | Buffer, limits?: SourceLimits) {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return {
    gzipped: await scanned(parts(gzipSync(bytes), 1000), limits),
    streamed: await scanned(parts(bytes, 7), limits),
  };
}

const record = (id: string, extra = ''): string =>
  `{"eventVersion":"1.08","eventID":"${id}","eventName":"RunInstances"${extra}}`;
const logFile = (...records: string[]) => `{"Records":[${records.join(',')}]}`;

describe('a log file parsed whole', () => {
  it('gives its records, in order, with their indexes', () => {
    expect(wholeLogFileRecords(Buffer.from(logFile(record('a'), record('b'))))).toEqual([
      { index: 0, value: { eventVersion: '1.08', eventID: 'a', eventName: 'RunInstances' } },
      { index: 1, value: { eventVersion: '1.08', eventID: 'b', eventName: 'RunInstances' } },
    ]);
  });

  it.each([
    ['invalid JSON in a record', logFile(record('a'), '{"eventID":}', record('c'))],
    ['a second Records key', `{"Records":[${record('a')}],"Records":[${record('b')}]}`],
    [
      'a second Records key spelled with an escape',
      `{"Records":[${record('a')}],"Rec\\u006frds":[${record('b')}]}`,
    ],
    ['no Records key', `{"records":[${record('a')}]}`],
    ['Records that is not an array', `{"Records":${record('a')}}`],
    ['an array', `[${record('a')}]`],
    ['data after the document', `${logFile(record('a'))} x`],
    [
      'invalid UTF-8',
      Buffer.concat([
        Buffer.from(logFile(record('a', ',"x":"'))),
        Buffer.from([0xff]),
        Buffer.from('"}]}'),
      ]),
    ],
  ])('leaves a file with %s to the record-by-record reader', (_, text) => {
    expect(
      wholeLogFileRecords(typeof text === 'string' ? Buffer.from(text) : text),
    ).toBeUndefined();
  });

  it.each([
    ['a byte order mark', `\ufeff${logFile(record('a'))}`],
    ['text that is not ASCII', logFile(record('é', ',"userAgent":"naïve ✓"'))],
    ['other top-level keys', `{"x":{"y":1},"Records":[${record('a')}],"y":[1,2]}`],
    ['whitespace', ` \n{ "Records" : [ ${record('a')} ,\n${record('b')} ] }\n`],
    ['no records', logFile()],
    ['Records in a longer string', logFile(record('a', ',"x":"GetRecords","y":"Records2"'))],
  ])('parses a file with %s whole', (_, text) => {
    expect(wholeLogFileRecords(Buffer.from(text))).toBeDefined();
  });

  it.each([
    ['good records', logFile(record('a'), record('b'), record('c'))],
    ['invalid JSON in a record', logFile(record('a'), '{"eventID":}', record('c'))],
    ['a second Records key', `{"Records":[${record('a')}],"Records":[${record('b')}]}`],
    [
      'a second Records key spelled with an escape',
      `{"Records":[${record('a')}],"Rec\\u006frds":[${record('b')}]}`,
    ],
    ['the string "Records" in a record', logFile(record('a', ',"x":"Records"'), record('b'))],
    ['Records that is not an array', `{"Records":${record('a')}}`],
    ['an empty object', '{}'],
    ['data after the document', `${logFile(record('a'))} x`],
    ['a byte order mark', `\ufeff${logFile(record('a'))}`],
    ['text that is not ASCII', logFile(record('é', ',"userAgent":"naïve ✓"'))],
    ['other top-level keys', `{"x":{"Records":1},"Records":[${record('a')}],"y":[1,2]}`],
    ['a record that is not an object', logFile(record('a'), '42', '"text"', 'null')],
    [
      'invalid UTF-8 in a record',
      Buffer.concat([
        Buffer.from(logFile(record('a'), record('b', ',"x":"'))),
        Buffer.from([0xc3, 0x28]),
        Buffer.from(`"}`),
        Buffer.from(`,${record('c')}]}`),
      ]),
    ],
  ])('finds what reading record by record finds, for %s', async (_, text) => {
    const { gzipped, streamed } = await bothWays(text);
    expect(gzipped).toEqual(streamed);
    expect(streamed.length).toBeGreaterThan(0);
  });

  it('gives a small gzipped file in one array, where its plain bytes come a chunk at a time', async () => {
    const text = logFile(...Array.from({ length: 50 }, (_, i) => record(`r${i}`)));
    const arrays = async (source: AsyncIterable<Uint8Array>) => {
      const sizes: number[] = [];
      for await (const items of scanLogFileChunks(source, where)) sizes.push(items.length);
      return sizes;
    };
    expect(await arrays(parts(gzipSync(text), 1000))).toEqual([50]);
    expect((await arrays(parts(Buffer.from(text), 1000))).length).toBeGreaterThan(1);
  });

  it('finds what reading record by record finds, for any records', async () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.integer(),
      fc.constant(null),
      fc.constant('Records'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.dictionary(fc.string({ unit: 'binary', maxLength: 8 }), value), {
          maxLength: 6,
        }),
        async (records) => {
          const { gzipped, streamed } = await bothWays(JSON.stringify({ Records: records }));
          expect(gzipped).toEqual(streamed);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads a gzipped file larger than maxRecordBytes record by record, so a record over the cap is still skipped', async () => {
    const text = logFile(record('a'), record('big', `,"x":"${'y'.repeat(3000)}"`), record('c'));
    const items = (found: unknown[]) =>
      found.map((item) =>
        'error' in (item as object)
          ? (item as { message: string }).message
          : (item as { value: { eventID: string } }).value.eventID,
      );
    const capped = { ...DEFAULT_SOURCE_LIMITS, maxRecordBytes: 2048 };
    expect(items(await scanned(parts(gzipSync(text), 1000), capped))).toEqual([
      'a',
      `record at byte offset ${text.indexOf(record('big').slice(0, -1))} is 3.0 KiB, over the 2 KiB cap for one record; skipped`,
      'c',
    ]);
    const whole = { ...DEFAULT_SOURCE_LIMITS, maxRecordBytes: text.length };
    expect(items(await scanned(parts(gzipSync(text), 1000), whole))).toEqual(['a', 'big', 'c']);
  });
});
