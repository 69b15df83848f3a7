import { arrayAt, isObject, objectAt, stringAt } from '../../json/fields.js';
import type { SourceError, StewardEvent } from '../steward-event.js';
import { findingEvent, requiredString, type AwsEnvelope } from './envelope.js';
import { apiResourceIds } from './resource-ids.js';

/** GuardDuty's detail-type for a new or updated finding. */
export const GUARDDUTY_FINDING = 'GuardDuty Finding';

/**
 * Decodes a "GuardDuty Finding" (`aws.guardduty`). Its id is the finding's `id` and
 * `updatedAt`: GuardDuty publishes a finding again when it updates it (a new occurrence, a
 * higher count), which is a new event, while EventBridge's redelivery of the same update
 * has the same id. The resources are those the finding names as the AWS APIs take them: the
 * instance id, the access key id, the buckets' names.
 *
 * @example
 * const event = decodeGuardDutyFinding(envelope, 'lambda event');
 * if (!isSourceError(event)) console.log(event.id, event.resources); // '…@2026-11-30T…', ['i-…']
 */
export function decodeGuardDutyFinding(
  envelope: AwsEnvelope,
  where: string,
): StewardEvent | SourceError {
  const { detail } = envelope;
  const id = requiredString(detail, 'id', 'GuardDuty finding', 'detail.id', where);
  if (typeof id !== 'string') return id;
  const updatedAt = requiredString(
    detail,
    'updatedAt',
    'GuardDuty finding',
    'detail.updatedAt',
    where,
  );
  if (typeof updatedAt !== 'string') return updatedAt;
  const resource = objectAt(detail, 'resource');
  const named = [
    stringAt(objectAt(resource, 'instanceDetails'), 'instanceId'),
    stringAt(objectAt(resource, 'accessKeyDetails'), 'accessKeyId'),
    ...(arrayAt(resource, 's3BucketDetails') ?? []).map((bucket) =>
      isObject(bucket) ? stringAt(bucket, 'name') : undefined,
    ),
  ].filter((value): value is string => value !== undefined);
  const account = stringAt(detail, 'accountId');
  const region = stringAt(detail, 'region');
  return findingEvent(envelope, {
    id: `${id}@${updatedAt}`,
    resources: apiResourceIds([...named, ...envelope.resources]),
    ...(account === undefined ? {} : { account }),
    ...(region === undefined ? {} : { region }),
  });
}
