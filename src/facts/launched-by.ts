import type { LazyFact } from './lazy-fact.js';
import { resourceWithPrefix } from './lazy-fact.js';

/**
 * `launchedBy`: who launched the event's instance, from the RunInstances record CloudTrail
 * event history holds (an EC2 state change does not say): `arn`, `type`, `userName`,
 * `principalId`, `time`. `null` when the history has no such record (it keeps 90 days).
 */
export const launchedByFact: LazyFact = {
  name: 'launchedBy',
  description: 'Who launched the instance of the event (CloudTrail LookupEvents).',
  fields:
    'arn, type, userName, principalId, time of the RunInstances call; null when the ' +
    'event history (90 days) has none',
  permissions: ['cloudtrail:LookupEvents'],
  example: [
    'conditions:',
    '  all:',
    '    - fact: launchedBy',
    '      path: $.type',
    '      operator: equal',
    '      value: Root',
  ].join('\n'),
  async fetch(event, clients) {
    const instanceId = resourceWithPrefix(event, 'i');
    if (instanceId === undefined) return undefined;
    const { LookupEventsCommand } = await import('@aws-sdk/client-cloudtrail');
    const found = await (
      await clients.cloudTrail()
    ).send(
      new LookupEventsCommand({
        LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: instanceId }],
        MaxResults: 50,
      }),
    );
    const launch = found.Events?.find((item) => item.EventName === 'RunInstances');
    if (!launch?.CloudTrailEvent) return null;
    const record = JSON.parse(launch.CloudTrailEvent) as {
      userIdentity?: { arn?: string; type?: string; userName?: string; principalId?: string };
      eventTime?: string;
    };
    return {
      arn: record.userIdentity?.arn,
      type: record.userIdentity?.type,
      userName: record.userIdentity?.userName ?? launch.Username,
      principalId: record.userIdentity?.principalId,
      time: record.eventTime ?? launch.EventTime?.toISOString(),
    };
  },
};
