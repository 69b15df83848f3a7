import type { CloudWatchLogsClient, LogGroup } from '@aws-sdk/client-cloudwatch-logs';
import { logGroupFactOf } from './described.js';
import type { LazyFact } from './lazy-fact.js';

/**
 * The log group of exactly this name, or undefined when none stands. Groups whose names extend
 * this one share its prefix, so every page of them is read until the exact name turns up.
 *
 * @example
 * const group = await findLogGroup(await clients.logs(), '/var/log/secure');
 * console.log(group?.retentionInDays);
 */
export async function findLogGroup(
  logs: CloudWatchLogsClient,
  name: string,
): Promise<LogGroup | undefined> {
  const { paginateDescribeLogGroups } = await import('@aws-sdk/client-cloudwatch-logs');
  for await (const page of paginateDescribeLogGroups(
    { client: logs },
    { logGroupNamePrefix: name },
  )) {
    const found = page.logGroups?.find((group) => group.logGroupName === name);
    if (found) return found;
  }
  return undefined;
}

/**
 * `logGroup`: the event's CloudWatch Logs log group (the group of a log event, or the
 * `logGroupName` of a Logs API call): `name`, `retentionInDays` (absent: kept forever),
 * `kmsKeyId`, `storedBytes`, `creationTime`. `null` when the group no longer exists.
 */
export const logGroupFact: LazyFact = {
  name: 'logGroup',
  description: 'The log group of the event (CloudWatch Logs DescribeLogGroups).',
  fields:
    'name, retentionInDays (absent: kept forever), kmsKeyId, storedBytes, creationTime; null ' +
    'when the group is gone',
  permissions: ['logs:DescribeLogGroups'],
  example: [
    'conditions:',
    '  all:',
    '    - fact: logGroup',
    '      path: $.retentionInDays',
    '      operator: absent',
    '      value: true',
  ].join('\n'),
  async fetch(event, clients) {
    const name = event.source === 'cloudwatch-logs' ? event.name : event.request?.logGroupName;
    if (name === undefined) return undefined;
    const group = await findLogGroup(await clients.logs(), name);
    if (!group) return null;
    return logGroupFactOf(group);
  },
};
