import type { S3Client } from '@aws-sdk/client-s3';
import { addResult, emptyBatch, errorBatch } from './batch.js';
import { normalizeCloudTrailRecord } from './cloudtrail.js';
import { CLOUDTRAIL_KEY_LAYOUT, classifyCloudTrailKey } from './cloudtrail-key.js';
import { arrayAt, describeValue, isObject } from '../json/fields.js';
import { sourceLimits, type SourceLimits } from './limits.js';
import { describeFailure } from './plain-chunks.js';
import { decodeCloudTrailLogStream } from './record-stream.js';
import type {
  DecodedBatch,
  DeliveryPath,
  S3ObjectRef,
  SourceError,
  StewardEvent,
} from './steward-event.js';

/**
 * Decodes a CloudTrail log file already in memory, `{"Records": [...]}`: the operator's own
 * (delivery `direct`), since nothing says where it was written. A bad record is an error for
 * that record alone (`<where>: Records[i]`); the others still decode.
 *
 * @example
 * const { events, errors } = decodeCloudTrailLogFile(JSON.parse(text), 'trail.json');
 */
export function decodeCloudTrailLogFile(
  value: unknown,
  where: string,
  delivery: DeliveryPath = 'direct',
): DecodedBatch {
  const records = isObject(value) ? arrayAt(value, 'Records') : undefined;
  if (records === undefined) {
    return errorBatch(
      `not a CloudTrail log file: expected {"Records": [...]}, got ${describeValue(value)}`,
      where,
    );
  }
  const batch = emptyBatch();
  for (let i = 0; i < records.length; i += 1) {
    addResult(batch, normalizeCloudTrailRecord(records[i], delivery, `${where}: Records[${i}]`));
  }
  return batch;
}

/** What a `GetObject` body offers: in Node a Readable (async iterable), always the SDK's mixin. */
export interface ObjectBody {
  [Symbol.asyncIterator]?: () => AsyncIterator<Uint8Array>;
  transformToByteArray?: () => Promise<Uint8Array>;
}

/**
 * The body's chunks as they arrive. A body that is not a stream (not one the SDK gives in Node)
 * is read whole through the SDK's `transformToByteArray`, the one way left to read it.
 *
 * @example
 * const { Body } = await s3.send(new GetObjectCommand({ Bucket, Key }));
 * for await (const chunk of bodyChunks(Body as object)) hash.update(chunk);
 */
export async function* bodyChunks(body: ObjectBody): AsyncGenerator<Uint8Array> {
  if (body[Symbol.asyncIterator] !== undefined) {
    yield* body as AsyncIterable<Uint8Array>;
  } else if (body.transformToByteArray !== undefined) {
    yield await body.transformToByteArray();
  }
}

/**
 * Reads a CloudTrail log file from S3 and decodes it record by record as the body streams in,
 * at the consumer's pace: memory holds about one chunk and its records however large the file.
 * Only an object whose key is where CloudTrail writes log files is read, and only its records
 * of the key's account are believed. Every problem is a `SourceError` in the stream: one naming
 * `s3://bucket/key` when the object is not read or cannot be (also mid-stream, after the
 * records already yielded), `s3://bucket/key: Records[i]` for a bad or foreign record.
 *
 * @example
 * for await (const result of streamCloudTrailObject({ bucket, key }, new S3Client({}))) {
 *   if (isSourceError(result)) console.error(result.where, result.message);
 * }
 */
export async function* streamCloudTrailObject(
  object: S3ObjectRef,
  s3: S3Client,
  limits: SourceLimits = sourceLimits(),
): AsyncGenerator<StewardEvent | SourceError> {
  const where = `s3://${object.bucket}/${object.key}`;
  const logKey = classifyCloudTrailKey(object.key);
  if (logKey.kind !== 'log-file') {
    yield {
      message: `not read: its key is not where CloudTrail writes log files (${CLOUDTRAIL_KEY_LAYOUT})`,
      where,
    };
    return;
  }
  let body: unknown;
  try {
    // Loaded on first read, so handlers and commands that never read S3 do not pay for it.
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const output = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
    body = output.Body;
  } catch (cause) {
    yield { message: `could not read S3 object: ${describeFailure(cause)}`, where };
    return;
  }
  if (typeof body !== 'object' || body === null) {
    yield { message: 'S3 object has no body', where };
    return;
  }
  yield* decodeCloudTrailLogStream(bodyChunks(body), where, {
    delivery: 's3',
    limits,
    what: 'S3 object',
    logKey,
  });
}
