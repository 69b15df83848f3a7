import { readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, S3Client, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  decodeCloudTrailLogFile,
  streamCloudTrailObject,
} from '../../src/sources/cloudtrail-log-file.js';
import type { SourceError, StewardEvent } from '../../src/sources/steward-event.js';
import { readAwsSample, readEventFile } from '../fixtures/sources/files.js';

const LOG_FILE_IDS = [
  'e7a1c0de-0105-4000-8000-000000000105',
  'e7a1c0de-0102-4000-8000-000000000102',
  'e7a1c0de-0106-4000-8000-000000000106',
];

/** What the SDK hands back as `Body` in Node: a Readable of the object's bytes, in chunks. */
function body(bytes: Uint8Array, chunkSize = 1024): GetObjectCommandOutput['Body'] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return Readable.from(chunks, { objectMode: false }) as unknown as GetObjectCommandOutput['Body'];
}

/** A body that delivers `bytes`, then fails as a dropped connection does. */
function failingBody(bytes: Uint8Array): GetObjectCommandOutput['Body'] {
  async function* chunks() {
    yield bytes;
    throw Object.assign(new Error('socket hang up'), { name: 'ECONNRESET' });
  }
  return Readable.from(chunks(), {
    objectMode: false,
  }) as unknown as GetObjectCommandOutput['Body'];
}

async function collect(
  stream: AsyncIterable<StewardEvent | SourceError>,
): Promise<{ events: string[]; errors: SourceError[] }> {
  const events: string[] = [];
  const errors: SourceError[] = [];
  for await (const result of stream) {
    if ('where' in result) errors.push(result);
    else events.push(result.id);
  }
  return { events, errors };
}

describe('decodeCloudTrailLogFile', () => {
  it('decodes the cloud-snitch log file', () => {
    const file = readAwsSample(
      'cloud-snitch__333333333333_CloudTrail_us-east-1_20250306T0320Z_ZgdYr0lP8M9fWEH8.json.gz',
    );
    const { events, errors } = decodeCloudTrailLogFile(file, 'f');
    expect(errors).toEqual([]);
    expect(events).toMatchObject([
      { id: '5fd2008b-c3e3-333b-8638-c324e76b51d1', name: 'Decrypt', delivery: 's3' },
    ]);
  });

  it('decodes events/cloudtrail-log-file.json.gz', () => {
    const { events, errors, objects } = decodeCloudTrailLogFile(
      readEventFile('cloudtrail-log-file.json.gz'),
      'f',
    );
    expect(errors).toEqual([]);
    expect(objects).toEqual([]);
    expect(events.map((event) => [event.id, event.name, event.resources, event.error])).toEqual([
      [LOG_FILE_IDS[0], 'RunInstances', ['i-0fedcba9876543210'], undefined],
      [
        LOG_FILE_IDS[1],
        'StopLogging',
        ['arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events'],
        undefined,
      ],
      [
        LOG_FILE_IDS[2],
        'PutBucketPolicy',
        // The bucket's ARN is dropped: its name names the same bucket.
        ['steward-cloudtrail-logs-123456789012'],
        { code: 'AccessDenied', message: 'Access Denied' },
      ],
    ]);
    expect(new Set(events.map((event) => event.delivery))).toEqual(new Set(['s3']));
  });

  it('keeps the good records when one is bad', () => {
    const good = (id: string) => ({ eventID: id, eventName: 'X', eventTime: 't' });
    const file = {
      Records: [good('a'), { eventID: 7, eventName: 'X', eventTime: 't' }, good('c'), 42],
    };
    const { events, errors } = decodeCloudTrailLogFile(file, 's3://b/k.json.gz', 'direct');
    expect(events.map((event) => [event.id, event.delivery])).toEqual([
      ['a', 'direct'],
      ['c', 'direct'],
    ]);
    expect(errors).toEqual([
      {
        message: "CloudTrail record's eventID is not a non-empty string (got a number)",
        where: 's3://b/k.json.gz: Records[1]',
      },
      {
        message: 'CloudTrail record is not an object (got a number)',
        where: 's3://b/k.json.gz: Records[3]',
      },
    ]);
  });

  it.each([
    [
      { records: [] },
      'not a CloudTrail log file: expected {"Records": [...]}, got an object with keys "records"',
    ],
    [
      { Records: {} },
      'not a CloudTrail log file: expected {"Records": [...]}, got an object with keys "Records"',
    ],
    [[], 'not a CloudTrail log file: expected {"Records": [...]}, got an array'],
    [null, 'not a CloudTrail log file: expected {"Records": [...]}, got null'],
  ])('rejects %j', (value, message) => {
    expect(decodeCloudTrailLogFile(value, 'f').errors).toEqual([{ message, where: 'f' }]);
  });
});

describe('streamCloudTrailObject on several objects', () => {
  it('reads and decodes each object; a failing object is one error and the others go on', async () => {
    const s3 = mockClient(S3Client);
    const logFile = readFileSync(
      new URL('../../events/cloudtrail-log-file.json.gz', import.meta.url),
    );
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: 'good.json.gz' }).resolves({
      Body: body(logFile),
    });
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: 'plain.json' }).resolves({
      Body: body(
        new TextEncoder().encode('{"Records":[{"eventID":"p","eventName":"X","eventTime":"t"}]}'),
      ),
    });
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: 'corrupt.json.gz' }).resolves({
      Body: body(Uint8Array.from([0x1f, 0x8b, 0, 0])),
    });
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: 'bad-json.json.gz' }).resolves({
      Body: body(gzipSync('{"Records": [\n  {"eventID": "x",}\n]}')),
    });
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: 'missing.json.gz' }).rejects(
      Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }),
    );
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: 'empty.json.gz' }).resolves({});

    const keys = [
      'good.json.gz',
      'corrupt.json.gz',
      'missing.json.gz',
      'bad-json.json.gz',
      'empty.json.gz',
      'plain.json',
    ];
    const client = new S3Client({ region: 'us-east-1' });
    const events: string[] = [];
    const errors: SourceError[] = [];
    for (const key of keys) {
      const read = await collect(streamCloudTrailObject({ bucket: 'logs', key }, client));
      events.push(...read.events);
      errors.push(...read.errors);
    }
    s3.restore();

    expect(events).toEqual([...LOG_FILE_IDS, 'p']);
    expect(errors).toEqual([
      { message: 'not valid gzip: unknown compression method', where: 's3://logs/corrupt.json.gz' },
      {
        message: 'could not read S3 object: NoSuchKey: The specified key does not exist.',
        where: 's3://logs/missing.json.gz',
      },
      {
        message: 'invalid JSON at byte offset 32: expected a property name in double quotes',
        where: 's3://logs/bad-json.json.gz: Records[0]',
      },
      { message: 'S3 object has no body', where: 's3://logs/empty.json.gz' },
    ]);
  });
});

describe('streamCloudTrailObject', () => {
  const record = (id: string) =>
    JSON.stringify({ eventID: id, eventName: 'GetObject', eventTime: '2025-01-15T10:00:00Z' });

  it('decodes a gzipped object as its body streams in', async () => {
    const s3 = mockClient(S3Client);
    const file = gzipSync(`{"Records":[${['a', 'b', 'c'].map(record).join(',')}]}`);
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: 'k.json.gz' }).resolves({ Body: body(file, 7) });
    const decoded = await collect(
      streamCloudTrailObject(
        { bucket: 'logs', key: 'k.json.gz' },
        new S3Client({ region: 'us-east-1' }),
      ),
    );
    s3.restore();
    expect(decoded).toEqual({ events: ['a', 'b', 'c'], errors: [] });
  });

  it('names s3://bucket/key when the body fails mid-stream, after the records read before', async () => {
    const s3 = mockClient(S3Client);
    const text = `{"Records":[${record('a')},${record('b')},${record('c')},{"eventID":"d`;
    s3.on(GetObjectCommand).resolves({ Body: failingBody(new TextEncoder().encode(text)) });
    const decoded = await collect(
      streamCloudTrailObject(
        { bucket: 'logs', key: 'cut.json' },
        new S3Client({ region: 'us-east-1' }),
      ),
    );
    s3.restore();
    expect(decoded).toEqual({
      events: ['a', 'b', 'c'],
      errors: [
        {
          message: 'could not read S3 object: ECONNRESET: socket hang up',
          where: 's3://logs/cut.json',
        },
      ],
    });
  });

  it('reads a body that is not a stream through transformToByteArray', async () => {
    const s3 = mockClient(S3Client);
    const bytes = gzipSync(`{"Records":[${record('a')}]}`);
    const notAStream = { transformToByteArray: async () => bytes };
    s3.on(GetObjectCommand).resolves({
      Body: notAStream as unknown as GetObjectCommandOutput['Body'],
    });
    const decoded = await collect(
      streamCloudTrailObject(
        { bucket: 'logs', key: 'k.json.gz' },
        new S3Client({ region: 'us-east-1' }),
      ),
    );
    s3.restore();
    expect(decoded).toEqual({ events: ['a'], errors: [] });
  });

  it('stops reading when the consumer stops', async () => {
    const s3 = mockClient(S3Client);
    const stream = Readable.from(
      [new TextEncoder().encode(`{"Records":[${record('a')},${record('b')}`)],
      {
        objectMode: false,
      },
    );
    s3.on(GetObjectCommand).resolves({ Body: stream as unknown as GetObjectCommandOutput['Body'] });
    for await (const result of streamCloudTrailObject(
      { bucket: 'logs', key: 'k.json' },
      new S3Client({ region: 'us-east-1' }),
    )) {
      expect(result).toMatchObject({ id: 'a' });
      break;
    }
    s3.restore();
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.destroyed).toBe(true);
  });
});
