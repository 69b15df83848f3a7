import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCloudTrailLogFile } from '../../src/sources/cloudtrail-log-file.js';
import { DEFAULT_SOURCE_LIMITS, type SourceLimits } from '../../src/sources/limits.js';
import {
  CompressionError,
  DecompressedSizeError,
  LogFileSyntaxError,
  NotALogFileError,
  RecordError,
} from '../../src/sources/log-file-errors.js';
import { decodeCloudTrailLogStream, scanLogFile } from '../../src/sources/record-stream.js';
import type { SourceError, StewardEvent } from '../../src/sources/steward-event.js';

const where = 's3://logs/AWSLogs/f.json.gz';

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

function split(bytes: Uint8Array, size: number): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
  return parts;
}

function splitAt(bytes: Uint8Array, positions: number[]): Uint8Array[] {
  const cuts = [0, ...[...positions].sort((a, b) => a - b), bytes.length];
  return cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end));
}

interface Decoded {
  events: StewardEvent[];
  errors: SourceError[];
  /** Events and errors in the order they came. */
  order: string[];
}

async function decode(
  parts: Uint8Array[],
  limits: SourceLimits = DEFAULT_SOURCE_LIMITS,
): Promise<Decoded> {
  const decoded: Decoded = { events: [], errors: [], order: [] };
  for await (const result of decodeCloudTrailLogStream(chunks(...parts), where, { limits })) {
    if ('where' in result) {
      decoded.errors.push(result);
      decoded.order.push(`error ${result.where}`);
    } else {
      decoded.events.push(result);
      decoded.order.push(`event ${result.id}`);
    }
  }
  return decoded;
}

function record(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: '1.08',
    eventID: id,
    eventTime: '2025-01-15T10:00:00Z',
    eventSource: 'ec2.amazonaws.com',
    eventName: 'DescribeInstances',
    awsRegion: 'us-east-1',
    recipientAccountId: '123456789012',
    userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::123456789012:user/alice' },
    ...extra,
  };
}

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

// Strings that a scanner tracking only braces would get wrong: braces, brackets, quotes and
// backslashes inside strings, escapes of every kind, and multi-byte UTF-8 (2, 3 and 4 bytes).
const tricky = JSON.stringify({
  before: { nested: ['}', ']', '{"Records": []}', { deeper: [1, 2.5e3, true, null] }] },
  Records: [
    record('a', { userAgent: 'aws-cli/2 "quoted" {brace} [bracket] \\ backslash \\"' }),
    record('b', { requestParameters: { filter: '}}]]"\\\\', unicode: '\u00e9\u2713\u{1f600}' } }),
    record('c', { errorCode: 'AccessDenied', errorMessage: 'Access Denied: \t\n\r\b\f/\u0000' }),
  ],
  after: 'a string with "Records" and ] and }',
  count: -12.5e-3,
});
const trickyText = tricky
  .replace('"eventID":"c"', '"eventID" : "c"')
  .replace(',"after"', ' ,\n "after"');
const expected = decodeCloudTrailLogFile(JSON.parse(trickyText), where, 's3');

describe('decodeCloudTrailLogStream', () => {
  it('decodes every record as decodeCloudTrailLogFile does, whatever the chunks', async () => {
    const whole = bytes(trickyText);
    expect(expected.events.map((event) => event.id)).toEqual(['a', 'b', 'c']);
    expect(await decode([whole])).toMatchObject({ events: expected.events, errors: [] });
    expect(await decode(split(whole, 1))).toMatchObject({ events: expected.events, errors: [] });
    for (let cut = 0; cut <= whole.length; cut += 1) {
      const decoded = await decode(splitAt(whole, [cut]));
      expect({ cut, ...decoded }).toMatchObject({ cut, events: expected.events, errors: [] });
    }
  });

  it('decodes the same at any three cuts, plain and gzipped', async () => {
    const whole = bytes(trickyText);
    const gzipped = gzipSync(whole);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(whole.length), { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(gzipped.length), { minLength: 1, maxLength: 3 }),
        async (plainCuts, gzipCuts) => {
          expect((await decode(splitAt(whole, plainCuts))).events).toEqual(expected.events);
          expect((await decode(splitAt(gzipped, gzipCuts))).events).toEqual(expected.events);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('finds the gzip magic after empty chunks and across a split', async () => {
    const gzipped = gzipSync(trickyText);
    const empty = new Uint8Array();
    const parts = [empty, gzipped.subarray(0, 1), empty, gzipped.subarray(1)];
    expect(await decode(parts)).toMatchObject({ events: expected.events, errors: [] });
  });

  it('gunzips a log file that arrives a byte at a time', async () => {
    const decoded = await decode(split(gzipSync(trickyText), 1));
    expect(decoded).toMatchObject({ events: expected.events, errors: [] });
  });

  it('skips a UTF-8 byte-order mark, split or not', async () => {
    const text = `\ufeff${JSON.stringify({ Records: [record('x')] })}`;
    expect((await decode([bytes(text)])).events.map((event) => event.id)).toEqual(['x']);
    expect((await decode(split(bytes(text), 1))).events.map((event) => event.id)).toEqual(['x']);
  });

  it('yields nothing for an empty Records array', async () => {
    expect(await decode([bytes('{"Records":[]}')])).toEqual({ events: [], errors: [], order: [] });
    expect(await decode([bytes(' { "x" : [] , "Records" : [ ] , "y": {} } \n')])).toEqual({
      events: [],
      errors: [],
      order: [],
    });
  });

  it('keeps records that are bad alone as errors for them, in order with the others', async () => {
    const text = `{"Records":[${JSON.stringify(record('a'))},{"eventID": "x",},42,${JSON.stringify(record('d'))}]}`;
    const badAt = text.indexOf('{"eventID": "x",}');
    const decoded = await decode(split(bytes(text), 7));
    expect(decoded.order).toEqual([
      'event a',
      `error ${where}: Records[1]`,
      `error ${where}: Records[2]`,
      'event d',
    ]);
    expect(decoded.errors).toEqual([
      {
        message: `invalid JSON at byte offset ${badAt + 16}: expected a property name in double quotes`,
        where: `${where}: Records[1]`,
      },
      {
        message: 'CloudTrail record is not an object (got a number)',
        where: `${where}: Records[2]`,
      },
    ]);
  });

  it('reports a record that is not valid UTF-8 and decodes the rest', async () => {
    const good = bytes(JSON.stringify(record('a')));
    const broken = Buffer.concat([
      bytes('{"eventID":"'),
      Uint8Array.from([0xc3, 0x28]),
      bytes('"}'),
    ]);
    const file = Buffer.concat([bytes('{"Records":['), broken, bytes(','), good, bytes(']}')]);
    const decoded = await decode(split(file, 5));
    expect(decoded.events.map((event) => event.id)).toEqual(['a']);
    expect(decoded.errors).toEqual([
      {
        message: 'record at byte offset 12 is not valid UTF-8 text',
        where: `${where}: Records[0]`,
      },
    ]);
  });

  it('skips a record over the cap, naming the cap, and decodes the others', async () => {
    const big = record('big', { requestParameters: { policy: 'x'.repeat(3000) } });
    const text = JSON.stringify({ Records: [record('a'), big, record('c')] });
    const limits = { ...DEFAULT_SOURCE_LIMITS, maxRecordBytes: 2048 };
    for (const size of [1, 100, text.length]) {
      const decoded = await decode(split(bytes(text), size), limits);
      expect(decoded.events.map((event) => event.id)).toEqual(['a', 'c']);
      expect(decoded.errors).toEqual([
        {
          message: `record at byte offset ${text.indexOf('{"eventVersion":"1.08","eventID":"big"')} is 3.2 KiB, over the 2 KiB cap for one record; skipped`,
          where: `${where}: Records[1]`,
        },
      ]);
    }
  });

  it.each([
    ['[]', 'not a CloudTrail log file: expected {"Records": [...]}, got an array'],
    ['null', 'not a CloudTrail log file: expected {"Records": [...]}, got null'],
    ['"Records"', 'not a CloudTrail log file: expected {"Records": [...]}, got a string'],
    ['{}', 'not a CloudTrail log file: expected {"Records": [...]}, got an empty object'],
    [
      '{"records": [], "eventID": "x"}',
      'not a CloudTrail log file: expected {"Records": [...]}, got an object with keys "records", "eventID"',
    ],
    [
      '{"Records": {"eventID": "x"}}',
      'not a CloudTrail log file: expected {"Records": [...]}, but Records is an object',
    ],
    ['', 'empty input: not a CloudTrail log file: expected {"Records": [...]}'],
    [
      '{"Records": [], "Records": []}',
      'invalid JSON at byte offset 27: a second "Records" key: a log file has one',
    ],
    ['{"Records" []}', "invalid JSON at byte offset 11: expected ':'"],
    ['{"Records": []} x', 'invalid JSON at byte offset 16: unexpected data after the JSON value'],
    [
      '{"Records": [], }',
      'invalid JSON at byte offset 16: expected a property name in double quotes',
    ],
  ])('refuses %j as a whole: %s', async (text, message) => {
    expect(await decode([bytes(text)])).toMatchObject({ events: [], errors: [{ message, where }] });
  });

  it('stops at broken JSON between records, after the records before it', async () => {
    const text = `{"Records":[${JSON.stringify(record('a'))} ${JSON.stringify(record('b'))}]}`;
    const decoded = await decode(split(bytes(text), 16));
    expect(decoded.order).toEqual(['event a', `error ${where}`]);
    expect(decoded.errors[0]?.message).toBe(
      `invalid JSON at byte offset ${text.indexOf('{"eventVersion"', 20)}: expected ',' or ']' after Records[0]`,
    );
  });

  it('stops at the end of a truncated file, naming the record it was in', async () => {
    const text = JSON.stringify({ Records: [record('a'), record('b')] });
    const cut = text.length - 20;
    const decoded = await decode([bytes(text.slice(0, cut))]);
    expect(decoded.order).toEqual(['event a', `error ${where}`]);
    expect(decoded.errors[0]?.message).toBe(
      `unexpected end of input at byte offset ${cut}, inside Records[1] (from byte offset ${text.indexOf('{"eventVersion"', 20)})`,
    );
  });

  it('stops at truncated gzip, after the records decoded before it', async () => {
    const records = Array.from({ length: 2000 }, (_, i) => record(`r${i}`));
    const gzipped = gzipSync(JSON.stringify({ Records: records }));
    const decoded = await decode(split(gzipped.subarray(0, gzipped.length / 2), 4096));
    expect(decoded.events.length).toBeGreaterThan(100);
    expect(decoded.events.map((event) => event.id)).toEqual(
      records.slice(0, decoded.events.length).map((item) => item.eventID),
    );
    expect(decoded.errors).toEqual([{ message: 'not valid gzip: unexpected end of file', where }]);
    expect(decoded.order.at(-1)).toBe(`error ${where}`);
  });

  it('reports gzip that is not gzip past its magic', async () => {
    expect(await decode([Uint8Array.from([0x1f, 0x8b, 1, 2, 3])])).toMatchObject({
      errors: [{ message: 'not valid gzip: unknown compression method', where }],
    });
  });

  it('stops a gzip bomb at the cap on decompressed bytes, naming the cap, holding one chunk', async () => {
    // 64 MiB of one repeated byte inside a record's string, as one gzip member repeated: each
    // member adds 64 MiB of output from 64 KiB of input.
    const member = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x61), { level: 9 });
    const parts = [
      gzipSync('{"Records":[{"eventID":"'),
      ...Array.from({ length: 16 }, () => member),
    ];
    const limits = { ...DEFAULT_SOURCE_LIMITS, maxStreamedBytes: 512 * 1024 * 1024 };
    const before = process.memoryUsage();
    let peak = 0;
    const errors: unknown[] = [];
    for await (const item of scanLogFile(chunks(...parts), where, limits)) {
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      errors.push(item);
    }
    expect(errors).toEqual([
      new DecompressedSizeError('it expands to more than 512 MiB, the cap for one log file', where),
    ]);
    // The record is dropped past its own cap; decompressed bytes are never kept.
    expect(process.memoryUsage().arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 1024 * 1024);
    expect(peak - before.arrayBuffers).toBeLessThan(64 * 1024 * 1024);
  });

  it('caps a plain file by its size', async () => {
    const limits = { ...DEFAULT_SOURCE_LIMITS, maxStreamedBytes: 100 };
    const text = JSON.stringify({ Records: [record('a'), record('b')] });
    expect((await decode(split(bytes(text), 64), limits)).errors).toEqual([
      { message: 'it is more than 100 bytes, the cap for one log file', where },
    ]);
  });

  it.each([200_000, 500_000])('decodes a gzipped log file of %i records', async (count) => {
    const parts: string[] = [];
    for (let i = 0; i < count; i += 1) {
      parts.push(
        `{"eventVersion":"1.08","eventID":"${i}","eventTime":"2025-01-15T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"GetObject","requestParameters":{"bucketName":"b","key":"k/${i}"}}`,
      );
    }
    const gzipped = gzipSync(`{"Records":[${parts.join(',')}]}`, { level: 1 });
    let events = 0;
    let last = '';
    const errors: SourceError[] = [];
    for await (const result of decodeCloudTrailLogStream(
      chunks(...split(gzipped, 1 << 16)),
      where,
    )) {
      if ('where' in result) errors.push(result);
      else {
        events += 1;
        last = result.id;
      }
    }
    expect({ events, last, errors }).toEqual({
      events: count,
      last: String(count - 1),
      errors: [],
    });
  });
});

describe('scanLogFile', () => {
  it('gives typed problems: fatal ones end the file, a bad record does not', async () => {
    const items = [];
    const text = `{"Records":[{"eventID":"a"},{"a":}, 1 2]}`;
    for await (const item of scanLogFile(chunks(bytes(text)), where)) items.push(item);
    expect(
      items.map((item) => (item instanceof Error ? item.constructor.name : item.value)),
    ).toEqual([{ eventID: 'a' }, 'RecordError', 1, 'LogFileSyntaxError']);
    expect(items[1]).toBeInstanceOf(RecordError);
    expect((items[1] as RecordError).fatal).toBe(false);
    expect(items[3]).toBeInstanceOf(LogFileSyntaxError);
    expect((items[3] as LogFileSyntaxError).fatal).toBe(true);
  });

  it('says a document is another shape with NotALogFileError, and broken gzip with CompressionError', async () => {
    const shapes = [];
    for await (const item of scanLogFile(chunks(bytes('{"detail-type":"x"}')), where))
      shapes.push(item);
    expect(shapes).toEqual([
      new NotALogFileError(
        'not a CloudTrail log file: expected {"Records": [...]}, got an object with keys "detail-type"',
        where,
      ),
    ]);
    expect(shapes[0]).toBeInstanceOf(NotALogFileError);
    const broken = [];
    for await (const item of scanLogFile(chunks(Uint8Array.from([0x1f, 0x8b, 8, 0])), where)) {
      broken.push(item);
    }
    expect(broken[0]).toBeInstanceOf(CompressionError);
    expect((broken[0] as CompressionError).cause).toBeInstanceOf(Error);
  });
});
