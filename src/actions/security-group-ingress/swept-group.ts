import { arrayAt, isObject, stringAt, type JsonObject } from '../../json/fields.js';
import type { StewardEvent } from '../../sources/steward-event.js';
import type { AddedRule, IngressSource } from './ingress-rule.js';

/** The kind of resource whose sweep events hold a security group as DescribeSecurityGroups gave it. */
const sweptKind = 'security-groups';

/**
 * Whether the event is a sweep's security group (its `raw` the group as described) rather than
 * a CloudTrail record of a call.
 *
 * @example
 * if (isSweptGroup(event)) rules = sweptGroupRules(event);
 */
export function isSweptGroup(event: StewardEvent): boolean {
  return event.source === 'sweep' && event.name === sweptKind;
}

function portAt(object: JsonObject, key: string): number | undefined {
  const value = object[key];
  return typeof value === 'number' && Number.isInteger(value) ? value : undefined;
}

/** The sources of one described permission: each range, group and prefix list it lets in. */
function sourcesOf(permission: JsonObject): IngressSource[] {
  const objects = (key: string) => (arrayAt(permission, key) ?? []).filter(isObject);
  return [
    ...objects('IpRanges').flatMap((range) => {
      const cidrIpv4 = stringAt(range, 'CidrIp');
      return cidrIpv4 === undefined ? [] : [{ cidrIpv4 }];
    }),
    ...objects('Ipv6Ranges').flatMap((range) => {
      const cidrIpv6 = stringAt(range, 'CidrIpv6');
      return cidrIpv6 === undefined ? [] : [{ cidrIpv6 }];
    }),
    ...objects('UserIdGroupPairs').flatMap((pair) => {
      const groupId = stringAt(pair, 'GroupId');
      const userId = stringAt(pair, 'UserId');
      if (groupId === undefined) return [];
      return [userId === undefined ? { groupId } : { groupId, userId }];
    }),
    ...objects('PrefixListIds').flatMap((list) => {
      const prefixListId = stringAt(list, 'PrefixListId');
      return prefixListId === undefined ? [] : [{ prefixListId }];
    }),
  ];
}

/**
 * The ingress rules a swept security group holds, one per source of each of its
 * `IpPermissions`, as DescribeSecurityGroups returned them: what a revocation from a sweep
 * takes back (by permission: the description carries no rule ids).
 *
 * @example
 * sweptGroupRules(event); // [{ protocol: 'tcp', fromPort: 22, toPort: 22, source: { cidrIpv4: '0.0.0.0/0' } }]
 */
export function sweptGroupRules(event: StewardEvent): AddedRule[] {
  const group = isObject(event.raw) ? event.raw : undefined;
  return (arrayAt(group, 'IpPermissions') ?? []).filter(isObject).flatMap((permission) => {
    const protocol = stringAt(permission, 'IpProtocol');
    if (protocol === undefined) return [];
    const fromPort = portAt(permission, 'FromPort');
    const toPort = portAt(permission, 'ToPort');
    return sourcesOf(permission).map((source) => ({
      protocol,
      source,
      ...(fromPort === undefined ? {} : { fromPort }),
      ...(toPort === undefined ? {} : { toPort }),
    }));
  });
}
