import { arrayAt, isObject, stringAt } from '../../json/fields.js';
import type { StewardEvent } from '../steward-event.js';
import { findingEvent, type AwsEnvelope } from './envelope.js';
import { apiResourceIds } from './resource-ids.js';

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** AWS Health's detail-type. */
export const HEALTH_EVENT = 'AWS Health Event';

/**
 * Decodes an "AWS Health Event" (`aws.health`). Its resources are the envelope's `resources`
 * and the `entityValue` of each of `detail.affectedEntities`, in `detail.eventRegion` when it
 * names a region. Health publishes an event again
 * when it updates it, so the id is `detail.eventArn` and `detail.lastUpdatedTime` where both
 * are there, with the affected account (a Health event's ARN names no account, and an
 * organization's accounts share it); else EventBridge's id of the envelope.
 *
 * @example
 * const event = decodeHealthEvent(envelope, 'lambda event');
 * event.resources; // ['i-0123456789abcdef0']
 */
export function decodeHealthEvent(envelope: AwsEnvelope): StewardEvent {
  const { detail } = envelope;
  const entities = (arrayAt(detail, 'affectedEntities') ?? [])
    .map((entity) => (isObject(entity) ? stringAt(entity, 'entityValue') : undefined))
    .filter((value): value is string => value !== undefined);
  const account = stringAt(detail, 'affectedAccount') ?? envelope.account;
  const eventArn = stringAt(detail, 'eventArn');
  const updated = stringAt(detail, 'lastUpdatedTime');
  const id =
    eventArn !== undefined && updated !== undefined
      ? `${eventArn}@${updated}${account === undefined ? '' : `#${account}`}`
      : envelope.id;
  // `global` for a service without regions: its event is in the envelope's region.
  const eventRegion = stringAt(detail, 'eventRegion');
  const region = eventRegion !== undefined && REGION.test(eventRegion) ? eventRegion : undefined;
  return findingEvent(envelope, {
    id,
    resources: apiResourceIds([...envelope.resources, ...entities]),
    ...(account === undefined ? {} : { account }),
    ...(region === undefined ? {} : { region }),
  });
}
