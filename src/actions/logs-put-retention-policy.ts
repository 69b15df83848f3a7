import { findLogGroup } from '../facts/log-group.js';
import { defineAction } from './action.js';

/** The retention periods CloudWatch Logs accepts, in days. */
const retentionDays = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
];

/**
 * `logs.put-retention-policy`: cap how long a log group keeps its events, so logs do not pile up
 * (and cost) forever. It acts on the log group of a CloudTrail record
 * (`requestParameters.logGroupName`, e.g. of `CreateLogGroup`), or on the log group a
 * CloudWatch Logs event came from. A group that already keeps events no longer than asked is
 * left as it is: this never lengthens a retention.
 */
export const logsPutRetentionPolicy = defineAction<{ retentionInDays: number }>({
  name: 'logs.put-retention-policy',
  summary: 'Set how many days a CloudWatch Logs group keeps its events.',
  example: [
    'triggers:',
    '  - source: cloudtrail',
    '    eventSource: logs.amazonaws.com',
    '    events: [CreateLogGroup]',
    'actions:',
    '  - action: logs.put-retention-policy',
    '    params: { retentionInDays: 90 }',
  ].join('\n'),
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['retentionInDays'],
    properties: {
      retentionInDays: {
        type: 'integer',
        enum: retentionDays,
        description: 'days to keep events; a shorter retention already set is kept',
      },
    },
  },
  permissions: () => ['logs:DescribeLogGroups', 'logs:PutRetentionPolicy'],
  destructive: false,
  targets: (event) => {
    const logGroup = event.source === 'cloudwatch-logs' ? event.name : event.request?.logGroupName;
    return logGroup === undefined ? [] : [logGroup];
  },
  describe: ({ resource, params }) =>
    `keep the events of log group ${resource} for ${params.retentionInDays} days`,
  async execute({ resource, params, clients }) {
    const logs = await clients.logs();
    const group = await findLogGroup(logs, resource);
    if (group === undefined) {
      return {
        status: 'skipped',
        detail: `did not set the retention of log group ${resource}: it does not exist`,
      };
    }
    const current = group.retentionInDays;
    if (current !== undefined && current <= params.retentionInDays) {
      return {
        status: 'skipped',
        detail: `did not set the retention of log group ${resource}: it keeps events ${current} days already, no longer than ${params.retentionInDays}`,
        data: { retentionInDays: current },
      };
    }
    const { PutRetentionPolicyCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    await logs.send(
      new PutRetentionPolicyCommand({
        logGroupName: resource,
        retentionInDays: params.retentionInDays,
      }),
    );
    return {
      status: 'succeeded',
      detail: `set the retention of log group ${resource} to ${params.retentionInDays} days (was ${current === undefined ? 'never expire' : `${current} days`})`,
      data: { previousRetentionInDays: current },
    };
  },
});
