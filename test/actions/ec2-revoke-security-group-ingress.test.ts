import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import { catalogAction, contextFor, decodedEvent, paramsErrors, withRaw } from './support.js';

const ec2 = mockClient(EC2Client);
const action = catalogAction('ec2.revoke-security-group-ingress');
/** Console form, with the response's rule set: one rule, tcp 22 from 0.0.0.0/0. */
const worldSsh = decodedEvent('events/cloudtrail-authorize-sg-ingress-world-ssh.json');
/** The flat API form, from before responses listed rule ids: tcp 3389 from 0.0.0.0/0. */
const apiForm = decodedEvent('test/actions/fixtures/cloudtrail-authorize-sg-ingress-api-form.json');
/** Five rules in one call, two of them open to the world, each with its rule id. */
const ruleSet = decodedEvent('test/actions/fixtures/cloudtrail-authorize-sg-ingress-rule-set.json');

interface EditableRecord {
  requestParameters: Record<string, unknown>;
  responseElements: unknown;
}

/** The event with its CloudTrail record changed. */
function withRecord(event: StewardEvent, change: (record: EditableRecord) => void): StewardEvent {
  const raw = structuredClone(event.raw) as EditableRecord;
  change(raw);
  return withRaw(event, raw);
}

beforeEach(() => {
  ec2.reset();
  ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
});
afterAll(() => ec2.restore());

describe('ec2.revoke-security-group-ingress', () => {
  it('validates its parameters', () => {
    expect(paramsErrors(action, { onlyWorldOpen: false })).toEqual([]);
    expect(paramsErrors(action, { onlyWorldOpen: 'no' })).toEqual([
      expect.objectContaining({ instancePath: '/onlyWorldOpen', message: 'must be boolean' }),
    ]);
  });

  it('targets the group the call changed, and nothing on other events', () => {
    expect(action.targets(worldSsh, {})).toEqual(['sg-0123456789abcdef0']);
    expect(action.targets(apiForm, {})).toEqual(['sg-0fedcba9876543210']);
    expect(action.targets(decodedEvent('events/cloudtrail-stop-logging.json'), {})).toEqual([]);
  });

  it('describes exactly the world-open rules the call added, or all of them', () => {
    expect(action.describe(contextFor(worldSsh, 'sg-0123456789abcdef0'))).toBe(
      'revoke tcp 22 from 0.0.0.0/0 on sg-0123456789abcdef0',
    );
    expect(action.describe(contextFor(ruleSet, 'sg-0a1b2c3d4e5f60718'))).toBe(
      'revoke tcp 22 from 0.0.0.0/0, tcp 22 from ::/0 on sg-0a1b2c3d4e5f60718',
    );
    expect(
      action.describe(contextFor(ruleSet, 'sg-0a1b2c3d4e5f60718', { onlyWorldOpen: false })),
    ).toBe(
      'revoke tcp 22 from 0.0.0.0/0, tcp 22 from 10.0.0.0/8, tcp 22 from ::/0, ' +
        'tcp 5432 from sg-0b2c3d4e5f6071829, tcp 5432 from pl-0123456789abcdef0 on sg-0a1b2c3d4e5f60718',
    );
  });

  it('revokes by rule id when the response lists the rules, after checking they stand', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-0123456789abcdef0' }],
    });
    expect(await action.execute(contextFor(worldSsh, 'sg-0123456789abcdef0'))).toEqual({
      status: 'succeeded',
      detail: 'revoked tcp 22 from 0.0.0.0/0 on sg-0123456789abcdef0',
      data: { GroupId: 'sg-0123456789abcdef0', SecurityGroupRuleIds: ['sgr-0123456789abcdef0'] },
    });
    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand)[0]?.args[0].input).toEqual({
      Filters: [
        { Name: 'group-id', Values: ['sg-0123456789abcdef0'] },
        { Name: 'security-group-rule-id', Values: ['sgr-0123456789abcdef0'] },
      ],
    });
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-0123456789abcdef0',
      SecurityGroupRuleIds: ['sgr-0123456789abcdef0'],
    });
  });

  it('leaves the rules of the call that are not world-open', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        { SecurityGroupRuleId: 'sgr-0aaaaaaaaaaaaaaa1' },
        { SecurityGroupRuleId: 'sgr-0aaaaaaaaaaaaaaa3' },
      ],
    });
    await action.execute(contextFor(ruleSet, 'sg-0a1b2c3d4e5f60718'));
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-0a1b2c3d4e5f60718',
      SecurityGroupRuleIds: ['sgr-0aaaaaaaaaaaaaaa1', 'sgr-0aaaaaaaaaaaaaaa3'],
    });
  });

  it('skips rules that are gone already, without revoking anything', async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [] });
    expect(await action.execute(contextFor(worldSsh, 'sg-0123456789abcdef0'))).toEqual({
      status: 'skipped',
      detail:
        'did not revoke anything on sg-0123456789abcdef0: tcp 22 from 0.0.0.0/0 is gone already',
    });
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
  });

  it('revokes the flat API form by permission', async () => {
    expect(await action.execute(contextFor(apiForm, 'sg-0fedcba9876543210'))).toMatchObject({
      status: 'succeeded',
      detail: 'revoked tcp 3389 from 0.0.0.0/0 on sg-0fedcba9876543210',
    });
    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand)).toHaveLength(0);
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-0fedcba9876543210',
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ],
    });
  });

  it('revokes every source of the console form by permission when no rule ids are known', async () => {
    const withoutRuleSet = withRecord(ruleSet, (record) => {
      record.responseElements = { _return: true };
    });
    await action.execute(
      contextFor(withoutRuleSet, 'sg-0a1b2c3d4e5f60718', { onlyWorldOpen: false }),
    );
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-0a1b2c3d4e5f60718',
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
        { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
        {
          IpProtocol: 'tcp',
          FromPort: 5432,
          ToPort: 5432,
          UserIdGroupPairs: [{ GroupId: 'sg-0b2c3d4e5f6071829', UserId: '123456789012' }],
        },
        {
          IpProtocol: 'tcp',
          FromPort: 5432,
          ToPort: 5432,
          PrefixListIds: [{ PrefixListId: 'pl-0123456789abcdef0' }],
        },
      ],
    });
  });

  it('skips a call that opened nothing to the world, or that failed', async () => {
    const office = withRecord(apiForm, (record) => {
      record.requestParameters.cidrIp = '203.0.113.0/24';
    });
    expect(action.describe(contextFor(office, 'sg-0fedcba9876543210'))).toBe(
      'leave sg-0fedcba9876543210 as it is: the event opened nothing to every address (0.0.0.0/0 or ::/0)',
    );
    expect(await action.execute(contextFor(office, 'sg-0fedcba9876543210'))).toEqual({
      status: 'skipped',
      detail:
        'did not revoke anything on sg-0fedcba9876543210: the event opened nothing to every address (0.0.0.0/0 or ::/0)',
    });
    const denied = { ...apiForm, error: { code: 'Client.UnauthorizedOperation' } };
    expect(await action.execute(contextFor(denied, 'sg-0fedcba9876543210'))).toEqual({
      status: 'skipped',
      detail:
        'did not revoke anything on sg-0fedcba9876543210: the call failed (Client.UnauthorizedOperation), so it added nothing',
    });
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
  });

  it('treats any /0 range as world-open, however it is written', () => {
    const written = withRecord(apiForm, (record) => {
      record.requestParameters.cidrIp = '208.236.235.254/0';
    });
    expect(action.describe(contextFor(written, 'sg-0fedcba9876543210'))).toBe(
      'revoke tcp 3389 from 208.236.235.254/0 on sg-0fedcba9876543210',
    );
  });

  it('reports a permission EC2 no longer knows as gone already', async () => {
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({
      Return: true,
      UnknownIpPermissions: [{ IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389 }],
    });
    expect(await action.execute(contextFor(apiForm, 'sg-0fedcba9876543210'))).toEqual({
      status: 'skipped',
      detail:
        'did not revoke anything on sg-0fedcba9876543210: tcp 3389 from 0.0.0.0/0 is gone already',
    });
  });

  it('revokes each rule alone when EC2 refuses a call naming one that is gone (any VPC but the default)', async () => {
    const notFound = Object.assign(
      new Error('The specified rule does not exist in this security group.'),
      { name: 'InvalidPermission.NotFound' },
    );
    const withoutRuleSet = withRecord(ruleSet, (record) => {
      record.responseElements = { _return: true };
    });
    ec2
      .on(RevokeSecurityGroupIngressCommand)
      .rejectsOnce(notFound)
      .resolvesOnce({ Return: true })
      .rejectsOnce(notFound);
    expect(await action.execute(contextFor(withoutRuleSet, 'sg-0a1b2c3d4e5f60718'))).toMatchObject({
      status: 'succeeded',
      detail: 'revoked tcp 22 from 0.0.0.0/0, tcp 22 from ::/0 on sg-0a1b2c3d4e5f60718',
      data: {
        UnknownIpPermissions: [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
        ],
      },
    });
    expect(
      ec2
        .commandCalls(RevokeSecurityGroupIngressCommand)
        .map((call) => call.args[0].input.IpPermissions?.length),
    ).toEqual([2, 1, 1]);
    ec2.reset();
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(notFound);
    expect(await action.execute(contextFor(apiForm, 'sg-0fedcba9876543210'))).toEqual({
      status: 'skipped',
      detail:
        'did not revoke anything on sg-0fedcba9876543210: tcp 3389 from 0.0.0.0/0 is gone already',
    });
  });

  describe('a group named by groupName (default VPC)', () => {
    /** The console form naming the group `web` instead of its id. */
    const byName = (response: unknown) =>
      withRecord(worldSsh, (record) => {
        delete record.requestParameters.groupId;
        record.requestParameters.groupName = 'web';
        record.responseElements = response;
      });
    /** The response as EC2 gives it: the rule set names the group's id. */
    const answered = byName((worldSsh.raw as EditableRecord).responseElements);
    /** An older record whose response lists no rules: the id must be looked up by name. */
    const unanswered = byName({ _return: true });

    it('targets the id the response gives, else the name', () => {
      expect(action.targets(answered, {})).toEqual(['sg-0123456789abcdef0']);
      expect(action.targets(unanswered, {})).toEqual(['web']);
      expect(action.describe(contextFor(unanswered, 'web'))).toBe(
        'revoke tcp 22 from 0.0.0.0/0 on the group web in the default VPC',
      );
    });

    it('revokes on the id from the response, with no lookup by name', async () => {
      ec2.on(DescribeSecurityGroupRulesCommand).resolves({
        SecurityGroupRules: [{ SecurityGroupRuleId: 'sgr-0123456789abcdef0' }],
      });
      expect(await action.execute(contextFor(answered, 'sg-0123456789abcdef0'))).toMatchObject({
        status: 'succeeded',
        detail: 'revoked tcp 22 from 0.0.0.0/0 on sg-0123456789abcdef0',
      });
      expect(ec2.commandCalls(DescribeSecurityGroupsCommand)).toHaveLength(0);
      expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
        GroupId: 'sg-0123456789abcdef0',
        SecurityGroupRuleIds: ['sgr-0123456789abcdef0'],
      });
    });

    it('looks the id up by name in the default VPC, then revokes there', async () => {
      ec2.on(DescribeSecurityGroupsCommand).resolves({
        SecurityGroups: [{ GroupId: 'sg-0aaaabbbbccccdddd', GroupName: 'web' }],
      });
      expect(await action.execute(contextFor(unanswered, 'web'))).toMatchObject({
        status: 'succeeded',
        detail: 'revoked tcp 22 from 0.0.0.0/0 on sg-0aaaabbbbccccdddd (web)',
      });
      expect(
        ec2.commandCalls(DescribeSecurityGroupsCommand).map((call) => call.args[0].input),
      ).toEqual([{ GroupNames: ['web'] }]);
      expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
        GroupId: 'sg-0aaaabbbbccccdddd',
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      });
    });

    it('looks the name up in the VPC the record names', async () => {
      const inVpc = withRecord(unanswered, (record) => {
        record.requestParameters.vpcId = 'vpc-0123456789abcdef0';
      });
      ec2.on(DescribeSecurityGroupsCommand).resolves({
        SecurityGroups: [{ GroupId: 'sg-0aaaabbbbccccdddd', GroupName: 'web' }],
      });
      await action.execute(contextFor(inVpc, 'web'));
      expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0]?.args[0].input).toEqual({
        Filters: [
          { Name: 'group-name', Values: ['web'] },
          { Name: 'vpc-id', Values: ['vpc-0123456789abcdef0'] },
        ],
      });
    });

    it('skips, saying so, when no group of that name stands', async () => {
      ec2.on(DescribeSecurityGroupsCommand).rejects(
        Object.assign(new Error("The security group 'web' does not exist in default VPC"), {
          name: 'InvalidGroup.NotFound',
        }),
      );
      expect(await action.execute(contextFor(unanswered, 'web'))).toEqual({
        status: 'skipped',
        detail: 'did not revoke anything: the group web in the default VPC is gone already',
      });
      expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
    });

    it('lets any other error of the lookup through, for the retries and the ledger', async () => {
      ec2.on(DescribeSecurityGroupsCommand).rejects(
        Object.assign(new Error('You are not authorized to perform this operation.'), {
          name: 'UnauthorizedOperation',
        }),
      );
      await expect(action.execute(contextFor(unanswered, 'web'))).rejects.toThrow(
        'You are not authorized to perform this operation.',
      );
    });
  });
});
