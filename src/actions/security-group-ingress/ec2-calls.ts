import type {
  EC2Client,
  IpPermission,
  RevokeSecurityGroupIngressCommandInput,
} from '@aws-sdk/client-ec2';
import { ruleIdsOf, type AddedRule } from './ingress-rule.js';

/** EC2's answer to a group name that names no group (of the default VPC). */
const groupNotFound = new Set(['InvalidGroup.NotFound', 'InvalidGroupId.NotFound']);

/**
 * The id of a group named by name: one DescribeSecurityGroups, by name in the record's VPC or
 * (EC2's own rule for `GroupNames`) in the default VPC. Undefined when no such group stands.
 *
 * @example
 * await resolveGroupId(ec2, { groupName: 'web' }); // 'sg-0123'
 */
export async function resolveGroupId(
  ec2: EC2Client,
  group: { groupName: string; vpcId?: string },
): Promise<string | undefined> {
  const { DescribeSecurityGroupsCommand } = await import('@aws-sdk/client-ec2');
  const input =
    group.vpcId === undefined
      ? { GroupNames: [group.groupName] }
      : {
          Filters: [
            { Name: 'group-name', Values: [group.groupName] },
            { Name: 'vpc-id', Values: [group.vpcId] },
          ],
        };
  try {
    const described = await ec2.send(new DescribeSecurityGroupsCommand(input));
    return described.SecurityGroups?.[0]?.GroupId;
  } catch (error) {
    if (error instanceof Error && groupNotFound.has(error.name)) return undefined;
    throw error;
  }
}

/**
 * The rules, each known by its id, that the group still has: one DescribeSecurityGroupRules.
 *
 * @example
 * const rules = await standingRules(ec2, 'sg-0123', revocation.rules);
 * if (rules.length === 0) console.log('gone already');
 */
export async function standingRules(
  ec2: EC2Client,
  groupId: string,
  rules: readonly AddedRule[],
): Promise<AddedRule[]> {
  const { DescribeSecurityGroupRulesCommand } = await import('@aws-sdk/client-ec2');
  const described = await ec2.send(
    new DescribeSecurityGroupRulesCommand({
      Filters: [
        { Name: 'group-id', Values: [groupId] },
        { Name: 'security-group-rule-id', Values: ruleIdsOf(rules) },
      ],
    }),
  );
  const standing = new Set(described.SecurityGroupRules?.map((rule) => rule.SecurityGroupRuleId));
  return rules.filter((rule) => standing.has(rule.ruleId));
}

/** What a revocation asked of EC2, and the permissions EC2 said the group does not have. */
export interface Revoked {
  input: RevokeSecurityGroupIngressCommandInput;
  unknown: IpPermission[];
}

/**
 * Revokes the rules from the group: by their ids, or by their permissions. By permission, a
 * rule that is gone is listed as unknown, whether EC2 says so in its answer (a default VPC) or
 * refuses the whole call (any other VPC, where each rule is then revoked alone).
 *
 * @example
 * const { unknown } = await revokeRules(ec2, 'sg-0123', rules, false);
 * if (unknown.length >= rules.length) console.log('gone already');
 */
export async function revokeRules(
  ec2: EC2Client,
  groupId: string,
  rules: readonly AddedRule[],
  byRuleId: boolean,
): Promise<Revoked> {
  const { RevokeSecurityGroupIngressCommand } = await import('@aws-sdk/client-ec2');
  const input: RevokeSecurityGroupIngressCommandInput = byRuleId
    ? { GroupId: groupId, SecurityGroupRuleIds: ruleIdsOf(rules) }
    : { GroupId: groupId, IpPermissions: rules.map(toPermission) };
  try {
    // By permission, in a default VPC, EC2 does not fail on a rule that is gone: it lists it
    // as unknown.
    const revoked = await ec2.send(new RevokeSecurityGroupIngressCommand(input));
    return { input, unknown: revoked.UnknownIpPermissions ?? [] };
  } catch (error) {
    // In any other VPC it refuses the whole call: each rule is then revoked alone.
    if (!isPermissionNotFound(error) || byRuleId) throw error;
    return { input, unknown: await revokeEach(ec2, groupId, rules.map(toPermission)) };
  }
}

function toPermission(rule: AddedRule): IpPermission {
  const permission: IpPermission = { IpProtocol: rule.protocol };
  if (rule.fromPort !== undefined) permission.FromPort = rule.fromPort;
  if (rule.toPort !== undefined) permission.ToPort = rule.toPort;
  const { source } = rule;
  if ('cidrIpv4' in source) permission.IpRanges = [{ CidrIp: source.cidrIpv4 }];
  else if ('cidrIpv6' in source) permission.Ipv6Ranges = [{ CidrIpv6: source.cidrIpv6 }];
  else if ('prefixListId' in source)
    permission.PrefixListIds = [{ PrefixListId: source.prefixListId }];
  else
    permission.UserIdGroupPairs = [
      source.userId
        ? { GroupId: source.groupId, UserId: source.userId }
        : { GroupId: source.groupId },
    ];
  return permission;
}

function isPermissionNotFound(error: unknown): boolean {
  return error instanceof Error && error.name === 'InvalidPermission.NotFound';
}

/** Revokes each permission alone; returns those EC2 says the group does not have. */
async function revokeEach(
  ec2: EC2Client,
  groupId: string,
  permissions: readonly IpPermission[],
): Promise<IpPermission[]> {
  const { RevokeSecurityGroupIngressCommand } = await import('@aws-sdk/client-ec2');
  const unknown: IpPermission[] = [];
  for (const permission of permissions) {
    try {
      await ec2.send(
        new RevokeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: [permission] }),
      );
    } catch (error) {
      if (!isPermissionNotFound(error)) throw error;
      unknown.push(permission);
    }
  }
  return unknown;
}
