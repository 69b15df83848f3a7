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

/** A key where CloudTrail writes a log file of `account` and `region`. */
function logKey(name: string, account = '123456789012', region = 'us-east-1'): string {
  return `AWSLogs/${account}/CloudTrail/${region}/2025/01/15/${account}_CloudTrail_${region}_20250115T1010Z_${name}.json.gz`;
}

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
      { id: '5fd2008b-c3e3-333b-8638-c324e76b51d1', name: 'Decrypt', delivery: 'direct' },
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
    expect(new Set(events.map((event) => event.delivery))).toEqual(new Set(['direct']));
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
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: logKey('good') }).resolves({
      Body: body(logFile),
    });
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: logKey('plain') }).resolves({
      Body: body(
        new TextEncoder().encode(
          '{"Records":[{"eventID":"p","eventName":"X","eventTime":"t","recipientAccountId":"123456789012"}]}',
        ),
      ),
    });
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: logKey('corrupt') }).resolves({
      Body: body(Uint8Array.from([0x1f, 0x8b, 0, 0])),
    });
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: logKey('bad-json') }).resolves({
      Body: body(gzipSync('{"Records": [\n  {"eventID": "x",}\n]}')),
    });
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: logKey('missing') }).rejects(
      Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }),
    );
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: logKey('empty') }).resolves({});

    const keys = ['good', 'corrupt', 'missing', 'bad-json', 'empty', 'plain'].map((name) =>
      logKey(name),
    );
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
      {
        message: 'not valid gzip: unknown compression method',
        where: `s3://logs/${logKey('corrupt')}`,
      },
      {
        message: 'could not read S3 object: NoSuchKey: The specified key does not exist.',
        where: `s3://logs/${logKey('missing')}`,
      },
      {
        message: 'invalid JSON at byte offset 32: expected a property name in double quotes',
        where: `s3://logs/${logKey('bad-json')}: Records[0]`,
      },
      { message: 'S3 object has no body', where: `s3://logs/${logKey('empty')}` },
    ]);
  });
});

describe('streamCloudTrailObject', () => {
  const record = (id: string) =>
    JSON.stringify({
      eventID: id,
      eventName: 'GetObject',
      eventTime: '2025-01-15T10:00:00Z',
      recipientAccountId: '123456789012',
    });

  it('decodes a gzipped object as its body streams in', async () => {
    const s3 = mockClient(S3Client);
    const file = gzipSync(`{"Records":[${['a', 'b', 'c'].map(record).join(',')}]}`);
    s3.on(GetObjectCommand, { Bucket: 'logs', Key: logKey('k') }).resolves({ Body: body(file, 7) });
    const decoded = await collect(
      streamCloudTrailObject(
        { bucket: 'logs', key: logKey('k') },
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
        { bucket: 'logs', key: logKey('cut') },
        new S3Client({ region: 'us-east-1' }),
      ),
    );
    s3.restore();
    expect(decoded).toEqual({
      events: ['a', 'b', 'c'],
      errors: [
        {
          message: 'could not read S3 object: ECONNRESET: socket hang up',
          where: `s3://logs/${logKey('cut')}`,
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
        { bucket: 'logs', key: logKey('k') },
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
      { bucket: 'logs', key: logKey('k') },
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

describe('streamCloudTrailObject believes CloudTrail only as CloudTrail writes it', () => {
  const record = (id: string, fields: Record<string, unknown> = {}) => ({
    eventID: id,
    eventName: 'StopLogging',
    eventSource: 'cloudtrail.amazonaws.com',
    eventTime: '2025-01-15T10:00:00Z',
    recipientAccountId: '123456789012',
    awsRegion: 'us-east-1',
    ...fields,
  });

  async function read(
    key: string,
    records: unknown[],
  ): Promise<{ events: StewardEvent[]; errors: SourceError[]; gets: number }> {
    const s3 = mockClient(S3Client);
    s3.on(GetObjectCommand).resolves({
      Body: body(gzipSync(JSON.stringify({ Records: records }))),
    });
    const events: StewardEvent[] = [];
    const errors: SourceError[] = [];
    for await (const result of streamCloudTrailObject(
      { bucket: 'trail-logs', key },
      new S3Client({ region: 'us-east-1' }),
    )) {
      if ('where' in result) errors.push(result);
      else events.push(result);
    }
    const gets = s3.commandCalls(GetObjectCommand).length;
    s3.restore();
    return { events, errors, gets };
  }

  it.each([
    ['a random object', 'uploads/report.json.gz'],
    [
      'a log file name outside AWSLogs/',
      '123456789012_CloudTrail_us-east-1_20250115T1010Z_x.json.gz',
    ],
    ['an account that is not 12 digits', 'AWSLogs/1234/CloudTrail/us-east-1/2025/01/15/x.json.gz'],
    ['no date folders', 'AWSLogs/123456789012/CloudTrail/us-east-1/x.json.gz'],
    ['an uncompressed file', 'AWSLogs/123456789012/CloudTrail/us-east-1/2025/01/15/x.json'],
    ['a digest file', 'AWSLogs/123456789012/CloudTrail-Digest/us-east-1/2025/01/15/x.json.gz'],
  ])('does not read %s, and says why', async (_case, key) => {
    const { events, errors, gets } = await read(key, [record('forged')]);
    expect(gets).toBe(0);
    expect(events).toEqual([]);
    expect(errors).toEqual([
      {
        message:
          'not read: its key is not where CloudTrail writes log files (AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/<file>.json.gz, or AWSLogs/o-<id>/<account>/CloudTrail/… for an organization trail)',
        where: `s3://trail-logs/${key}`,
      },
    ]);
  });

  it("refuses each record of another account than its key's, naming record and key, and reads on", async () => {
    const key = logKey('mixed');
    const { events, errors } = await read(key, [
      record('own-1'),
      record('foreign', { recipientAccountId: '999988887777' }),
      record('none', { recipientAccountId: undefined }),
      record('number', { recipientAccountId: 123456789012 }),
      record('own-2', { awsRegion: 'eu-west-1' }),
    ]);
    expect(events.map((event) => [event.id, event.account, event.region, event.delivery])).toEqual([
      ['own-1', '123456789012', 'us-east-1', 's3'],
      ['own-2', '123456789012', 'eu-west-1', 's3'],
    ]);
    const refused = (index: number, got: string) => ({
      message: `record ${got}, not 123456789012, the account its log file's key names: not believed`,
      where: `s3://trail-logs/${key}: Records[${index}]`,
    });
    expect(errors).toEqual([
      refused(1, 'has recipientAccountId "999988887777"'),
      refused(2, 'has no recipientAccountId'),
      refused(3, 'has recipientAccountId 123456789012'),
    ]);
  });

  it("reads an organization trail's file, with a key prefix, by its member account", async () => {
    const key =
      'security/AWSLogs/o-a1b2c3d4e5/222233334444/CloudTrail/eu-west-1/2025/01/15/222233334444_CloudTrail_eu-west-1_20250115T1010Z_x.json.gz';
    const { events, errors } = await read(key, [
      record('member', { recipientAccountId: '222233334444', awsRegion: undefined }),
      record('management'),
    ]);
    expect(events.map((event) => [event.id, event.account, event.region])).toEqual([
      ['member', '222233334444', 'eu-west-1'],
    ]);
    expect(errors).toEqual([
      expect.objectContaining({ where: `s3://trail-logs/${key}: Records[1]` }),
    ]);
  });
});
