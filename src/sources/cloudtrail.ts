import { contentDigest } from './content-digest.js';
import { describeValue, isObject, objectAt, stringAt, type JsonObject } from '../json/fields.js';
import { CloudTrailEvent } from './cloudtrail-event.js';
import type { DeliveryPath, SourceError, StewardEvent } from './steward-event.js';

/** The EventBridge detail-types whose `detail` is a CloudTrail record. */
export const CLOUDTRAIL_DETAIL_TYPES: ReadonlySet<string> = new Set([
  'AWS API Call via CloudTrail',
  'AWS Console Sign In via CloudTrail',
  'AWS Service Event via CloudTrail',
]);

/** Values to use where a CloudTrail record lacks them: from its EventBridge envelope or its log file's key. */
export interface CloudTrailDefaults {
  account?: string;
  region?: string;
  time?: string;
}

/**
 * Normalizes one CloudTrail record, however it arrived. The id is the record's `eventID`, so the
 * same record delivered by EventBridge, an S3 log file and CloudWatch Logs dedupes. A record
 * without one (the CloudTrail user guide's examples have none) gets the digest of its content
 * instead, marked `idDerived`, so its redeliveries dedupe too.
 *
 * @example
 * const result = normalizeCloudTrailRecord(record, 's3', 's3://bucket/key: Records[0]');
 * if (!isSourceError(result)) console.log(result.id, result.name, result.resources);
 */
export function normalizeCloudTrailRecord(
  record: unknown,
  delivery: DeliveryPath,
  where: string,
  defaults: CloudTrailDefaults = {},
): StewardEvent | SourceError {
  if (!isObject(record)) {
    return { message: `CloudTrail record is not an object (got ${describeValue(record)})`, where };
  }
  const name = stringAt(record, 'eventName');
  if (name === undefined) return { message: 'CloudTrail record has no eventName', where };
  const time = stringAt(record, 'eventTime') ?? defaults.time;
  if (time === undefined) return { message: 'CloudTrail record has no eventTime', where };
  const eventId = idOf(record);
  if (eventId === undefined) {
    const got = record.eventID === '' ? 'an empty string' : describeValue(record.eventID);
    return { message: `CloudTrail record's eventID is not a non-empty string (got ${got})`, where };
  }

  return new CloudTrailEvent(record, {
    id: eventId.id,
    idDerived: eventId.idDerived,
    name,
    time,
    // The caller's own account (`userIdentity.accountId`) is not where the call happened.
    account: stringAt(record, 'recipientAccountId') ?? defaults.account,
    region: stringAt(record, 'awsRegion') ?? defaults.region,
    delivery,
  });
}

/**
 * The record's `eventID`, or the digest of its content when it has none; undefined when its
 * `eventID` is there but not a usable id.
 */
function idOf(record: JsonObject): { id: string; idDerived: boolean } | undefined {
  if (record.eventID === undefined) {
    return { id: `sha256:${contentDigest(record)}`, idDerived: true };
  }
  const id = stringAt(record, 'eventID');
  return id === undefined ? undefined : { id, idDerived: false };
}

/** True when a value has the fields every CloudTrail record has; used to spot records in log messages. */
export function looksLikeCloudTrailRecord(value: unknown): value is JsonObject {
  return (
    isObject(value) &&
    typeof value.eventVersion === 'string' &&
    typeof value.eventID === 'string' &&
    typeof value.eventName === 'string' &&
    typeof value.eventSource === 'string'
  );
}

/**
 * Normalizes an EventBridge "AWS API Call / Console Sign In / Service Event via CloudTrail"
 * envelope. The event is its `detail` record with the record's own `eventID` (not the envelope
 * id), so the same record arriving later in an S3 log file dedupes against this one. Only an
 * `aws.*` source is believed: EventBridge refuses `PutEvents` of such sources, so AWS alone
 * emits them.
 *
 * @example
 * const result = decodeCloudTrailEnvelope(event, 'lambda event');
 * if (!isSourceError(result)) console.log(result.actor?.arn, 'called', result.name);
 */
export function decodeCloudTrailEnvelope(
  envelope: unknown,
  where: string,
): StewardEvent | SourceError {
  if (!isObject(envelope)) {
    return {
      message: `EventBridge event is not an object (got ${describeValue(envelope)})`,
      where,
    };
  }
  const source = stringAt(envelope, 'source');
  if (source === undefined || !isAwsSource(source)) {
    return {
      message: `EventBridge event from ${source === undefined ? 'no source' : `source ${JSON.stringify(source)}`} is not believed as CloudTrail: only AWS emits aws.* sources, anyone allowed to put events can emit others`,
      where,
    };
  }
  const detail = objectAt(envelope, 'detail');
  if (detail === undefined) return { message: 'EventBridge event has no detail', where };
  const defaults: CloudTrailDefaults = {};
  const account = stringAt(envelope, 'account');
  if (account !== undefined) defaults.account = account;
  const region = stringAt(envelope, 'region');
  if (region !== undefined) defaults.region = region;
  const time = stringAt(envelope, 'time');
  if (time !== undefined) defaults.time = time;
  return normalizeCloudTrailRecord(detail, 'eventbridge', where, defaults);
}

/**
 * True for a source only AWS can put on an EventBridge bus.
 *
 * @example
 * isAwsSource('aws.ec2'); // true; isAwsSource('custom.aws.ec2') is false
 */
export function isAwsSource(source: string): boolean {
  return source.startsWith('aws.');
}
