import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamCloudTrailObject } from '../../src/sources/index.js';
import type { SourceError } from '../../src/sources/steward-event.js';
import { account, motoEndpoint, region, uniqueName } from './harness.js';

let s3: S3Client;
let bucket: string;

beforeAll(async () => {
  s3 = new S3Client({
    region,
    endpoint: motoEndpoint(),
    forcePathStyle: true,
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  bucket = uniqueName('e2e-stream');
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

afterAll(() => s3?.destroy());

function logFile(count: number): string {
  const records: string[] = [];
  for (let i = 0; i < count; i += 1) {
    records.push(
      JSON.stringify({
        eventVersion: '1.08',
        eventID: `e-${i}`,
        eventTime: '2025-01-15T10:00:00Z',
        eventSource: 's3.amazonaws.com',
        eventName: 'GetObject',
        awsRegion: region,
        recipientAccountId: account,
        requestParameters: { bucketName: 'data', key: `objects/${i}` },
      }),
    );
  }
  return `{"Records":[${records.join(',')}]}`;
}

/** A key where CloudTrail writes a log file of this account and region. */
function logKey(name: string): string {
  return `AWSLogs/${account}/CloudTrail/${region}/2025/01/15/${account}_CloudTrail_${region}_20250115T1010Z_${name}.json.gz`;
}

async function put(key: string, body: Uint8Array): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
}

async function read(key: string): Promise<{ ids: string[]; errors: SourceError[] }> {
  const ids: string[] = [];
  const errors: SourceError[] = [];
  for await (const result of streamCloudTrailObject({ bucket, key }, s3)) {
    if ('where' in result) errors.push(result);
    else ids.push(result.id);
  }
  return { ids, errors };
}

describe('streamCloudTrailObject on moto', () => {
  it('decodes every record of a gzipped log file as its body streams in', async () => {
    const key = logKey('a');
    await put(key, gzipSync(logFile(20_000)));
    const { ids, errors } = await read(key);
    expect(errors).toEqual([]);
    expect(ids).toHaveLength(20_000);
    expect([ids[0], ids.at(-1)]).toEqual(['e-0', 'e-19999']);
  });

  it('yields the records before a truncated gzip, then an error naming the object', async () => {
    const whole = gzipSync(logFile(5_000));
    await put(logKey('cut'), whole.subarray(0, Math.floor(whole.length / 2)));
    const { ids, errors } = await read(logKey('cut'));
    expect(ids.length).toBeGreaterThan(100);
    expect(ids.at(-1)).toBe(`e-${ids.length - 1}`);
    expect(errors).toEqual([
      {
        message: 'not valid gzip: unexpected end of file',
        where: `s3://${bucket}/${logKey('cut')}`,
      },
    ]);
  });

  it('names the object that cannot be read', async () => {
    expect(await read(logKey('missing'))).toEqual({
      ids: [],
      errors: [
        {
          message: 'could not read S3 object: NoSuchKey: The specified key does not exist.',
          where: `s3://${bucket}/${logKey('missing')}`,
        },
      ],
    });
  });

  it("reads no object outside CloudTrail's layout, and no record of another account", async () => {
    await put('uploads/trail.json.gz', gzipSync(logFile(3)));
    expect(await read('uploads/trail.json.gz')).toEqual({
      ids: [],
      errors: [
        {
          message: expect.stringMatching(
            /^not read: its key is not where CloudTrail writes log files \(AWSLogs\/<account>\/CloudTrail\//,
          ) as unknown,
          where: `s3://${bucket}/uploads/trail.json.gz`,
        },
      ],
    });
    const foreign = `AWSLogs/999988887777/CloudTrail/${region}/2025/01/15/999988887777_CloudTrail_${region}_20250115T1010Z_f.json.gz`;
    await put(foreign, gzipSync(logFile(2)));
    const { ids, errors } = await read(foreign);
    expect(ids).toEqual([]);
    expect(errors.map((error) => error.where)).toEqual([
      `s3://${bucket}/${foreign}: Records[0]`,
      `s3://${bucket}/${foreign}: Records[1]`,
    ]);
    expect(errors[0]?.message).toBe(
      `record has recipientAccountId "${account}", not 999988887777, the account its log file's key names: not believed`,
    );
  });
});
