/**
 * The EventBridge envelope of an event from an AWS service, read once for every decoder of
 * `src/sources/findings/`: what AWS guarantees about every such event, whatever its detail.
 */
import { arrayAt, describeValue, objectAt, stringAt, type JsonObject } from '../../json/fields.js';
import type { SourceError, StewardEvent } from '../steward-event.js';
import { apiResourceIds } from './resource-ids.js';

/** The fields every EventBridge event of an `aws.*` source has. */
export interface AwsEnvelope {
  /** The envelope as it arrived: the `record` fact of its events. */
  raw: JsonObject;
  /** EventBridge's id of this event, kept when EventBridge redelivers it. */
  id: string;
  /** `aws.guardduty`, `aws.securityhub`, … */
  source: string;
  detailType: string;
  time: string;
  account?: string;
  region?: string;
  /** The envelope's `resources`, as the AWS APIs take them (an instance ARN as its `i-…` id). */
  resources: string[];
  detail: JsonObject;
}

/**
 * Reads the envelope of an `aws.*` EventBridge event; a missing or mistyped field is an error
 * naming it. The source is not checked here: `decodeAwsEvent` believes `aws.*` sources only.
 *
 * @example
 * const envelope = readAwsEnvelope(JSON.parse(text), 'lambda event');
 * if (!isSourceError(envelope)) console.log(envelope.source, envelope.detailType);
 */
export function readAwsEnvelope(value: JsonObject, where: string): AwsEnvelope | SourceError {
  const missing = (field: string): SourceError => ({
    message: `EventBridge event has no ${field}`,
    where,
  });
  const id = stringAt(value, 'id');
  if (id === undefined) return missing('id');
  const source = stringAt(value, 'source');
  if (source === undefined) return missing('source');
  const detailType = stringAt(value, 'detail-type');
  if (detailType === undefined) return missing('detail-type');
  const time = stringAt(value, 'time');
  if (time === undefined) return missing('time');
  const detail = objectAt(value, 'detail');
  if (detail === undefined) {
    return value.detail === undefined
      ? missing('detail')
      : {
          message: `EventBridge event's detail is ${describeValue(value.detail)}, not an object`,
          where,
        };
  }
  const envelope: AwsEnvelope = {
    raw: value,
    id,
    source,
    detailType,
    time,
    resources: apiResourceIds(strings(arrayAt(value, 'resources'))),
    detail,
  };
  const account = stringAt(value, 'account');
  if (account !== undefined) envelope.account = account;
  const region = stringAt(value, 'region');
  if (region !== undefined) envelope.region = region;
  return envelope;
}

/** What one decoder found in an envelope for one event. */
export interface FindingParts {
  id: string;
  resources: readonly string[];
  /** The finding's own account and region, where it names them; else the envelope's. */
  account?: string;
  region?: string;
  /** The envelope as the event's `record`, when not the one that arrived (one finding of several). */
  raw?: JsonObject;
}

/**
 * The StewardEvent of one finding of an envelope: source `eventbridge`, named by its
 * detail-type, its `eventSource` the envelope's source.
 *
 * @example
 * findingEvent(envelope, { id: `${finding.id}@${finding.updatedAt}`, resources: ['i-0123456789abcdef0'] });
 */
export function findingEvent(envelope: AwsEnvelope, parts: FindingParts): StewardEvent {
  const event: StewardEvent = {
    id: parts.id,
    source: 'eventbridge',
    name: envelope.detailType,
    time: envelope.time,
    resources: [...new Set(parts.resources)],
    eventSource: envelope.source,
    raw: parts.raw ?? envelope.raw,
    delivery: 'eventbridge',
  };
  const account = parts.account ?? envelope.account;
  if (account !== undefined) event.account = account;
  const region = parts.region ?? envelope.region;
  if (region !== undefined) event.region = region;
  return event;
}

/**
 * The non-empty strings of a JSON array, in order; anything else in it is left out.
 *
 * @example
 * strings(['i-1', 7, '']); // ['i-1']
 */
export function strings(values: readonly unknown[] | undefined): string[] {
  return (values ?? []).filter(
    (value): value is string => typeof value === 'string' && value !== '',
  );
}

/**
 * `object[key]` as a string, or the error naming the field where it is missing.
 *
 * @example
 * const id = requiredString(detail, 'id', 'GuardDuty finding', 'detail.id', where);
 */
export function requiredString(
  object: JsonObject | undefined,
  key: string,
  what: string,
  field: string,
  where: string,
): string | SourceError {
  const value = stringAt(object, key);
  if (value !== undefined) return value;
  const got = object?.[key];
  return {
    message:
      got === undefined
        ? `${what} has no ${field}`
        : `${what}'s ${field} is ${got === '' ? 'an empty string' : describeValue(got)}, not a non-empty string`,
    where,
  };
}
