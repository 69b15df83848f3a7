import type { Instance } from '@aws-sdk/client-ec2';
import { defineAction, instanceTargets } from './action.js';
import { changeInstanceState, instanceOrigin } from './instance-state.js';

/** Only a stopped instance can be started; a stopping one must finish stopping first. */
const originStates = instanceOrigin(['stopped'], 'start');

/**
 * `ec2.start-instances`: start the instances of the event, only from `stopped`; an instance in
 * any other state is skipped with the reason.
 */
export const ec2StartInstances = defineAction<Record<string, never>, Instance>({
  name: 'ec2.start-instances',
  summary: 'Start stopped EC2 instances.',
  example: ['actions:', '  - action: ec2.start-instances'].join('\n'),
  paramsSchema: { type: 'object', additionalProperties: false, properties: {} },
  permissions: () => ['ec2:StartInstances'],
  destructive: false,
  originStates,
  targets: instanceTargets,
  describe: ({ resource }) => `start ${resource}`,
  async execute(context) {
    const ec2 = await context.clients.ec2();
    const { StartInstancesCommand } = await import('@aws-sdk/client-ec2');
    return changeInstanceState(context, 'started', () =>
      ec2.send(new StartInstancesCommand({ InstanceIds: [context.resource] })),
    );
  },
});
