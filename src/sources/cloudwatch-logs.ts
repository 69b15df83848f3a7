import { addResult, emptyBatch, errorBatch } from './batch.js';
import { looksLikeCloudTrailRecord, normalizeCloudTrailRecord } from './cloudtrail.js';
import { arrayAt, describeValue, isObject, stringAt, type JsonObject } from '../json/fields.js';
import { decodeAwslogsData } from './payload.js';
import type { DecodedBatch, SourceError, StewardEvent } from './steward-event.js';
import { SourceTrust } from './trust.js';

const OPEN_BRACE = 0x7b;
// Date#toISOString throws beyond this many milliseconds either side of the epoch.
const MAX_TIMESTAMP = 8.64e15;

/**
 * Decodes a CloudWatch Logs subscription event (`{awslogs: {data}}`) or the DATA_MESSAGE /
 * CONTROL_MESSAGE inside it. Each log event becomes one StewardEvent, of the message's `owner`
 * account. In a log group `trust` names as CloudTrail's, a log event whose message is a
 * CloudTrail record becomes that CloudTrail event; anywhere else it is an ordinary log line,
 * since whoever may write to the group could have written it. A bad log event is an error for
 * that entry alone.
 *
 * @example
 * const trust = new SourceTrust(['aws-cloudtrail-logs-123456789012']);
 * const { events, errors } = decodeCloudWatchLogs(lambdaEvent, 'lambda event', trust);
 */
export function decodeCloudWatchLogs(
  value: unknown,
  where: string,
  trust: SourceTrust = new SourceTrust(),
): DecodedBatch {
  if (isObject(value) && 'awslogs' in value) {
    const awslogs = value.awslogs;
    const decoded = decodeAwslogsData(isObject(awslogs) ? awslogs.data : undefined, where);
    if (!decoded.ok) return errorBatch(decoded.error.message, decoded.error.where);
    return decodeLogsMessage(decoded.value, where, trust);
  }
  return decodeLogsMessage(value, where, trust);
}

function decodeLogsMessage(message: unknown, where: string, trust: SourceTrust): DecodedBatch {
  if (!isObject(message)) {
    return errorBatch(
      `CloudWatch Logs message is not an object (got ${describeValue(message)})`,
      where,
    );
  }
  const messageType = message.messageType;
  // AWS sends a CONTROL_MESSAGE to check the destination is reachable; it carries no log events.
  if (messageType === 'CONTROL_MESSAGE') return emptyBatch();
  if (messageType !== 'DATA_MESSAGE') {
    return errorBatch(
      `CloudWatch Logs message has messageType ${JSON.stringify(messageType) ?? 'undefined'}: expected "DATA_MESSAGE" or "CONTROL_MESSAGE"`,
      where,
    );
  }
  const logGroup = stringAt(message, 'logGroup');
  if (logGroup === undefined) {
    return errorBatch('CloudWatch Logs DATA_MESSAGE has no logGroup', where);
  }
  const logEvents = arrayAt(message, 'logEvents');
  if (logEvents === undefined) {
    return errorBatch('CloudWatch Logs DATA_MESSAGE has no logEvents array', where);
  }

  const context: LogContext = {
    logGroup,
    logStream: message.logStream,
    subscriptionFilters: message.subscriptionFilters,
    owner: stringAt(message, 'owner'),
    cloudTrail: trust.isCloudTrailLogGroup(logGroup),
  };
  const batch = emptyBatch();
  for (let i = 0; i < logEvents.length; i += 1) {
    addResult(batch, decodeLogEvent(logEvents[i], context, `${where}: logEvents[${i}]`));
  }
  return batch;
}

interface LogContext {
  logGroup: string;
  logStream: unknown;
  subscriptionFilters: unknown;
  owner: string | undefined;
  /** The log group is configured as CloudTrail's: its CloudTrail records are believed. */
  cloudTrail: boolean;
}

function decodeLogEvent(
  entry: unknown,
  context: LogContext,
  where: string,
): StewardEvent | SourceError {
  if (!isObject(entry)) {
    return { message: `log event is not an object (got ${describeValue(entry)})`, where };
  }
  const id = stringAt(entry, 'id');
  if (id === undefined) return { message: 'log event has no id', where };
  const message = entry.message;
  if (typeof message !== 'string') return { message: 'log event has no message', where };
  const timestamp = entry.timestamp;
  if (typeof timestamp !== 'number' || !(Math.abs(timestamp) <= MAX_TIMESTAMP)) {
    return { message: 'log event has no valid timestamp (milliseconds since the epoch)', where };
  }

  const record = context.cloudTrail ? cloudTrailRecordIn(message) : undefined;
  if (record !== undefined) {
    const defaults = context.owner === undefined ? {} : { account: context.owner };
    return normalizeCloudTrailRecord(record, 'cloudwatch-logs', where, defaults);
  }

  const event: StewardEvent = {
    id,
    source: 'cloudwatch-logs',
    name: context.logGroup,
    time: new Date(timestamp).toISOString(),
    resources: [context.logGroup],
    raw: {
      logGroup: context.logGroup,
      logStream: context.logStream,
      subscriptionFilters: context.subscriptionFilters,
      id,
      timestamp,
      message,
    },
    delivery: 'cloudwatch-logs',
  };
  if (context.owner !== undefined) event.account = context.owner;
  return event;
}

/** The CloudTrail record a log message holds, if it is one; most log lines are plain text. */
function cloudTrailRecordIn(message: string): JsonObject | undefined {
  // Checking the first character keeps JSON.parse (and its exceptions) off ordinary log lines.
  if (message.charCodeAt(0) !== OPEN_BRACE) return undefined;
  try {
    const parsed: unknown = JSON.parse(message);
    return looksLikeCloudTrailRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}
