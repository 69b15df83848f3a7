import { trailFactOf } from './described.js';
import type { LazyFact } from './lazy-fact.js';

/**
 * `trail`: the status of the event's CloudTrail trail (the `name` of a trail API call):
 * `name`, `isLogging`, `latestDeliveryError`, `latestDeliveryTime`, `stopLoggingTime`.
 * `null` when the trail no longer exists.
 */
export const trailFact: LazyFact = {
  name: 'trail',
  description: 'The status of the trail of the event (CloudTrail GetTrailStatus).',
  fields:
    'name, isLogging, latestDeliveryError, latestDeliveryTime, stopLoggingTime; null when the ' +
    'trail is gone',
  permissions: ['cloudtrail:GetTrailStatus'],
  example: [
    'conditions:',
    '  all:',
    '    - fact: trail',
    '      path: $.isLogging',
    '      operator: equal',
    '      value: false',
  ].join('\n'),
  async fetch(event, clients) {
    const name = event.eventSource === 'cloudtrail.amazonaws.com' ? event.request?.name : undefined;
    if (name === undefined) return undefined;
    const { GetTrailStatusCommand } = await import('@aws-sdk/client-cloudtrail');
    try {
      const status = await (
        await clients.cloudTrail()
      ).send(new GetTrailStatusCommand({ Name: name }));
      return trailFactOf(name, status);
    } catch (error) {
      if (error instanceof Error && error.name === 'TrailNotFoundException') return null;
      throw error;
    }
  },
};
