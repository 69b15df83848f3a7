import { defineAction } from './action.js';
import { trailLoggingState } from './origin-state.js';

/**
 * `cloudtrail.start-logging`: turn a trail back on after a `StopLogging` call. It acts on the
 * trail the record names (`requestParameters.name`, a name or an ARN); a trail that is already
 * logging again is skipped.
 */
export const cloudtrailStartLogging = defineAction<Record<string, never>>({
  name: 'cloudtrail.start-logging',
  summary: 'Start logging on a CloudTrail trail that was stopped.',
  example: [
    'triggers:',
    '  - source: cloudtrail',
    '    eventSource: cloudtrail.amazonaws.com',
    '    events: [StopLogging]',
    'actions:',
    '  - action: cloudtrail.start-logging',
  ].join('\n'),
  paramsSchema: { type: 'object', additionalProperties: false, properties: {} },
  permissions: () => ['cloudtrail:StartLogging'],
  destructive: false,
  originStates: {
    states: ['not logging'],
    reader: trailLoggingState,
    verb: 'start logging on trail',
    activity: 'starting logging',
  },
  targets: (event) => {
    const trail = event.request?.name;
    return trail === undefined ? [] : [trail];
  },
  describe: ({ resource }) => `start logging on trail ${resource}`,
  async execute({ resource, clients }) {
    const cloudTrail = await clients.cloudTrail();
    const { StartLoggingCommand } = await import('@aws-sdk/client-cloudtrail');
    await cloudTrail.send(new StartLoggingCommand({ Name: resource }));
    return { status: 'succeeded', detail: `started logging on trail ${resource}` };
  },
});
