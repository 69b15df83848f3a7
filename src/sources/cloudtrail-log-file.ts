import type { S3Client } from '@aws-sdk/client-s3';
import { mapWithConcurrency } from '../concurrency.js';
import { addResult, emptyBatch, errorBatch, mergeBatch } from './batch.js';
import { normalizeCloudTrailRecord } from './cloudtrail.js';
import { arrayAt, describeValue, isObject } from './guards.js';
import { decodeBytes } from './payload.js';
import type { DecodedBatch, DeliveryPath, S3ObjectRef } from './steward-event.js';

/** Enough parallel reads to hide S3 latency without holding many decompressed files at once. */
const READ_CONCURRENCY = 4;

/**
 * Decodes a CloudTrail log file, `{"Records": [...]}`. A bad record is an error for that record
 * alone (`<where>: Records[i]`); the others still decode.
 *
 * @example
 * const { events, errors } = decodeCloudTrailLogFile(JSON.parse(text), 's3://bucket/key');
 */
export function decodeCloudTrailLogFile(
  value: unknown,
  where: string,
  delivery: DeliveryPath = 's3',
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

/**
 * Reads CloudTrail log files from S3 and decodes them. An object that cannot be read or decoded
 * is one error (where `s3://bucket/key`); the other objects go on.
 *
 * @example
 * const batch = decodeDocument(lambdaEvent, 'lambda event');
 * const fromS3 = await readCloudTrailObjects(batch.objects, new S3Client({}));
 */
export async function readCloudTrailObjects(
  objects: S3ObjectRef[],
  s3: S3Client,
): Promise<DecodedBatch> {
  const results = await mapWithConcurrency(objects, READ_CONCURRENCY, (object) =>
    readCloudTrailObject(object, s3),
  );
  const batch = emptyBatch();
  for (const result of results) mergeBatch(batch, result);
  return batch;
}

async function readCloudTrailObject(object: S3ObjectRef, s3: S3Client): Promise<DecodedBatch> {
  const where = `s3://${object.bucket}/${object.key}`;
  let bytes: Uint8Array;
  try {
    // Loaded on first read, so handlers and commands that never read S3 do not pay for it.
    const { GetObjectCommand } = await import('@aws-sdk/client-s3');
    const output = await s3.send(new GetObjectCommand({ Bucket: object.bucket, Key: object.key }));
    if (output.Body === undefined) return errorBatch('S3 object has no body', where);
    bytes = await output.Body.transformToByteArray();
  } catch (cause) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    return errorBatch(`could not read S3 object: ${reason}`, where);
  }
  const decoded = decodeBytes(bytes, where);
  if (!decoded.ok) return errorBatch(decoded.error.message, decoded.error.where);
  return decodeCloudTrailLogFile(decoded.value, where, 's3');
}
