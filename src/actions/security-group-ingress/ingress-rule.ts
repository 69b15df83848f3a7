import { isWorldOpen } from '../../net/ip-range.js';

/** Where an ingress rule lets traffic in from. */
export type IngressSource =
  | { cidrIpv4: string }
  | { cidrIpv6: string }
  | { groupId: string; userId?: string }
  | { prefixListId: string };

/** One ingress rule an AuthorizeSecurityGroupIngress call added. */
export interface AddedRule {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  source: IngressSource;
  /** `sgr-…`, known when the record's response lists the rules it created. */
  ruleId?: string;
}

/**
 * Whether a rule's source is a range open to every address.
 *
 * @example
 * opensToEveryAddress({ cidrIpv6: '::/0' }); // true
 * opensToEveryAddress({ groupId: 'sg-0123' }); // false
 */
export function opensToEveryAddress(source: IngressSource): boolean {
  const cidr =
    'cidrIpv4' in source ? source.cidrIpv4 : 'cidrIpv6' in source ? source.cidrIpv6 : undefined;
  return cidr !== undefined && isWorldOpen(cidr);
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

/**
 * The rules as a reader says them, in one line.
 *
 * @example
 * describeRules([{ protocol: 'tcp', fromPort: 22, toPort: 22, source: { cidrIpv4: '0.0.0.0/0' } }]);
 * // 'tcp 22 from 0.0.0.0/0'
 */
export function describeRules(rules: readonly AddedRule[]): string {
  return rules.map(describeRule).join(', ');
}

/**
 * The `sgr-…` ids of the rules that have one.
 *
 * @example
 * ruleIdsOf([{ protocol: 'tcp', source: { cidrIpv4: '0.0.0.0/0' }, ruleId: 'sgr-0123' }]); // ['sgr-0123']
 */
export function ruleIdsOf(rules: readonly AddedRule[]): string[] {
  return rules.flatMap((rule) => (rule.ruleId === undefined ? [] : [rule.ruleId]));
}
