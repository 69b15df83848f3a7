import { objectAt, stringAt } from '../../json/fields.js';
import type { SourceError, StewardEvent } from '../steward-event.js';
import { findingEvent, requiredString, type AwsEnvelope } from './envelope.js';
import { apiResourceIds } from './resource-ids.js';

/** AWS Config's detail-type for a rule's evaluation of a resource changing. */
export const CONFIG_COMPLIANCE_CHANGE = 'Config Rules Compliance Change';

/** AWS Config's detail-type for a recorded change of a resource's configuration. */
export const CONFIG_ITEM_CHANGE = 'Config Configuration Item Change';

const WHAT = 'Config compliance change';

/**
 * Decodes a "Config Rules Compliance Change" (`aws.config`). The resource is `detail.resourceId`
 * (an instance id, a security group id, a bucket name: as Config records it). The id names the
 * account, region, rule and resource and the evaluation's `resultRecordedTime`: a new
 * evaluation is a new event, a redelivery of the same one is not; the account and region are
 * part of it because a conformance pack deploys the same rule name in every account and region.
 *
 * @example
 * const event = decodeConfigComplianceChange(envelope, 'lambda event');
 * if (!isSourceError(event)) console.log(event.resources[0], 'is now', readPath(event.raw, ['detail', 'newEvaluationResult', 'complianceType']));
 */
export function decodeConfigComplianceChange(
  envelope: AwsEnvelope,
  where: string,
): StewardEvent | SourceError {
  const { detail } = envelope;
  const rule = requiredString(detail, 'configRuleName', WHAT, 'detail.configRuleName', where);
  if (typeof rule !== 'string') return rule;
  const resourceId = requiredString(detail, 'resourceId', WHAT, 'detail.resourceId', where);
  if (typeof resourceId !== 'string') return resourceId;
  const recorded = requiredString(
    objectAt(detail, 'newEvaluationResult'),
    'resultRecordedTime',
    WHAT,
    'detail.newEvaluationResult.resultRecordedTime',
    where,
  );
  if (typeof recorded !== 'string') return recorded;
  const account = stringAt(detail, 'awsAccountId') ?? envelope.account;
  const region = stringAt(detail, 'awsRegion') ?? envelope.region;
  const resourceType = stringAt(detail, 'resourceType') ?? '';
  return findingEvent(envelope, {
    id: `config-rule:${account ?? ''}:${region ?? ''}:${rule}:${resourceType}:${resourceId}@${recorded}`,
    resources: apiResourceIds([resourceId]),
    ...(account === undefined ? {} : { account }),
    ...(region === undefined ? {} : { region }),
  });
}

/**
 * Decodes a "Config Configuration Item Change" (`aws.config`): its `configurationItem` (or,
 * for an oversized item, `configurationItemSummary`). The id names the account, region and
 * resource and the item's `configurationItemCaptureTime`.
 *
 * @example
 * const event = decodeConfigItemChange(envelope, 'lambda event');
 * if (!isSourceError(event)) console.log(event.resources[0]); // 'sg-0123456789abcdef0'
 */
export function decodeConfigItemChange(
  envelope: AwsEnvelope,
  where: string,
): StewardEvent | SourceError {
  const { detail } = envelope;
  const field =
    detail.configurationItem === undefined ? 'configurationItemSummary' : 'configurationItem';
  const item = objectAt(detail, field);
  const what = 'Config configuration item change';
  if (item === undefined) return { message: `${what} has no detail.configurationItem`, where };
  const resourceId = requiredString(item, 'resourceId', what, `detail.${field}.resourceId`, where);
  if (typeof resourceId !== 'string') return resourceId;
  const captured = requiredString(
    item,
    'configurationItemCaptureTime',
    what,
    `detail.${field}.configurationItemCaptureTime`,
    where,
  );
  if (typeof captured !== 'string') return captured;
  const account = stringAt(item, 'awsAccountId') ?? envelope.account;
  const region = stringAt(item, 'awsRegion') ?? envelope.region;
  const resourceType = stringAt(item, 'resourceType') ?? '';
  return findingEvent(envelope, {
    id: `config-item:${account ?? ''}:${region ?? ''}:${resourceType}:${resourceId}@${captured}`,
    resources: apiResourceIds([resourceId]),
    ...(account === undefined ? {} : { account }),
    ...(region === undefined ? {} : { region }),
  });
}
