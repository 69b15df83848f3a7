import type { EC2Client } from '@aws-sdk/client-ec2';
import { defineAction, instanceTargets } from './action.js';

/** Stopping makes sense only for an instance that runs; EC2 refuses it from pending. */
const originStates = ['running'];

async function currentState(ec2: EC2Client, instanceId: string): Promise<string | undefined> {
  const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  return described.Reservations?.[0]?.Instances?.[0]?.State?.Name;
}

/**
 * `ec2.stop-instances`: stop the instances of the event, only from `running`; an instance in
 * any other state is skipped with the reason.
 *
 * ```yaml
 * actions:
 *   - action: ec2.stop-instances
 * ```
 */
export const ec2StopInstances = defineAction<{ hibernate?: boolean }>({
  name: 'ec2.stop-instances',
  summary: 'Stop running EC2 instances.',
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { hibernate: { type: 'boolean', default: false } },
  },
  permissions: ['ec2:DescribeInstances', 'ec2:StopInstances'],
  destructive: false,
  targets: instanceTargets,
  describe: ({ resource, params }) => `${params.hibernate ? 'hibernate' : 'stop'} ${resource}`,
  async execute({ resource, params, clients }) {
    const ec2 = await clients.ec2();
    const state = await currentState(ec2, resource);
    if (state === undefined || !originStates.includes(state)) {
      return {
        status: 'skipped',
        detail: `did not stop ${resource}: it is ${state ?? 'not found'}, and stop acts only from ${originStates.join(' or ')}`,
        data: { state },
      };
    }
    const { StopInstancesCommand } = await import('@aws-sdk/client-ec2');
    await ec2.send(
      new StopInstancesCommand({ InstanceIds: [resource], Hibernate: params.hibernate === true }),
    );
    return {
      status: 'succeeded',
      detail: `stopped ${resource} (was ${state})`,
      data: { previousState: state },
    };
  },
});
