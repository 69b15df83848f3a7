import type { Instance } from '@aws-sdk/client-ec2';

/** A security group as an instance's network interface names it. */
export interface GroupRef {
  groupId: string;
  groupName?: string;
}

/** One network interface of an instance, with the VPC it is in and its security groups. */
export interface InstanceInterface {
  networkInterfaceId: string;
  vpcId: string;
  groups: GroupRef[];
}

/**
 * The network interfaces of an instance as DescribeInstances reports them, each with its own
 * VPC and groups: an instance's interfaces may sit in different VPCs, and each has its groups.
 *
 * @example
 * instanceInterfaces(instance); // [{ networkInterfaceId: 'eni-0a', vpcId: 'vpc-1', groups: [{ groupId: 'sg-1', groupName: 'web' }] }]
 */
export function instanceInterfaces(instance: Instance | undefined): InstanceInterface[] {
  return (instance?.NetworkInterfaces ?? []).flatMap((networkInterface) => {
    const { NetworkInterfaceId: networkInterfaceId, VpcId: vpcId } = networkInterface;
    if (networkInterfaceId === undefined || vpcId === undefined) return [];
    const groups = (networkInterface.Groups ?? []).flatMap(({ GroupId, GroupName }) =>
      GroupId === undefined
        ? []
        : [
            GroupName === undefined
              ? { groupId: GroupId }
              : { groupId: GroupId, groupName: GroupName },
          ],
    );
    return [{ networkInterfaceId, vpcId, groups }];
  });
}

/**
 * Groups as a sentence names them: `sg-1 (web), sg-2`, or `no group`.
 *
 * @example
 * groupList([{ groupId: 'sg-1', groupName: 'web' }]); // 'sg-1 (web)'
 */
export function groupList(groups: readonly GroupRef[]): string {
  return groups.length === 0
    ? 'no group'
    : groups
        .map(({ groupId, groupName }) =>
          groupName === undefined ? groupId : `${groupId} (${groupName})`,
        )
        .join(', ');
}
