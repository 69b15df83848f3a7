import { defineAction, type ActionOutcome } from './action.js';
import { groupLabel, groupOf } from './security-group-ingress/authorize-record.js';
import { resolveGroupId, revokeRules, standingRules } from './security-group-ingress/ec2-calls.js';
import { describeRules } from './security-group-ingress/ingress-rule.js';
import { describeRevocation, planRevocation } from './security-group-ingress/revocation.js';

/**
 * `ec2.revoke-security-group-ingress`: take back exactly the ingress rules an
 * `AuthorizeSecurityGroupIngress` call added, not the rest of the group. By default
 * (`onlyWorldOpen: true`) only the rules open to every address (`0.0.0.0/0`, `::/0`) are
 * revoked; `onlyWorldOpen: false` revokes every rule the call added. Rules are revoked by id
 * when the record's response lists them (skipped if they are already gone), otherwise by the
 * permissions of the request. A call that named the group by `groupName` (default VPC) acts on
 * the id its response gives, or on the id one DescribeSecurityGroups finds for the name. On a
 * sweep's security group it takes back the rules the group held when swept (by permission),
 * with `onlyWorldOpen` those open to every address; a rule gone since is skipped.
 */
export const ec2RevokeSecurityGroupIngress = defineAction<{ onlyWorldOpen?: boolean }>({
  name: 'ec2.revoke-security-group-ingress',
  summary:
    'Revoke the ingress rules an AuthorizeSecurityGroupIngress call added, or a swept group holds.',
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
    return describeRevocation(planRevocation(event, label, params.onlyWorldOpen !== false));
  },
  async execute({ event, resource, params, clients }) {
    const group = groupOf(event) ?? { groupId: resource };
    const onlyWorldOpen = params.onlyWorldOpen !== false;
    const planned = planRevocation(event, groupLabel(group), onlyWorldOpen);
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
    const named = 'groupName' in group ? ` (${group.groupName})` : '';
    const gone: ActionOutcome = {
      status: 'skipped',
      detail: `did not revoke anything on ${groupId}${named}: ${describeRules(planned.rules)} is gone already`,
    };
    const rules = planned.byRuleId
      ? await standingRules(ec2, groupId, planned.rules)
      : planned.rules;
    if (rules.length === 0) return gone;
    const { input, unknown } = await revokeRules(ec2, groupId, rules, planned.byRuleId);
    if (unknown.length >= rules.length) return gone;
    return {
      status: 'succeeded',
      detail: `revoked ${describeRules(rules)} on ${groupId}${named}`,
      data: { ...input, ...(unknown.length > 0 ? { UnknownIpPermissions: unknown } : {}) },
    };
  },
});
