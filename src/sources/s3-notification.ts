import { emptyBatch, errorBatch, isSourceError } from './batch.js';
import { arrayAt, describeValue, isObject, objectAt, stringAt, type JsonObject } from './guards.js';
import type { DecodedBatch, S3ObjectRef, SourceError } from './steward-event.js';

/**
 * Reads one S3 event notification record and names the CloudTrail log file it announces.
 * Returns undefined for a record that is not about a new log file (a delete, a digest file,
 * some other object), which is not an error.
 *
 * @example
 * const ref = decodeS3Record(notification.Records[0], 'lambda event: Records[0]');
 */
export function decodeS3Record(
  record: unknown,
  where: string,
): S3ObjectRef | SourceError | undefined {
  if (!isObject(record)) {
    return {
      message: `S3 notification record is not an object (got ${describeValue(record)})`,
      where,
    };
  }
  const eventName = stringAt(record, 'eventName');
  if (eventName === undefined) return { message: 'S3 notification record has no eventName', where };
  if (!eventName.startsWith('ObjectCreated:')) return undefined;
  const s3 = objectAt(record, 's3');
  const bucket = stringAt(objectAt(s3, 'bucket'), 'name');
  if (bucket === undefined) {
    return { message: 'S3 notification record has no s3.bucket.name', where };
  }
  const encodedKey = stringAt(objectAt(s3, 'object'), 'key');
  if (encodedKey === undefined) {
    return { message: 'S3 notification record has no s3.object.key', where };
  }
  let key: string;
  try {
    // Notifications encode keys like an HTML form: '+' for a space, %xx for the rest.
    key = decodeURIComponent(encodedKey.replaceAll('+', ' '));
  } catch {
    return {
      message: `S3 object key is not validly URL-encoded: ${JSON.stringify(encodedKey)}`,
      where,
    };
  }
  return isCloudTrailLogKey(key) ? { bucket, key } : undefined;
}

/** Adds what one S3 notification record says to the batch: a log file to read, an error, or nothing. */
export function addS3Record(batch: DecodedBatch, record: unknown, where: string): void {
  const result = decodeS3Record(record, where);
  if (result === undefined) return;
  if (isSourceError(result)) batch.errors.push(result);
  else batch.objects.push(result);
}

/** True for the message S3 sends once when a bucket notification is configured. */
export function isS3TestEvent(value: JsonObject): boolean {
  return value.Event === 's3:TestEvent';
}

/**
 * Decodes the SNS notification CloudTrail sends for each log file it delivers:
 * `{"s3Bucket": "...", "s3ObjectKey": ["..."]}`. These keys are not URL-encoded.
 *
 * @example
 * const { objects } = decodeCloudTrailSnsNotification(JSON.parse(sns.Message), 'sns');
 */
export function decodeCloudTrailSnsNotification(value: unknown, where: string): DecodedBatch {
  if (!isObject(value)) return errorBatch('CloudTrail SNS notification is not an object', where);
  const bucket = stringAt(value, 's3Bucket');
  if (bucket === undefined) return errorBatch('CloudTrail SNS notification has no s3Bucket', where);
  const keys = arrayAt(value, 's3ObjectKey');
  if (keys === undefined) {
    return errorBatch('CloudTrail SNS notification has no s3ObjectKey array', where);
  }
  const batch = emptyBatch();
  for (let i = 0; i < keys.length; i += 1) {
    const key = keys[i];
    if (typeof key !== 'string' || key === '') {
      batch.errors.push({
        message: 's3ObjectKey entry is not a non-empty string',
        where: `${where}: s3ObjectKey[${i}]`,
      });
    } else if (isCloudTrailLogKey(key)) {
      batch.objects.push({ bucket, key });
    }
  }
  return batch;
}

/** Log files end in .json.gz (or .json); digest files, which only sign log files, are skipped. */
function isCloudTrailLogKey(key: string): boolean {
  if (!key.endsWith('.json.gz') && !key.endsWith('.json')) return false;
  return !key.startsWith('CloudTrail-Digest/') && !key.includes('/CloudTrail-Digest/');
}
