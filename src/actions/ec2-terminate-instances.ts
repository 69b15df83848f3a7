import type { Instance } from '@aws-sdk/client-ec2';
import { defineAction, instanceTargets } from './action.js';
import { changeInstanceState, instanceOrigin } from './instance-state.js';

/** Every state an instance can be terminated from: not once it is shutting down or gone. */
const originStates = instanceOrigin(['running', 'stopped', 'stopping', 'pending'], 'terminate');

/**
 * `ec2.terminate-instances`: terminate the instances of the event. Destructive: the instance and
 * its delete-on-termination volumes are gone for good, so the rule must opt in with
 * `allowDestructive: true`. An instance already shutting down or terminated is skipped.
 */
export const ec2TerminateInstances = defineAction<Record<string, never>, Instance>({
  name: 'ec2.terminate-instances',
  summary: 'Terminate EC2 instances (destructive).',
  example: [
    'allowDestructive: true',
    'actions:',
    '  - action: ec2.create-snapshots',
    '  - action: ec2.terminate-instances',
  ].join('\n'),
  paramsSchema: { type: 'object', additionalProperties: false, properties: {} },
  permissions: () => ['ec2:TerminateInstances'],
  destructive: true,
  originStates,
  targets: instanceTargets,
  describe: ({ resource }) => `terminate ${resource}`,
  async execute(context) {
    const ec2 = await context.clients.ec2();
    const { TerminateInstancesCommand } = await import('@aws-sdk/client-ec2');
    return changeInstanceState(context, 'terminated', () =>
      ec2.send(new TerminateInstancesCommand({ InstanceIds: [context.resource] })),
    );
  },
});
