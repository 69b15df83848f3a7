import type { Instance } from '@aws-sdk/client-ec2';
import { defineAction, instanceTargets } from './action.js';
import { changeInstanceState, instanceOrigin } from './instance-state.js';

/** Stopping makes sense only for an instance that runs; EC2 refuses it from pending. */
const originStates = instanceOrigin(['running'], 'stop');

/**
 * `ec2.stop-instances`: stop the instances of the event, only from `running`; an instance in
 * any other state is skipped with the reason.
 */
export const ec2StopInstances = defineAction<{ hibernate?: boolean }, Instance>({
  name: 'ec2.stop-instances',
  summary: 'Stop running EC2 instances.',
  example: ['actions:', '  - action: ec2.stop-instances'].join('\n'),
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: {
      hibernate: {
        type: 'boolean',
        default: false,
        description: 'hibernate the instance instead of stopping it',
      },
    },
  },
  permissions: () => ['ec2:StopInstances'],
  destructive: false,
  originStates,
  targets: instanceTargets,
  describe: ({ resource, params }) => `${params.hibernate ? 'hibernate' : 'stop'} ${resource}`,
  async execute(context) {
    const { resource, params, clients } = context;
    const ec2 = await clients.ec2();
    const { StopInstancesCommand } = await import('@aws-sdk/client-ec2');
    return changeInstanceState(context, 'stopped', () =>
      ec2.send(
        new StopInstancesCommand({ InstanceIds: [resource], Hibernate: params.hibernate === true }),
      ),
    );
  },
});
