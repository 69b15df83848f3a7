import type { LazyFact } from './lazy-fact.js';
import { securityGroupFactOf } from './described.js';
import { resourceWithPrefix } from './lazy-fact.js';

/**
 * `securityGroup`: the event's security group now: `groupId`, `groupName`, `vpcId`, `tags`,
 * and `ingress`, one entry per permission with `protocol`, `fromPort`, `toPort`, `cidrs`,
 * `ipv6Cidrs`, `groups` (so `$.ingress[*].cidrs[*]` with `worldOpen` finds open rules).
 * `null` when the group no longer exists.
 */
export const securityGroupFact: LazyFact = {
  name: 'securityGroup',
  description: 'The security group of the event (DescribeSecurityGroups).',
  fields:
    'groupId, groupName, vpcId, tags, ingress (one entry a permission: protocol, fromPort, ' +
    'toPort, cidrs, ipv6Cidrs, groups); null when the group is gone',
  permissions: ['ec2:DescribeSecurityGroups'],
  example: [
    'conditions:',
    '  all:',
    '    - fact: securityGroup',
    "      path: '$.ingress[*].cidrs[*]'",
    '      operator: worldOpen',
    '      value: true',
  ].join('\n'),
  async fetch(event, clients) {
    const groupId = resourceWithPrefix(event, 'sg');
    if (groupId === undefined) return undefined;
    const { DescribeSecurityGroupsCommand } = await import('@aws-sdk/client-ec2');
    try {
      const described = await (
        await clients.ec2()
      ).send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
      const group = described.SecurityGroups?.[0];
      if (!group) return null;
      return securityGroupFactOf(group);
    } catch (error) {
      if (error instanceof Error && error.name === 'InvalidGroup.NotFound') return null;
      throw error;
    }
  },
};
