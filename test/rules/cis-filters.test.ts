import { describe, expect, it } from 'vitest';
import { loadRules } from '../../src/rules/load.js';
import type { CompiledRule } from '../../src/rules/rule.js';
import { runRuleTest } from '../../src/rules/rule-tests.js';
import { repoPath } from '../support/files.js';

/**
 * The CIS AWS Foundations Benchmark v3.0 section 4 metric filters, as printed. Two are given in
 * the reading the rule takes, each said in its rule's description: 4.1's exclusions are printed
 * joined by || (matching every call but HeadBucket), so they are grouped as the control means;
 * 4.2 is the second filter the benchmark gives, for accounts that also sign in through SSO.
 */
const published: Record<string, string> = {
  'cis-aws-4-1':
    '{ (($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*")) && ($.sourceIPAddress != "delivery.logs.amazonaws.com") && ($.eventName != "HeadBucket") }',
  'cis-aws-4-2':
    '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes") && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
  'cis-aws-4-3':
    '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS && $.eventType != "AwsServiceEvent" }',
  'cis-aws-4-4':
    '{($.eventName=DeleteGroupPolicy)||($.eventName=DeleteRolePolicy)||($.eventName=DeleteUserPolicy)||($.eventName=PutGroupPolicy)||($.eventName=PutRolePolicy)||($.eventName=PutUserPolicy)||($.eventName=CreatePolicy)||($.eventName=DeletePolicy)||($.eventName=CreatePolicyVersion)||($.eventName=DeletePolicyVersion)||($.eventName=AttachRolePolicy)||($.eventName=DetachRolePolicy)||($.eventName=AttachUserPolicy)||($.eventName=DetachUserPolicy)||($.eventName=AttachGroupPolicy)||($.eventName=DetachGroupPolicy)}',
  'cis-aws-4-5':
    '{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail) || ($.eventName = StartLogging) || ($.eventName = StopLogging) }',
  'cis-aws-4-6': '{ ($.eventName = ConsoleLogin) && ($.errorMessage = "Failed authentication") }',
  'cis-aws-4-7':
    '{($.eventSource = kms.amazonaws.com) && (($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)) }',
  'cis-aws-4-8':
    '{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }',
  'cis-aws-4-9':
    '{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder) || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel) || ($.eventName = PutConfigurationRecorder)) }',
  'cis-aws-4-10':
    '{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress) || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress) || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }',
  'cis-aws-4-11':
    '{ ($.eventName = CreateNetworkAcl) || ($.eventName = CreateNetworkAclEntry) || ($.eventName = DeleteNetworkAcl) || ($.eventName = DeleteNetworkAclEntry) || ($.eventName = ReplaceNetworkAclEntry) || ($.eventName = ReplaceNetworkAclAssociation) }',
  'cis-aws-4-12':
    '{ ($.eventName = CreateCustomerGateway) || ($.eventName = DeleteCustomerGateway) || ($.eventName = AttachInternetGateway) || ($.eventName = CreateInternetGateway) || ($.eventName = DeleteInternetGateway) || ($.eventName = DetachInternetGateway) }',
  'cis-aws-4-13':
    '{($.eventSource = ec2.amazonaws.com) && ($.eventName = CreateRoute) || ($.eventName = CreateRouteTable) || ($.eventName = ReplaceRoute) || ($.eventName = ReplaceRouteTableAssociation) || ($.eventName = DeleteRouteTable) || ($.eventName = DeleteRoute) || ($.eventName = DisassociateRouteTable) }',
  'cis-aws-4-14':
    '{ ($.eventName = CreateVpc) || ($.eventName = DeleteVpc) || ($.eventName = ModifyVpcAttribute) || ($.eventName = AcceptVpcPeeringConnection) || ($.eventName = CreateVpcPeeringConnection) || ($.eventName = DeleteVpcPeeringConnection) || ($.eventName = RejectVpcPeeringConnection) || ($.eventName = AttachClassicLinkVpc) || ($.eventName = DetachClassicLinkVpc) || ($.eventName = DisableVpcClassicLink) || ($.eventName = EnableVpcClassicLink) }',
  'cis-aws-4-15':
    '{ ($.eventSource = organizations.amazonaws.com) && (($.eventName = "AcceptHandshake") || ($.eventName = "AttachPolicy") || ($.eventName = "CreateAccount") || ($.eventName = "CreateOrganizationalUnit") || ($.eventName = "CreatePolicy") || ($.eventName = "DeclineHandshake") || ($.eventName = "DeleteOrganization") || ($.eventName = "DeleteOrganizationalUnit") || ($.eventName = "DeletePolicy") || ($.eventName = "DetachPolicy") || ($.eventName = "DisablePolicyType") || ($.eventName = "EnablePolicyType") || ($.eventName = "InviteAccountToOrganization") || ($.eventName = "LeaveOrganization") || ($.eventName = "MoveAccount") || ($.eventName = "RemoveAccountFromOrganization") || ($.eventName = "UpdatePolicy") || ($.eventName = "UpdateOrganizationalUnit")) }',
};

type JsonRecord = { [key: string]: unknown };
type Test = (record: JsonRecord) => boolean;

/** A field's value by a filter's `$.a.b` path; undefined when a step is missing. */
function fieldAt(record: JsonRecord, path: string): unknown {
  let value: unknown = record;
  for (const key of path.slice(2).split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as JsonRecord)[key];
  }
  return value;
}

/** `=` on a string: exact, or a prefix or suffix where the value starts or ends with `*`. */
function equals(actual: unknown, expected: string): boolean {
  if (typeof actual !== 'string') return false;
  if (expected.startsWith('*')) return actual.endsWith(expected.slice(1));
  if (expected.endsWith('*')) return actual.startsWith(expected.slice(0, -1));
  return actual === expected;
}

/**
 * CloudWatch Logs JSON filter patterns, the part the CIS filters use: `=`, `!=` (both only on a
 * field that is there), `NOT EXISTS` (only on a field that is missing: null is there) and
 * parentheses. && is taken before ||; the one filter that mixes them unparenthesized (4.13)
 * reads the same from left to right.
 */
function compileFilter(text: string): Test {
  const tokens = text.match(/"[^"]*"|\(|\)|&&|\|\||!=|=|\{|\}|NOT EXISTS|[^\s()=!&|{}"]+/g) ?? [];
  let at = 0;
  const next = () => tokens[at++] ?? '';
  const peek = () => tokens[at] ?? '';
  const comparison = (): Test => {
    if (peek() === '(') {
      next();
      const inner = or();
      if (next() !== ')') throw new Error(`missing ) in ${text}`);
      return inner;
    }
    const path = next();
    const operator = next();
    if (operator === 'NOT EXISTS') return (record) => fieldAt(record, path) === undefined;
    const value = next().replace(/^"|"$/g, '');
    if (operator === '=') return (record) => equals(fieldAt(record, path), value);
    if (operator === '!=')
      return (record) => {
        const actual = fieldAt(record, path);
        return actual !== undefined && actual !== null && !equals(actual, value);
      };
    throw new Error(`unknown operator ${operator} in ${text}`);
  };
  const and = (): Test => {
    const parts = [comparison()];
    while (peek() === '&&') parts.push((next(), comparison()));
    return (record) => parts.every((part) => part(record));
  };
  const or = (): Test => {
    const parts = [and()];
    while (peek() === '||') parts.push((next(), and()));
    return (record) => parts.some((part) => part(record));
  };
  if (next() !== '{') throw new Error(`a JSON filter starts with {: ${text}`);
  const test = or();
  if (next() !== '}') throw new Error(`a JSON filter ends with }: ${text}`);
  return test;
}

/** A small seeded generator, so a failure names a record that comes back on the next run. */
function seeded(seed: number): <T>(choices: readonly T[]) => T {
  let state = seed;
  return (choices) => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed);
    const unit = ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
    return choices[Math.floor(unit * choices.length)] as (typeof choices)[number];
  };
}

const absent = Symbol('absent');

/** Every event name the filters name, and some they do not. */
const eventNames = [
  ...new Set(
    Object.values(published).flatMap((filter) => filter.match(/(?<=eventName ?= ?"?)\w+/g) ?? []),
  ),
  'HeadBucket',
  'DescribeInstances',
  'GetObject',
];

const sources = [
  'ec2.amazonaws.com',
  'iam.amazonaws.com',
  's3.amazonaws.com',
  's3-outposts.amazonaws.com',
  'kms.amazonaws.com',
  'config.amazonaws.com',
  'organizations.amazonaws.com',
  'cloudtrail.amazonaws.com',
  'apigateway.amazonaws.com',
  'iot.amazonaws.com',
];

/**
 * A CloudTrail record with a random choice for every field a CIS filter reads, a field left out
 * or null among the choices. ConsoleLogin always comes from signin.amazonaws.com, as in every
 * trail: the sign-in rules name that source because EventBridge delivers sign-ins under their
 * own detail-type.
 */
function randomRecord(pick: ReturnType<typeof seeded>, index: number, names: string[]): JsonRecord {
  const eventName = names.length > 0 && pick([true, false]) ? pick(names) : pick(eventNames);
  const choices: JsonRecord = {
    eventSource: eventName === 'ConsoleLogin' ? 'signin.amazonaws.com' : pick(sources),
    errorCode: pick([
      absent,
      'AccessDenied',
      'AccessDeniedException',
      'Client.UnauthorizedOperation',
      'NoSuchEntity',
    ]),
    errorMessage: pick([absent, 'Failed authentication', 'No username found in supplied account']),
    sourceIPAddress: pick([absent, '203.0.113.5', 'delivery.logs.amazonaws.com']),
    eventType: pick([absent, 'AwsApiCall', 'AwsServiceEvent', 'AwsConsoleSignIn']),
    additionalEventData: pick([absent, {}, { MFAUsed: 'Yes' }, { MFAUsed: 'No' }]),
    responseElements: pick([null, { ConsoleLogin: 'Success' }, { ConsoleLogin: 'Failure' }]),
  };
  const identity: JsonRecord = {
    type: pick(['IAMUser', 'Root', 'AssumedRole']),
    accountId: '123456789012',
  };
  const invokedBy = pick([absent, null, 'support.amazonaws.com']);
  if (invokedBy !== absent) identity.invokedBy = invokedBy;
  const record: JsonRecord = {
    eventVersion: '1.10',
    userIdentity: identity,
    eventTime: '2025-01-15T10:00:00Z',
    eventName,
    awsRegion: 'us-east-1',
    eventID: `e7a1c0de-c15f-4000-8000-${String(index).padStart(12, '0')}`,
    recipientAccountId: '123456789012',
  };
  for (const [key, value] of Object.entries(choices)) if (value !== absent) record[key] = value;
  return record;
}

describe('the CIS rules against the published metric filters', () => {
  it('fire on exactly the records their filter matches', async () => {
    const rules = new Map(
      (await loadRules(repoPath('rules/cis'))).map((rule): [string, CompiledRule] => [
        rule.id,
        rule,
      ]),
    );
    expect([...rules.keys()].sort()).toEqual(Object.keys(published).sort());
    const pick = seeded(20_250_115);
    for (const [id, filter] of Object.entries(published)) {
      const rule = rules.get(id) as CompiledRule;
      const matches = compileFilter(filter);
      const names = filter.match(/(?<=eventName ?= ?"?)\w+/g) ?? [];
      const outcomes = { fired: 0, quiet: 0 };
      for (let index = 0; index < 400; index++) {
        const record = randomRecord(pick, index, names);
        const expected = matches(record);
        const result = await runRuleTest(rule, {
          name: 'against the filter',
          event: record,
          expect: { fires: expected },
        });
        expect({ id, record, differences: result.differences ?? [] }).toEqual({
          id,
          record,
          differences: [],
        });
        outcomes[expected ? 'fired' : 'quiet']++;
      }
      // Both sides of every filter were tried, so no rule passes by never firing.
      expect({ id, fired: outcomes.fired > 0, quiet: outcomes.quiet > 0 }).toEqual({
        id,
        fired: true,
        quiet: true,
      });
    }
  });

  it('reads a filter as CloudWatch Logs does', () => {
    const filter = compileFilter('{ ($.a = x) && ($.b = y) || ($.c != "z*") && $.d NOT EXISTS }');
    expect(filter({ a: 'x', b: 'y', d: 1 })).toBe(true);
    expect(filter({ c: 'w' })).toBe(true);
    expect(filter({ c: 'zebra' })).toBe(false);
    expect(filter({ d: null, c: 'w' })).toBe(false);
    expect(filter({})).toBe(false);
  });
});
