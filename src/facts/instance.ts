import type { LazyFact } from './lazy-fact.js';
import { instanceFactOf } from './described.js';
import { resourceWithPrefix } from './lazy-fact.js';

/**
 * `instance`: the event's EC2 instance as DescribeInstances sees it now: `instanceId`, `state`,
 * `instanceType`, `tags` (a map: `$.tags.Owner`), `metadataOptions.httpTokens`, `launchTime`,
 * `imageId`, `vpcId`, `subnetId`, `securityGroups` (ids), `publicIpAddress`, `iamInstanceProfile`.
 * `null` when the instance no longer exists.
 */
export const instanceFact: LazyFact = {
  name: 'instance',
  description: 'The EC2 instance of the event (DescribeInstances).',
  fields:
    'instanceId, state, instanceType, tags (a map: $.tags.Owner), metadataOptions.httpTokens, ' +
    'metadataOptions.httpEndpoint, launchTime, imageId, vpcId, subnetId, securityGroups (ids), ' +
    'publicIpAddress, iamInstanceProfile; null when the instance is gone',
  permissions: ['ec2:DescribeInstances'],
  example: [
    'conditions:',
    '  all:',
    '    - fact: instance',
    '      path: $.tags.Owner',
    '      operator: absent',
    '      value: true',
  ].join('\n'),
  async fetch(event, clients) {
    const instanceId = resourceWithPrefix(event, 'i');
    if (instanceId === undefined) return undefined;
    const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
    try {
      const described = await (
        await clients.ec2()
      ).send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
      const instance = described.Reservations?.[0]?.Instances?.[0];
      if (!instance) return null;
      return instanceFactOf(instance);
    } catch (error) {
      if (error instanceof Error && error.name === 'InvalidInstanceID.NotFound') return null;
      throw error;
    }
  },
};
