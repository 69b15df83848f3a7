import { arrayAt, objectAt, stringAt } from '../../json/fields.js';
import type { SourceError, StewardEvent } from '../steward-event.js';
import { findingEvent, stringsAt, versionedId, type AwsEnvelope } from './envelope.js';
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
  const id = versionedId(detail, 'id', 'updatedAt', 'GuardDuty finding', 'detail.', where);
  if (typeof id !== 'string') return id;
  const resource = objectAt(detail, 'resource');
  const named = [
    stringAt(objectAt(resource, 'instanceDetails'), 'instanceId'),
    stringAt(objectAt(resource, 'accessKeyDetails'), 'accessKeyId'),
    ...stringsAt(arrayAt(resource, 's3BucketDetails'), 'name'),
  ].filter((value): value is string => value !== undefined);
  const account = stringAt(detail, 'accountId');
  const region = stringAt(detail, 'region');
  return findingEvent(envelope, {
    id,
    resources: apiResourceIds([...named, ...envelope.resources]),
    account,
    region,
  });
}
