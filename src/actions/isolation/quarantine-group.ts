import type { EC2Client, IpPermission, SecurityGroup } from '@aws-sdk/client-ec2';
import { StewardError } from '../../errors.js';

/** The tag that tells people (and steward) what the quarantine group is for. */
export const quarantineTag = {
  Key: 'steward:purpose',
  Value: 'quarantine: no traffic in or out; instances isolated by steward ec2.isolate-instance',
};

/** EC2's words, and only printable ASCII it accepts in a group description. */
const description =
  'steward quarantine: no inbound or outbound traffic. ec2.restore-instance-security-groups puts the previous groups back.';

/**
 * A quarantine group that could neither be found nor created.
 *
 * @example
 * throw new QuarantineGroupError('the quarantine group steward-quarantine of vpc-0123 has no id');
 */
export class QuarantineGroupError extends StewardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QuarantineGroupError';
  }
}

/**
 * The quarantine security group of one VPC: found by name there, or created with no ingress,
 * its default all-traffic egress revoked and tagged so people know what it is. Two isolations
 * racing in one VPC end with one group: the loser of the create finds the winner's. A found
 * group still holding the all-traffic egress (its creator stopped before revoking it) loses it.
 *
 * @example
 * const groupId = await quarantineGroupOf(ec2, 'vpc-0123', 'steward-quarantine', 'guardduty-ec2');
 */
export async function quarantineGroupOf(
  ec2: EC2Client,
  vpcId: string,
  groupName: string,
  ruleId: string,
): Promise<string> {
  let group = await findGroup(ec2, vpcId, groupName);
  if (group === undefined) {
    const created = await createGroup(ec2, vpcId, groupName, ruleId);
    group = await findGroup(ec2, vpcId, groupName, created);
    if (group === undefined)
      throw new QuarantineGroupError(
        `the quarantine group ${groupName} of ${vpcId} was ${created === undefined ? 'created by another isolation' : `created as ${created}`} but DescribeSecurityGroups does not find it`,
      );
  }
  await revokeOpenEgress(ec2, group);
  if (group.GroupId === undefined)
    throw new QuarantineGroupError(`the quarantine group ${groupName} of ${vpcId} has no id`);
  return group.GroupId;
}

async function findGroup(
  ec2: EC2Client,
  vpcId: string,
  groupName: string,
  groupId?: string,
): Promise<SecurityGroup | undefined> {
  const { DescribeSecurityGroupsCommand } = await import('@aws-sdk/client-ec2');
  const { SecurityGroups } = await ec2.send(
    new DescribeSecurityGroupsCommand(
      groupId === undefined
        ? {
            Filters: [
              { Name: 'vpc-id', Values: [vpcId] },
              { Name: 'group-name', Values: [groupName] },
            ],
          }
        : { GroupIds: [groupId] },
    ),
  );
  return SecurityGroups?.[0];
}

/** The new group's id, or undefined when another isolation created it first. */
async function createGroup(
  ec2: EC2Client,
  vpcId: string,
  groupName: string,
  ruleId: string,
): Promise<string | undefined> {
  const { CreateSecurityGroupCommand } = await import('@aws-sdk/client-ec2');
  try {
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: groupName,
        Description: description,
        VpcId: vpcId,
        TagSpecifications: [
          {
            ResourceType: 'security-group',
            Tags: [
              { Key: 'Name', Value: groupName },
              quarantineTag,
              { Key: 'steward:rule', Value: ruleId },
            ],
          },
        ],
      }),
    );
    return GroupId;
  } catch (error) {
    if (error instanceof Error && error.name === 'InvalidGroup.Duplicate') return undefined;
    throw error;
  }
}

const everyIpv4 = '0.0.0.0/0';
const everyIpv6 = '::/0';

/** Revokes the all-traffic egress EC2 gives every new group; rules people added stay. */
async function revokeOpenEgress(ec2: EC2Client, group: SecurityGroup): Promise<void> {
  const open: IpPermission[] = [];
  for (const permission of group.IpPermissionsEgress ?? []) {
    if (permission.IpProtocol !== '-1') continue;
    if (permission.IpRanges?.some(({ CidrIp }) => CidrIp === everyIpv4))
      open.push({ IpProtocol: '-1', IpRanges: [{ CidrIp: everyIpv4 }] });
    if (permission.Ipv6Ranges?.some(({ CidrIpv6 }) => CidrIpv6 === everyIpv6))
      open.push({ IpProtocol: '-1', Ipv6Ranges: [{ CidrIpv6: everyIpv6 }] });
  }
  if (open.length === 0) return;
  const { RevokeSecurityGroupEgressCommand } = await import('@aws-sdk/client-ec2');
  try {
    await ec2.send(
      new RevokeSecurityGroupEgressCommand({ GroupId: group.GroupId, IpPermissions: open }),
    );
  } catch (error) {
    // A racing isolation revoked it first.
    if (!(error instanceof Error && error.name === 'InvalidPermission.NotFound')) throw error;
  }
}
