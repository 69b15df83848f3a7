import { describeValue, isObject, objectAt, stringAt } from '../json/fields.js';
import type { SourceError, StewardEvent } from './steward-event.js';

/** The EventBridge detail-type of an EC2 instance state change. */
export const EC2_STATE_DETAIL_TYPE = 'EC2 Instance State-change Notification';

/** The one source of EC2 state changes. */
const EC2_SOURCE = 'aws.ec2';

/**
 * Normalizes an EventBridge "EC2 Instance State-change Notification", believed only from the
 * source `aws.ec2`, which AWS alone can emit. The id is the envelope's `id`, which EventBridge
 * keeps when it redelivers the event; account and region are the envelope's.
 *
 * @example
 * const result = decodeEc2StateChange(event, 'lambda event');
 * if (!isSourceError(result)) console.log(result.resources[0], 'is now', result.name);
 */
export function decodeEc2StateChange(envelope: unknown, where: string): StewardEvent | SourceError {
  const missing = (field: string): SourceError => ({
    message: `EC2 state-change event has no ${field}`,
    where,
  });
  if (!isObject(envelope)) {
    return {
      message: `EC2 state-change event is not an object (got ${describeValue(envelope)})`,
      where,
    };
  }
  const source = stringAt(envelope, 'source');
  if (source !== EC2_SOURCE) {
    return {
      message: `EC2 state-change event from ${source === undefined ? 'no source' : `source ${JSON.stringify(source)}`} is not believed: only ${EC2_SOURCE}, which AWS alone emits`,
      where,
    };
  }
  const id = stringAt(envelope, 'id');
  if (id === undefined) return missing('id');
  const time = stringAt(envelope, 'time');
  if (time === undefined) return missing('time');
  const detail = objectAt(envelope, 'detail');
  if (detail === undefined) return missing('detail');
  const instanceId = stringAt(detail, 'instance-id');
  if (instanceId === undefined) return missing('detail.instance-id');
  const state = stringAt(detail, 'state');
  if (state === undefined) return missing('detail.state');

  const event: StewardEvent = {
    id,
    source: 'ec2-state',
    name: state,
    time,
    resources: [instanceId],
    raw: envelope,
    delivery: 'eventbridge',
  };
  const account = stringAt(envelope, 'account');
  if (account !== undefined) event.account = account;
  const region = stringAt(envelope, 'region');
  if (region !== undefined) event.region = region;
  return event;
}
