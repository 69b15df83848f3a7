import type { StewardEvent } from '../../sources/steward-event.js';
import { addedRules } from './authorize-record.js';
import { describeRules, opensToEveryAddress, type AddedRule } from './ingress-rule.js';
import { isSweptGroup, sweptGroupRules } from './swept-group.js';

/** What to revoke from one group: rules by id when every one has an id, else by permission. */
export type Revocation =
  { groupId: string; rules: AddedRule[]; byRuleId: boolean } | { groupId: string; nothing: string };

/**
 * What the AuthorizeSecurityGroupIngress record of the event added that the action takes back
 * (for a sweep's security group, what the group held when swept): every such rule, or with
 * `onlyWorldOpen` those open to every address; or why nothing.
 *
 * @example
 * const revocation = planRevocation(event, 'sg-0123', true);
 * if ('nothing' in revocation) console.log(revocation.nothing);
 */
export function planRevocation(
  event: StewardEvent,
  groupId: string,
  onlyWorldOpen: boolean,
): Revocation {
  if (event.error !== undefined) {
    return { groupId, nothing: `the call failed (${event.error.code}), so it added nothing` };
  }
  const swept = isSweptGroup(event);
  const added = swept ? sweptGroupRules(event) : addedRules(event);
  if (added.length === 0) {
    return {
      groupId,
      nothing: swept
        ? 'it had no ingress rule when swept'
        : `the ${event.name} record names no ingress rule it added`,
    };
  }
  const rules = onlyWorldOpen ? added.filter((rule) => opensToEveryAddress(rule.source)) : added;
  if (rules.length === 0) {
    return {
      groupId,
      nothing: `the ${swept ? 'group' : 'event'} opened nothing to every address (0.0.0.0/0 or ::/0)`,
    };
  }
  return { groupId, rules, byRuleId: rules.every((rule) => rule.ruleId !== undefined) };
}

/**
 * What a dry run says the revocation would do.
 *
 * @example
 * describeRevocation(planRevocation(event, 'sg-0123', true)); // 'revoke tcp 22 from 0.0.0.0/0 on sg-0123'
 */
export function describeRevocation(revocation: Revocation): string {
  return 'nothing' in revocation
    ? `leave ${revocation.groupId} as it is: ${revocation.nothing}`
    : `revoke ${describeRules(revocation.rules)} on ${revocation.groupId}`;
}
