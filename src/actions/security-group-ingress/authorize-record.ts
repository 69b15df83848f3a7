import { arrayAt, isObject, objectAt, stringAt, type JsonObject } from '../../json/fields.js';
import type { StewardEvent } from '../../sources/steward-event.js';
import type { AddedRule, IngressSource } from './ingress-rule.js';

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

/**
 * The ingress rules an AuthorizeSecurityGroupIngress record says its call added: those its
 * response lists, with their ids, else those its request asked for.
 *
 * @example
 * addedRules(event); // [{ protocol: 'tcp', fromPort: 22, toPort: 22, source: { cidrIpv4: '0.0.0.0/0' }, ruleId: 'sgr-0123' }]
 */
export function addedRules(event: StewardEvent): AddedRule[] {
  const record = isObject(event.raw) ? event.raw : undefined;
  const fromResponse = rulesFromResponse(objectAt(record, 'responseElements'));
  return fromResponse.length > 0
    ? fromResponse
    : rulesFromRequest(objectAt(record, 'requestParameters'));
}

/**
 * The group the call changed: by id, or, for a call that named it by `groupName` (which EC2
 * takes for the default VPC), by the id its response gives, else by name, with the VPC the
 * record names if any. Security group names cannot start with `sg-`, so a name never passes for
 * an id.
 */
export type GroupRef = { groupId: string } | { groupName: string; vpcId?: string };

/**
 * The group an AuthorizeSecurityGroupIngress record names, if it names one.
 *
 * @example
 * groupOf(event); // { groupId: 'sg-0123' }, or { groupName: 'web' } for a default-VPC call
 */
export function groupOf(event: StewardEvent): GroupRef | undefined {
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

/**
 * "sg-0123", or "the group web in the default VPC" before its id is known.
 *
 * @example
 * groupLabel({ groupName: 'web' }); // 'the group web in the default VPC'
 */
export function groupLabel(group: GroupRef): string {
  return 'groupId' in group
    ? group.groupId
    : `the group ${group.groupName} in ${group.vpcId ?? 'the default VPC'}`;
}
