import { emptyBatch, errorBatch, isSourceError } from './batch.js';
import { CLOUDTRAIL_KEY_LAYOUT, classifyCloudTrailKey } from './cloudtrail-key.js';
import {
  arrayAt,
  describeValue,
  isObject,
  objectAt,
  stringAt,
  type JsonObject,
} from '../json/fields.js';
import type { DecodedBatch, S3ObjectRef, SourceError } from './steward-event.js';

/**
 * Reads one S3 event notification record and names the CloudTrail log file it announces, if
 * its key is where CloudTrail writes log files. Returns undefined for a record that announces
 * no events (a delete, a digest or Insights file), which is not an error; an object of any
 * other key is not read, and the error says why.
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
  return logFileRef(bucket, key, where);
}

/**
 * The object to read when its key is a CloudTrail log file's; nothing for a digest or
 * Insights file; an error naming the object for any other key.
 */
function logFileRef(
  bucket: string,
  key: string,
  where: string,
): S3ObjectRef | SourceError | undefined {
  const kind = classifyCloudTrailKey(key).kind;
  if (kind === 'log-file') return { bucket, key };
  if (kind === 'not-events') return undefined;
  return {
    message: `s3://${bucket}/${key} is not read: its key is not where CloudTrail writes log files (${CLOUDTRAIL_KEY_LAYOUT})`,
    where,
  };
}

/** Adds what one S3 notification record says to the batch: a log file to read, an error, or nothing. */
export function addS3Record(batch: DecodedBatch, record: unknown, where: string): void {
  addObject(batch, decodeS3Record(record, where));
}

function addObject(batch: DecodedBatch, result: S3ObjectRef | SourceError | undefined): void {
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
 * `{"s3Bucket": "...", "s3ObjectKey": ["..."]}`. These keys are not URL-encoded; they are held
 * to CloudTrail's layout as an S3 notification's are.
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
    } else {
      addObject(batch, logFileRef(bucket, key, `${where}: s3ObjectKey[${i}]`));
    }
  }
  return batch;
}
