/**
 * Decoding of every event shape steward accepts into StewardEvents. Handlers and the CLI call
 * `decodeDocument` on whatever arrived and never look at raw shapes themselves.
 *
 * @example
 * const decoded = decodeBytes(await readFile(path), path);
 * const batch = decoded.ok ? decodeDocument(decoded.value, path) : undefined;
 */
import type { FileHandle } from 'node:fs/promises';
import { addResult, emptyBatch, errorBatch, mergeBatch } from './batch.js';
import {
  CLOUDTRAIL_DETAIL_TYPES,
  decodeCloudTrailEnvelope,
  normalizeCloudTrailRecord,
} from './cloudtrail.js';
import { decodeCloudTrailLogFile } from './cloudtrail-log-file.js';
import { decodeCloudWatchLogs } from './cloudwatch-logs.js';
import { decodeEc2StateChange, EC2_STATE_DETAIL_TYPE } from './ec2-state.js';
import { decodeAwsEvent } from './eventbridge.js';
import { describeValue, isObject, objectAt, type JsonObject } from '../json/fields.js';
import { parseJsonText } from './json-text.js';
import { formatBytes, sourceLimits, type SourceLimits } from './limits.js';
import { fileChunks, LocalFileError, openRegularFile, readOpenFile } from './local-file.js';
import {
  InputReadError,
  LogFileError,
  LogFileSyntaxError,
  NotALogFileError,
} from './log-file-errors.js';
import { decodeBytes } from './payload.js';
import { scanLogFile } from './record-stream.js';
import { addS3Record, decodeCloudTrailSnsNotification, isS3TestEvent } from './s3-notification.js';
import type { DecodedBatch, DeliveryPath, SourceError, StewardEvent } from './steward-event.js';
import { SourceTrust, type DecodeOptions, type InputOrigin } from './trust.js';
import { decodeSweepDocument, isSweepDocument } from '../sweep/sweep-document.js';

export { isSourceError } from './batch.js';
export { decodeCloudTrailEnvelope, isAwsSource, normalizeCloudTrailRecord } from './cloudtrail.js';
export {
  CLOUDTRAIL_KEY_LAYOUT,
  classifyCloudTrailKey,
  type CloudTrailKeyKind,
  type CloudTrailLogKey,
} from './cloudtrail-key.js';
export { decodeCloudTrailLogFile, streamCloudTrailObject } from './cloudtrail-log-file.js';
export { decodeCloudWatchLogs } from './cloudwatch-logs.js';
export { decodeEc2StateChange } from './ec2-state.js';
export { decodeAwsEvent } from './eventbridge.js';
export { parseJsonText, type DecodeResult } from './json-text.js';
export { DEFAULT_SOURCE_LIMITS, formatBytes, sourceLimits, type SourceLimits } from './limits.js';
export { LocalFileError, readLocalFile } from './local-file.js';
export * from './log-file-errors.js';
export { decodeAwslogsData, decodeBytes } from './payload.js';
export {
  decodeCloudTrailLogStream,
  scanLogFile,
  type LogStreamOptions,
  type ParsedRecord,
} from './record-stream.js';
export { decodeCloudTrailSnsNotification, decodeS3Record } from './s3-notification.js';
export type * from './steward-event.js';
export * from './trust.js';

const UNKNOWN_SHAPE =
  'unknown event shape: expected an EventBridge event, a CloudWatch Logs subscription event, ' +
  'an S3 notification, a CloudTrail log file or CloudTrail records';

/**
 * Detects the shape of an already-parsed event and decodes it. Never throws: a problem is an
 * error in the batch, naming what was wrong and where, and the rest of the batch still decodes.
 * S3 and CloudTrail SNS notifications yield `objects` for `streamCloudTrailObject` to read.
 *
 * CloudTrail is believed only from a channel that AWS alone can write: an EventBridge `aws.*`
 * source, a log file in S3 under CloudTrail's layout, a log group `options.trust` names as
 * CloudTrail's. CloudTrail log files and bare records handed over directly are believed only
 * from the operator (`options.origin`, `operator` by default: a local file, a rule test);
 * what an SNS message or SQS body holds, whoever could publish to the topic or queue wrote, so
 * only S3 and CloudTrail notifications naming log files are taken from one (the log files are
 * then read, and believed by their keys), never an EventBridge or CloudWatch Logs event. A sweep's event written in a file
 * (`src/sweep/sweep-document.ts`) is believed only from the operator: steward makes a sweep's
 * events itself, from its own describe calls.
 *
 * @example
 * const trust = SourceTrust.fromEnv(process.env);
 * const { events, errors, objects } = decodeDocument(lambdaEvent, 'lambda event', { trust, origin: 'aws' });
 */
export function decodeDocument(
  value: unknown,
  where: string,
  options: DecodeOptions = {},
): DecodedBatch {
  return new DocumentDecoder(options.trust ?? new SourceTrust()).decode(
    value,
    where,
    options.origin ?? 'operator',
  );
}

/**
 * An EventBridge event or a CloudWatch Logs subscription event is believed from the service
 * that delivers it: in an SNS message or an SQS body, its `source` or log group is text that
 * whoever may publish to the topic or send to the queue wrote.
 */
const NOT_BELIEVED_WRAPPED =
  'an EventBridge or CloudWatch Logs event in an SNS message or SQS body is not believed: whoever may publish to the topic or send to the queue could have written it; steward takes them from EventBridge rules and log subscriptions, and from SNS and SQS only S3 and CloudTrail notifications naming log files';

const BELIEVED_ONLY_FROM =
  "is believed only from EventBridge (an aws.* source), a CloudTrail log file read in S3, a log group configured as CloudTrail's or a local file, not from a Lambda invocation's payload, an SNS message or an SQS body";

const SWEEP_ONLY_FROM_OPERATOR =
  'a sweep event is made by steward\'s own describe calls and believed only from a local file or a rule test, not from a Lambda invocation\'s payload, an SNS message or an SQS body (a sweep is invoked with {"rule": "<rule id>", "schedule": "<its schedule>"})';

/** Decodes documents and what they wrap under one trust. */
class DocumentDecoder {
  constructor(private readonly trust: SourceTrust) {}

  decode(value: unknown, where: string, origin: InputOrigin): DecodedBatch {
    if (Array.isArray(value)) {
      if (origin === 'aws')
        return errorBatch(`an array of CloudTrail records ${BELIEVED_ONLY_FROM}`, where);
      return decodeBareRecords(value, where);
    }
    if (!isObject(value)) return errorBatch(`${UNKNOWN_SHAPE}; got ${describeValue(value)}`, where);
    if (isSweepDocument(value)) {
      if (origin === 'aws') return errorBatch(SWEEP_ONLY_FROM_OPERATOR, where);
      return singleton(decodeSweepDocument(value, where));
    }

    if ('detail-type' in value) return decodeEventBridge(value, where);
    if ('awslogs' in value || 'messageType' in value) {
      return decodeCloudWatchLogs(value, where, this.trust);
    }
    if (Array.isArray(value.Records))
      return this.decodeRecords(value, value.Records, where, origin);
    if (isS3TestEvent(value)) return emptyBatch();
    if ('s3Bucket' in value && 's3ObjectKey' in value) {
      return decodeCloudTrailSnsNotification(value, where);
    }
    // An SNS message as SQS receives it when raw message delivery is off.
    if (value.Type === 'Notification' && typeof value.Message === 'string') {
      return this.decodeWrapped(value.Message, `${where}: Message`);
    }
    if ('eventID' in value || ('eventName' in value && 'eventSource' in value)) {
      if (origin === 'aws') return errorBatch(`a CloudTrail record ${BELIEVED_ONLY_FROM}`, where);
      return singleton(normalizeCloudTrailRecord(value, OPERATOR_DELIVERY, where));
    }
    return errorBatch(`${UNKNOWN_SHAPE}; got ${describeValue(value)}`, where);
  }

  /**
   * `{Records: [...]}` is either a CloudTrail log file or a Lambda notification batch from S3,
   * SNS or SQS; notification records name their service as `aws:<service>`, CloudTrail records
   * as `<service>.amazonaws.com`.
   */
  private decodeRecords(
    document: JsonObject,
    records: unknown[],
    where: string,
    origin: InputOrigin,
  ): DecodedBatch {
    if (!records.some((record) => notificationSource(record) !== undefined)) {
      if (origin === 'aws') return errorBatch(`a CloudTrail log file ${BELIEVED_ONLY_FROM}`, where);
      return decodeCloudTrailLogFile(document, where, OPERATOR_DELIVERY);
    }
    const batch = emptyBatch();
    for (let i = 0; i < records.length; i += 1) {
      const record = records[i];
      const recordWhere = `${where}: Records[${i}]`;
      const source = notificationSource(record);
      if (source === 'aws:s3') {
        addS3Record(batch, record, recordWhere);
      } else if (source === 'aws:sns' && isObject(record)) {
        const message = objectAt(record, 'Sns')?.Message;
        mergeBatch(batch, this.decodeWrapped(message, `${recordWhere}.Sns.Message`));
      } else if (source === 'aws:sqs' && isObject(record)) {
        mergeBatch(batch, this.decodeWrapped(record.body, `${recordWhere}.body`));
      } else {
        batch.errors.push({
          message: `notification record from ${source ?? describeValue(record)}: expected one from aws:s3, aws:sns or aws:sqs`,
          where: recordWhere,
        });
      }
    }
    return batch;
  }

  /** SNS messages and SQS bodies carry another event as JSON text, written by whoever could publish. */
  private decodeWrapped(text: unknown, where: string): DecodedBatch {
    if (typeof text !== 'string') {
      return errorBatch('expected a JSON string holding the event', where);
    }
    const parsed = parseJsonText(text, where);
    if (!parsed.ok) return errorBatch(parsed.error.message, parsed.error.where);
    const { value } = parsed;
    if (isObject(value) && ('detail-type' in value || 'awslogs' in value || 'messageType' in value))
      return errorBatch(NOT_BELIEVED_WRAPPED, where);
    return this.decode(value, where, 'aws');
  }
}

/** How CloudTrail log files and bare records the operator hands over reached steward. */
const OPERATOR_DELIVERY: DeliveryPath = 'direct';

function singleton(result: StewardEvent | SourceError): DecodedBatch {
  const batch = emptyBatch();
  addResult(batch, result);
  return batch;
}

/**
 * An EventBridge event: an EC2 state change, a CloudTrail record, or any other event of an AWS
 * service (GuardDuty, Security Hub, Config, Health, …) for the rules' `eventbridge` triggers.
 */
function decodeEventBridge(envelope: JsonObject, where: string): DecodedBatch {
  const detailType = envelope['detail-type'];
  if (detailType === EC2_STATE_DETAIL_TYPE) return singleton(decodeEc2StateChange(envelope, where));
  if (typeof detailType === 'string' && CLOUDTRAIL_DETAIL_TYPES.has(detailType)) {
    return singleton(decodeCloudTrailEnvelope(envelope, where));
  }
  return decodeAwsEvent(envelope, where);
}

/** The AWS service a notification record came from; S3 and SQS spell it `eventSource`, SNS `EventSource`. */
function notificationSource(record: unknown): string | undefined {
  if (!isObject(record)) return undefined;
  const source = record.eventSource ?? record.EventSource;
  return typeof source === 'string' && source.startsWith('aws:') ? source : undefined;
}

function decodeBareRecords(records: unknown[], where: string): DecodedBatch {
  const batch = emptyBatch();
  for (let i = 0; i < records.length; i += 1) {
    addResult(batch, normalizeCloudTrailRecord(records[i], OPERATOR_DELIVERY, `${where}: [${i}]`));
  }
  return batch;
}

/**
 * Decodes a local event file of any supported shape. A local file is the operator's own: a
 * CloudTrail log file or bare records in it are believed, with delivery `direct`; an
 * EventBridge event, a notification or a CloudWatch Logs message in it is held to its channel
 * as in Lambda (CloudWatch Logs by `trust`, by default `STEWARD_CLOUDTRAIL_LOG_GROUPS`). A
 * CloudTrail log file is decoded record by record as it is read, so its size is bounded by
 * `limits.maxFileBytes` and not by memory; anything else is decoded whole, within
 * `limits.maxBufferedBytes`. A file that is not a regular file, or over a cap, is a
 * `LocalFileError` thrown before it is read; bad content is an error in the batch.
 *
 * @example
 * const { events, errors } = await decodeEventFile('events/cloudtrail-log-file.json.gz');
 */
export async function decodeEventFile(
  file: string,
  limits: SourceLimits = sourceLimits(),
  trust: SourceTrust = SourceTrust.fromEnv(),
): Promise<DecodedBatch> {
  const handle = await openRegularFile(file, limits.maxFileBytes);
  try {
    const asLogFile = await decodeAsLogFile(handle, file, limits);
    if (asLogFile !== undefined) return asLogFile;
    const { size } = await handle.stat();
    if (size > limits.maxBufferedBytes) {
      throw new LocalFileError(
        `${formatBytes(size)} is over the ${formatBytes(limits.maxBufferedBytes)} cap for a file decoded whole (only CloudTrail log files are read record by record)`,
        file,
      );
    }
    const decoded = decodeBytes(
      await readOpenFile(handle, file, limits.maxBufferedBytes),
      file,
      limits,
    );
    if (!decoded.ok) return errorBatch(decoded.error.message, decoded.error.where);
    return decodeDocument(decoded.value, file, { trust, origin: 'operator' });
  } finally {
    await handle.close();
  }
}

/**
 * The file as a CloudTrail log file, streamed; undefined when it turns out to be another shape
 * before any record: `{Records}` of notifications, or no `{"Records": [...]}` at all (whose
 * syntax errors `decodeDocument`'s path reports with line and column).
 */
async function decodeAsLogFile(
  handle: FileHandle,
  file: string,
  limits: SourceLimits,
): Promise<DecodedBatch | undefined> {
  const batch = emptyBatch();
  let first = true;
  for await (const item of scanLogFile(
    fileChunks(handle, file, limits.maxFileBytes),
    file,
    limits,
  )) {
    const before = first;
    first = false;
    if (item instanceof LogFileError) {
      // The file itself failed (it grew past its cap, a read error): not a problem of its content.
      if (item instanceof InputReadError && item.cause instanceof LocalFileError) throw item.cause;
      if (before && (item instanceof NotALogFileError || item instanceof LogFileSyntaxError)) {
        return undefined;
      }
      batch.errors.push({ message: item.message, where: item.where });
    } else if (before && notificationSource(item.value) !== undefined) {
      return undefined;
    } else {
      addResult(
        batch,
        normalizeCloudTrailRecord(item.value, OPERATOR_DELIVERY, `${file}: Records[${item.index}]`),
      );
    }
  }
  return batch;
}
