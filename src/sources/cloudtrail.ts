import { contentDigest } from './content-digest.js';
import {
  arrayAt,
  describeValue,
  isObject,
  objectAt,
  stringAt,
  type JsonObject,
} from '../json/fields.js';
import {
  requestFieldNames,
  type Actor,
  type DeliveryPath,
  type RequestFields,
  type SourceError,
  type StewardEvent,
} from './steward-event.js';

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

  const identity = objectAt(record, 'userIdentity');
  const eventSource = stringAt(record, 'eventSource');
  // Built field by field, not spread: every event then shares one shape, which rule matching
  // reads at every step.
  const event: StewardEvent = {
    id: eventId.id,
    source: 'cloudtrail',
    name,
    time,
    resources: resourcesOf(record, eventSource),
    actor: actorOf(record, identity),
    raw: record,
    delivery,
  };
  // The caller's own account (`userIdentity.accountId`) is not where the call happened.
  const account = stringAt(record, 'recipientAccountId') ?? defaults.account;
  if (account !== undefined) event.account = account;
  const region = stringAt(record, 'awsRegion') ?? defaults.region;
  if (region !== undefined) event.region = region;
  if (eventId.idDerived) event.idDerived = true;
  if (eventSource !== undefined) event.eventSource = eventSource;
  const request = requestFieldsOf(objectAt(record, 'requestParameters'));
  if (request !== undefined) event.request = request;
  const errorCode = stringAt(record, 'errorCode');
  if (errorCode !== undefined) {
    const errorMessage = stringAt(record, 'errorMessage');
    event.error =
      errorMessage === undefined ? { code: errorCode } : { code: errorCode, message: errorMessage };
  }
  return event;
}

/** The request fields a record names as non-empty strings; undefined when it names none. */
function requestFieldsOf(parameters: JsonObject | undefined): RequestFields | undefined {
  let fields: RequestFields | undefined;
  for (const field of requestFieldNames) {
    const value = stringAt(parameters, field);
    if (value !== undefined) (fields ??= {})[field] = value;
  }
  return fields;
}

/**
 * The record's `eventID`, or the digest of its content when it has none; undefined when its
 * `eventID` is there but not a usable id.
 */
function idOf(record: JsonObject): Pick<StewardEvent, 'id' | 'idDerived'> | undefined {
  if (record.eventID === undefined) {
    return { id: `sha256:${contentDigest(record)}`, idDerived: true };
  }
  const id = stringAt(record, 'eventID');
  return id === undefined ? undefined : { id };
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

const ACTOR_FIELDS = ['arn', 'type', 'principalId', 'accountId', 'userName', 'invokedBy'] as const;

function actorOf(record: JsonObject, identity: JsonObject | undefined): Actor {
  const attributes = objectAt(objectAt(identity, 'sessionContext'), 'attributes');
  const mfaUsed =
    objectAt(record, 'additionalEventData')?.MFAUsed === 'Yes' ||
    attributes?.mfaAuthenticated === 'true';
  const actor: Actor = { mfaUsed };
  for (const field of ACTOR_FIELDS) {
    const value = stringAt(identity, field);
    if (value !== undefined) actor[field] = value;
  }
  const sourceIp = stringAt(record, 'sourceIPAddress');
  if (sourceIp !== undefined) actor.sourceIp = sourceIp;
  const userAgent = stringAt(record, 'userAgent');
  if (userAgent !== undefined) actor.userAgent = userAgent;
  return actor;
}

/**
 * The ids rules act on, in the form the AWS APIs take them: the ARNs CloudTrail lists, then the
 * well-known ids in the request and response (RunInstances names its instances only in the
 * response).
 */
function resourcesOf(record: JsonObject, eventSource: string | undefined): string[] {
  // A Set keeps first-seen order and stays linear on a hostile record listing many resources.
  const resources = new Set<string>();
  const add = (value: unknown): void => {
    if (typeof value === 'string' && value !== '') resources.add(value);
  };
  for (const resource of arrayAt(record, 'resources') ?? []) {
    if (isObject(resource)) add(resource.ARN);
  }
  const request = objectAt(record, 'requestParameters');
  const response = objectAt(record, 'responseElements');
  for (const holder of [request, response]) {
    for (const item of arrayAt(objectAt(holder, 'instancesSet'), 'items') ?? []) {
      if (isObject(item)) add(item.instanceId);
    }
  }
  add(request?.instanceId);
  add(request?.groupId);
  add(request?.bucketName);
  add(request?.logGroupName);
  if (eventSource === 'cloudtrail.amazonaws.com') add(request?.name);
  if (eventSource === 'iam.amazonaws.com') {
    add(request?.userName);
    add(objectAt(response, 'user')?.userName);
  }
  if (eventSource === 'kms.amazonaws.com') add(request?.keyId);
  // One resource, one entry: an ARN whose id is listed too (arn:aws:s3:::b beside b) would
  // make every action on it run twice.
  return [...resources].filter(
    (resource) => !(resource.startsWith('arn:') && resources.has(arnResourceId(resource))),
  );
}

/** The last part of an ARN's resource: `b` of `arn:aws:s3:::b`, `i-1` of `…:instance/i-1`. */
function arnResourceId(arn: string): string {
  const resource = arn.split(':').slice(5).join(':');
  return resource.slice(Math.max(resource.lastIndexOf('/'), resource.lastIndexOf(':')) + 1);
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
