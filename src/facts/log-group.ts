import type { LazyFact } from './lazy-fact.js';

/**
 * `logGroup`: the event's CloudWatch Logs log group (the group of a log event, or the
 * `logGroupName` of a Logs API call): `name`, `retentionInDays` (absent: kept forever),
 * `kmsKeyId`, `storedBytes`, `creationTime`. `null` when the group no longer exists.
 */
export const logGroupFact: LazyFact = {
  name: 'logGroup',
  description: 'The log group of the event (CloudWatch Logs DescribeLogGroups).',
  permissions: ['logs:DescribeLogGroups'],
  async fetch(event, clients) {
    const name = event.source === 'cloudwatch-logs' ? event.name : event.request?.logGroupName;
    if (name === undefined) return undefined;
    const { DescribeLogGroupsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const described = await (
      await clients.logs()
    ).send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 50 }));
    const group = described.logGroups?.find((candidate) => candidate.logGroupName === name);
    if (!group) return null;
    return {
      name,
      retentionInDays: group.retentionInDays,
      kmsKeyId: group.kmsKeyId,
      storedBytes: group.storedBytes,
      creationTime:
        group.creationTime === undefined ? undefined : new Date(group.creationTime).toISOString(),
    };
  },
};
