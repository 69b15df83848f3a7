import { randomUUID } from 'node:crypto';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import {
  catalogAction,
  contextFor,
  decodedEvent,
  sweptEvent,
  useOwnMoto,
  withRaw,
} from './support.js';

const action = catalogAction('ec2.revoke-security-group-ingress');
const sample = decodedEvent('events/cloudtrail-authorize-sg-ingress-world-ssh.json');
useOwnMoto();
let ec2: EC2Client;

beforeAll(() => {
  ec2 = new EC2Client({ region: 'us-east-1' });
});

/** A group of the default VPC opened to the world on tcp 22 by name, as the console's old form. */
async function openedByName(): Promise<{ groupName: string; groupId: string; response: unknown }> {
  const groupName = `web-${randomUUID().slice(0, 8)}`;
  const { GroupId: groupId } = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: groupName, Description: 'web' }),
  );
  const opened = await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupName: groupName,
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
      CidrIp: '0.0.0.0/0',
    }),
  );
  // The record's response as CloudTrail writes it: the rules created, each with its group id.
  const response = {
    _return: true,
    securityGroupRuleSet: {
      items: (opened.SecurityGroupRules ?? []).map((rule) => ({
        groupId: rule.GroupId,
        securityGroupRuleId: rule.SecurityGroupRuleId,
        isEgress: false,
        ipProtocol: rule.IpProtocol,
        fromPort: rule.FromPort,
        toPort: rule.ToPort,
        cidrIpv4: rule.CidrIpv4,
      })),
    },
  };
  return { groupName, groupId: groupId ?? '', response };
}

/** The sample record, naming the group by name, with the given response. */
function recordFor(groupName: string, response: unknown): StewardEvent {
  const raw = structuredClone(sample.raw) as {
    requestParameters: Record<string, unknown>;
    responseElements: unknown;
  };
  delete raw.requestParameters.groupId;
  raw.requestParameters.groupName = groupName;
  raw.responseElements = response;
  return withRaw(sample, raw);
}

async function worldOpenIngress(groupId: string): Promise<unknown[]> {
  const { SecurityGroups } = await ec2.send(
    new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }),
  );
  return (SecurityGroups?.[0]?.IpPermissions ?? []).filter((permission) =>
    permission.IpRanges?.some((range) => range.CidrIp === '0.0.0.0/0'),
  );
}

describe('ec2.revoke-security-group-ingress on a group named by groupName, against moto', () => {
  it('revokes by the rule ids of the response, on the group id it names', async () => {
    const { groupName, groupId, response } = await openedByName();
    const event = recordFor(groupName, response);
    expect(action.targets(event, {})).toEqual([groupId]);
    expect(await worldOpenIngress(groupId)).toHaveLength(1);
    const outcome = await action.execute(contextFor(event, groupId));
    expect(outcome).toMatchObject({
      status: 'succeeded',
      detail: `revoked tcp 22 from 0.0.0.0/0 on ${groupId}`,
    });
    expect(await worldOpenIngress(groupId)).toEqual([]);
  });

  it('looks the id up by name in the default VPC when the response lists no rules', async () => {
    const { groupName, groupId } = await openedByName();
    const event = recordFor(groupName, { _return: true });
    expect(action.targets(event, {})).toEqual([groupName]);
    const outcome = await action.execute(contextFor(event, groupName));
    expect(outcome).toMatchObject({
      status: 'succeeded',
      detail: `revoked tcp 22 from 0.0.0.0/0 on ${groupId} (${groupName})`,
    });
    expect(await worldOpenIngress(groupId)).toEqual([]);
    // Done already: the second run finds the rule gone and says so.
    expect(await action.execute(contextFor(event, groupName))).toEqual({
      status: 'skipped',
      detail: `did not revoke anything on ${groupId} (${groupName}): tcp 22 from 0.0.0.0/0 is gone already`,
    });
  });

  it('skips a name no group of the default VPC has', async () => {
    const event = recordFor('no-such-group', { _return: true });
    expect(await action.execute(contextFor(event, 'no-such-group'))).toEqual({
      status: 'skipped',
      detail: 'did not revoke anything: the group no-such-group in the default VPC is gone already',
    });
  });
});

describe('ec2.revoke-security-group-ingress on a group a sweep found, against moto', () => {
  /** A group holding the given permissions, and its sweep event: the group as described. */
  async function sweptGroup(permissions: IpPermission[]): Promise<[string, StewardEvent]> {
    const { GroupId: groupId = '' } = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: `swept-${randomUUID().slice(0, 8)}`,
        Description: 'swept',
      }),
    );
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: groupId, IpPermissions: permissions }),
    );
    const { SecurityGroups } = await ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }),
    );
    return [groupId, sweptEvent('security-groups', SecurityGroups?.[0])];
  }

  it('revokes the world-open rules the group held when swept, and leaves the others', async () => {
    const [groupId, event] = await sweptGroup([
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      { IpProtocol: 'tcp', FromPort: 3389, ToPort: 3389, Ipv6Ranges: [{ CidrIpv6: '::/0' }] },
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
    ]);
    expect(action.targets(event, {})).toEqual([groupId]);
    expect(action.describe(contextFor(event, groupId))).toBe(
      `revoke tcp 22 from 0.0.0.0/0, tcp 3389 from ::/0 on ${groupId}`,
    );
    expect(await action.execute(contextFor(event, groupId))).toMatchObject({
      status: 'succeeded',
      detail: `revoked tcp 22 from 0.0.0.0/0, tcp 3389 from ::/0 on ${groupId}`,
    });
    const { SecurityGroups } = await ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }),
    );
    expect(
      (SecurityGroups?.[0]?.IpPermissions ?? []).map((permission) => [
        permission.FromPort,
        permission.IpRanges?.map((range) => range.CidrIp),
        permission.Ipv6Ranges?.map((range) => range.CidrIpv6),
      ]),
    ).toEqual([[443, ['10.0.0.0/8'], []]]);
    // The next sweep in the period is a duplicate; a run on the same description says it is done.
    expect(await action.execute(contextFor(event, groupId))).toEqual({
      status: 'skipped',
      detail: `did not revoke anything on ${groupId}: tcp 22 from 0.0.0.0/0, tcp 3389 from ::/0 is gone already`,
    });
  });

  it('leaves a group that opens nothing to the world as it is, saying why', async () => {
    const [groupId, event] = await sweptGroup([
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '198.51.100.0/24' }] },
    ]);
    expect(action.describe(contextFor(event, groupId))).toBe(
      `leave ${groupId} as it is: the group opened nothing to every address (0.0.0.0/0 or ::/0)`,
    );
    expect(await action.execute(contextFor(event, groupId))).toEqual({
      status: 'skipped',
      detail: `did not revoke anything on ${groupId}: the group opened nothing to every address (0.0.0.0/0 or ::/0)`,
    });
  });
});
