import type {
  EC2Client,
  IpPermission,
  RevokeSecurityGroupIngressCommandInput,
} from '@aws-sdk/client-ec2';
import { arrayAt, isObject, objectAt, stringAt, type JsonObject } from '../json/fields.js';
import { isWorldOpen } from '../net/ip-range.js';
import type { StewardEvent } from '../sources/steward-event.js';
import { defineAction, type ActionOutcome } from './action.js';

/** Where an ingress rule lets traffic in from. */
type IngressSource =
  | { cidrIpv4: string }
  | { cidrIpv6: string }
  | { groupId: string; userId?: string }
  | { prefixListId: string };

/** One ingress rule an AuthorizeSecurityGroupIngress call added. */
interface AddedRule {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  source: IngressSource;
  /** `sgr-…`, known when the record's response lists the rules it created. */
  ruleId?: string;
}

/** What to revoke from one group: rules by id when every one has an id, else by permission. */
type Revocation =
  { groupId: string; rules: AddedRule[]; byRuleId: boolean } | { groupId: string; nothing: string };

function portAt(object: JsonObject, key: string): number | undefined {
  const value = object[key];
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

function itemsAt(object: JsonObject | undefined, key: string): JsonObject[] {
  return (arrayAt(objectAt(object, key), 'items') ?? []).filter(isObject);
}

function withPorts(protocol: string, holder: JsonObject, source: IngressSource): AddedRule {
  const rule: AddedRule = { protocol, source };
  const fromPort = portAt(holder, 'fromPort');
  const toPort = portAt(holder, 'toPort');
  if (fromPort !== undefined) rule.fromPort = fromPort;
  if (toPort !== undefined) rule.toPort = toPort;
  return rule;
}

/** The rules of `responseElements.securityGroupRuleSet`: each with its id, ports and source. */
function rulesFromResponse(response: JsonObject | undefined): AddedRule[] {
  const rules: AddedRule[] = [];
  for (const item of itemsAt(response, 'securityGroupRuleSet')) {
    const protocol = stringAt(item, 'ipProtocol');
    const ruleId = stringAt(item, 'securityGroupRuleId');
    if (protocol === undefined || ruleId === undefined || item.isEgress === true) continue;
    const cidrIpv4 = stringAt(item, 'cidrIpv4');
    const cidrIpv6 = stringAt(item, 'cidrIpv6');
    const prefixListId = stringAt(item, 'prefixListId');
    const referenced = stringAt(objectAt(item, 'referencedGroupInfo'), 'groupId');
    const source: IngressSource | undefined =
      cidrIpv4 !== undefined
        ? { cidrIpv4 }
        : cidrIpv6 !== undefined
          ? { cidrIpv6 }
          : prefixListId !== undefined
            ? { prefixListId }
            : referenced !== undefined
              ? { groupId: referenced }
              : undefined;
    if (source !== undefined) rules.push({ ...withPorts(protocol, item, source), ruleId });
  }
  return rules;
}

/**
 * The rules of the request: `ipPermissions.items[]` as the console and the CLI send them, or the
 * older flat form (`ipProtocol`, `fromPort`, `toPort`, `cidrIp` on the request itself).
 */
function rulesFromRequest(request: JsonObject | undefined): AddedRule[] {
  const rules: AddedRule[] = [];
  for (const permission of itemsAt(request, 'ipPermissions')) {
    const protocol = stringAt(permission, 'ipProtocol');
    if (protocol === undefined) continue;
    const sources: IngressSource[] = [];
    for (const range of itemsAt(permission, 'ipRanges')) {
      const cidrIpv4 = stringAt(range, 'cidrIp');
      if (cidrIpv4 !== undefined) sources.push({ cidrIpv4 });
    }
    for (const range of itemsAt(permission, 'ipv6Ranges')) {
      const cidrIpv6 = stringAt(range, 'cidrIpv6');
      if (cidrIpv6 !== undefined) sources.push({ cidrIpv6 });
    }
    for (const pair of itemsAt(permission, 'groups')) {
      const groupId = stringAt(pair, 'groupId');
      const userId = stringAt(pair, 'userId');
      if (groupId !== undefined) sources.push(userId ? { groupId, userId } : { groupId });
    }
    for (const list of itemsAt(permission, 'prefixListIds')) {
      const prefixListId = stringAt(list, 'prefixListId');
      if (prefixListId !== undefined) sources.push({ prefixListId });
    }
    rules.push(...sources.map((source) => withPorts(protocol, permission, source)));
  }
  const protocol = stringAt(request, 'ipProtocol');
  const cidrIpv4 = stringAt(request, 'cidrIp');
  if (request !== undefined && protocol !== undefined && cidrIpv4 !== undefined) {
    rules.push(withPorts(protocol, request, { cidrIpv4 }));
  }
  return rules;
}

/** Whether a rule's source is a range open to every address. */
function opensToEveryAddress(source: IngressSource): boolean {
  const cidr =
    'cidrIpv4' in source ? source.cidrIpv4 : 'cidrIpv6' in source ? source.cidrIpv6 : undefined;
  return cidr !== undefined && isWorldOpen(cidr);
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

/** "tcp 22 from 0.0.0.0/0", "udp 1000-2000 from sg-0123", "all traffic from ::/0". */
function describeRule(rule: AddedRule): string {
  const { source } = rule;
  const from =
    'cidrIpv4' in source
      ? source.cidrIpv4
      : 'cidrIpv6' in source
        ? source.cidrIpv6
        : 'prefixListId' in source
          ? source.prefixListId
          : source.groupId;
  if (rule.protocol === '-1') return `all traffic from ${from}`;
  const ports =
    rule.fromPort === undefined || rule.fromPort === -1
      ? ''
      : rule.fromPort === rule.toPort || rule.toPort === undefined
        ? ` ${rule.fromPort}`
        : ` ${rule.fromPort}-${rule.toPort}`;
  return `${rule.protocol}${ports} from ${from}`;
}

function describeRules(rules: readonly AddedRule[]): string {
  return rules.map(describeRule).join(', ');
}

function ruleIdsOf(rules: readonly AddedRule[]): string[] {
  return rules.flatMap((rule) => (rule.ruleId === undefined ? [] : [rule.ruleId]));
}

/**
 * The group the call changed: by id, or, for a call that named it by `groupName` (which EC2
 * takes for the default VPC), by the id its response gives, else by name, with the VPC the
 * record names if any. Security group names cannot start with `sg-`, so a name never passes for
 * an id.
 */
type GroupRef = { groupId: string } | { groupName: string; vpcId?: string };

function groupOf(event: StewardEvent): GroupRef | undefined {
  const groupId = event.request?.groupId;
  if (groupId !== undefined) return { groupId };
  const record = isObject(event.raw) ? event.raw : undefined;
  for (const item of itemsAt(objectAt(record, 'responseElements'), 'securityGroupRuleSet')) {
    const answered = stringAt(item, 'groupId');
    if (answered !== undefined) return { groupId: answered };
  }
  const groupName = event.request?.groupName;
  if (groupName === undefined) return undefined;
  const vpcId = event.request?.vpcId;
  return vpcId === undefined ? { groupName } : { groupName, vpcId };
}

/** "sg-0123", or "the group web in the default VPC" before its id is known. */
function groupLabel(group: GroupRef): string {
  return 'groupId' in group
    ? group.groupId
    : `the group ${group.groupName} in ${group.vpcId ?? 'the default VPC'}`;
}

/** EC2's answer to a group name that names no group (of the default VPC). */
const groupNotFound = new Set(['InvalidGroup.NotFound', 'InvalidGroupId.NotFound']);

/**
 * The id of a group named by name: one DescribeSecurityGroups, by name in the record's VPC or
 * (EC2's own rule for `GroupNames`) in the default VPC. Undefined when no such group stands.
 */
async function resolveGroupId(
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

/** What the AuthorizeSecurityGroupIngress record of the event added that this action takes back. */
function plan(event: StewardEvent, groupId: string, onlyWorldOpen: boolean): Revocation {
  if (event.error !== undefined) {
    return { groupId, nothing: `the call failed (${event.error.code}), so it added nothing` };
  }
  const record = isObject(event.raw) ? event.raw : undefined;
  const fromResponse = rulesFromResponse(objectAt(record, 'responseElements'));
  const added =
    fromResponse.length > 0
      ? fromResponse
      : rulesFromRequest(objectAt(record, 'requestParameters'));
  if (added.length === 0) {
    return { groupId, nothing: `the ${event.name} record names no ingress rule it added` };
  }
  const rules = onlyWorldOpen ? added.filter((rule) => opensToEveryAddress(rule.source)) : added;
  if (rules.length === 0) {
    return { groupId, nothing: 'the event opened nothing to every address (0.0.0.0/0 or ::/0)' };
  }
  return { groupId, rules, byRuleId: rules.every((rule) => rule.ruleId !== undefined) };
}

function describePlan(revocation: Revocation): string {
  return 'nothing' in revocation
    ? `leave ${revocation.groupId} as it is: ${revocation.nothing}`
    : `revoke ${describeRules(revocation.rules)} on ${revocation.groupId}`;
}

/**
 * `ec2.revoke-security-group-ingress`: take back exactly the ingress rules an
 * `AuthorizeSecurityGroupIngress` call added, not the rest of the group. By default
 * (`onlyWorldOpen: true`) only the rules open to every address (`0.0.0.0/0`, `::/0`) are
 * revoked; `onlyWorldOpen: false` revokes every rule the call added. Rules are revoked by id
 * when the record's response lists them (skipped if they are already gone), otherwise by the
 * permissions of the request. A call that named the group by `groupName` (default VPC) acts on
 * the id its response gives, or on the id one DescribeSecurityGroups finds for the name.
 */
export const ec2RevokeSecurityGroupIngress = defineAction<{ onlyWorldOpen?: boolean }>({
  name: 'ec2.revoke-security-group-ingress',
  summary: 'Revoke the ingress rules an AuthorizeSecurityGroupIngress call added.',
  example: [
    'triggers:',
    '  - source: cloudtrail',
    '    eventSource: ec2.amazonaws.com',
    '    events: [AuthorizeSecurityGroupIngress]',
    'actions:',
    '  - action: ec2.revoke-security-group-ingress',
    '    params: { onlyWorldOpen: true }',
  ].join('\n'),
  paramsSchema: {
    type: 'object',
    additionalProperties: false,
    properties: { onlyWorldOpen: { type: 'boolean', default: true } },
  },
  permissions: () => [
    'ec2:DescribeSecurityGroups',
    'ec2:DescribeSecurityGroupRules',
    'ec2:RevokeSecurityGroupIngress',
  ],
  destructive: false,
  targets: (event) => {
    const group = groupOf(event);
    if (group === undefined) return [];
    return ['groupId' in group ? group.groupId : group.groupName];
  },
  describe: ({ event, params }) => {
    const group = groupOf(event);
    const label = group === undefined ? 'no group' : groupLabel(group);
    return describePlan(plan(event, label, params.onlyWorldOpen !== false));
  },
  async execute({ event, resource, params, clients }) {
    const group = groupOf(event) ?? { groupId: resource };
    const onlyWorldOpen = params.onlyWorldOpen !== false;
    const planned = plan(event, groupLabel(group), onlyWorldOpen);
    if ('nothing' in planned) {
      return {
        status: 'skipped',
        detail: `did not revoke anything on ${planned.groupId}: ${planned.nothing}`,
      };
    }
    const ec2 = await clients.ec2();
    const groupId = 'groupId' in group ? group.groupId : await resolveGroupId(ec2, group);
    if (groupId === undefined) {
      return {
        status: 'skipped',
        detail: `did not revoke anything: ${groupLabel(group)} is gone already`,
      };
    }
    const revocation = { ...planned, groupId };
    const named = 'groupName' in group ? ` (${group.groupName})` : '';
    const { DescribeSecurityGroupRulesCommand, RevokeSecurityGroupIngressCommand } =
      await import('@aws-sdk/client-ec2');
    const gone: ActionOutcome = {
      status: 'skipped',
      detail: `did not revoke anything on ${groupId}${named}: ${describeRules(revocation.rules)} is gone already`,
    };
    let rules = revocation.rules;
    let input: RevokeSecurityGroupIngressCommandInput;
    if (revocation.byRuleId) {
      const described = await ec2.send(
        new DescribeSecurityGroupRulesCommand({
          Filters: [
            { Name: 'group-id', Values: [groupId] },
            { Name: 'security-group-rule-id', Values: ruleIdsOf(rules) },
          ],
        }),
      );
      const standing = new Set(
        described.SecurityGroupRules?.map((rule) => rule.SecurityGroupRuleId),
      );
      rules = rules.filter((rule) => standing.has(rule.ruleId));
      if (rules.length === 0) return gone;
      input = { GroupId: groupId, SecurityGroupRuleIds: ruleIdsOf(rules) };
    } else {
      input = { GroupId: groupId, IpPermissions: rules.map(toPermission) };
    }
    let unknown: IpPermission[];
    try {
      // By permission, in a default VPC, EC2 does not fail on a rule that is gone: it lists it
      // as unknown.
      const revoked = await ec2.send(new RevokeSecurityGroupIngressCommand(input));
      unknown = revoked.UnknownIpPermissions ?? [];
    } catch (error) {
      // In any other VPC it refuses the whole call: each rule is then revoked alone.
      if (!isPermissionNotFound(error) || revocation.byRuleId) throw error;
      unknown = await revokeEach(ec2, groupId, rules.map(toPermission));
    }
    if (unknown.length >= rules.length) return gone;
    return {
      status: 'succeeded',
      detail: `revoked ${describeRules(rules)} on ${groupId}${named}`,
      data: { ...input, ...(unknown.length > 0 ? { UnknownIpPermissions: unknown } : {}) },
    };
  },
});
