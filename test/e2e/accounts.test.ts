import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientPool, MemberRoleError, sessionName } from '../../src/client-pool.js';
import { classifyError } from '../../src/retry.js';
import { adminCredentials, createMemberRole } from '../support/member-accounts.js';
import { StsGate } from '../support/sts-gate.js';
import { account as central, uniqueName, useMoto } from './harness.js';

const member = '222233334444';
const withoutRole = '333344445555';

let gate: StsGate;
let moto: string;

beforeAll(async () => {
  moto = (await useMoto()).endpoint;
  gate = await StsGate.start(moto, central);
  process.env.AWS_ENDPOINT_URL = gate.endpoint;
  await createMemberRole(moto, member, central);
});

afterAll(async () => {
  await gate.close();
});

/** A security group made by the member account's own administrator, in one of its regions. */
async function memberGroup(region: string): Promise<string> {
  const ec2 = new EC2Client({
    endpoint: moto,
    region,
    credentials: await adminCredentials(moto, member),
  });
  const { GroupId: groupId } = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: uniqueName('member'), Description: 'member' }),
  );
  if (!groupId) throw new Error('moto made no group');
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      CidrIp: '0.0.0.0/0',
      IpProtocol: 'tcp',
      FromPort: 22,
      ToPort: 22,
    }),
  );
  return groupId;
}

async function groupIds(ec2: EC2Client): Promise<string[]> {
  const { SecurityGroups: groups } = await ec2.send(new DescribeSecurityGroupsCommand({}));
  return (groups ?? []).flatMap((group) => (group.GroupId ? [group.GroupId] : []));
}

describe('clients per account and region', () => {
  it('reach a member account through its role, in the event region, under a session naming rule and event', async () => {
    const groupId = await memberGroup('us-west-2');
    const pool = new ClientPool({ region: 'us-east-1', homeAccount: central });
    const session = sessionName('ec2-security-group-open-to-world', 'f00d-0001');
    const clients = pool.for(member, 'us-west-2', session);
    expect(clients.region).toBe('us-west-2');
    expect(await groupIds(await clients.ec2())).toContain(groupId);
    // Neither the member's other region nor the central account sees it.
    expect(await groupIds(await pool.for(member, 'us-east-1', session).ec2())).not.toContain(
      groupId,
    );
    expect(await groupIds(await pool.inHomeAccount('us-west-2').ec2())).not.toContain(groupId);
    const identity = await (await clients.sts()).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(member);
    expect(gate.sessions).toContainEqual({
      roleArn: `arn:aws:iam::${member}:role/steward-member`,
      session: 'ec2-security-group-open-to-world@f00d-0001',
    });
    // The same account, region and session is served by the same clients, without assuming again.
    const assumed = gate.sessions.length;
    expect(pool.for(member, 'us-west-2', session)).toBe(clients);
    await (await clients.ec2()).send(new DescribeSecurityGroupsCommand({}));
    expect(gate.sessions).toHaveLength(assumed);
  });

  it('fail with the reason when the member role cannot be assumed, as a permanent error', async () => {
    const pool = new ClientPool({ region: 'us-east-1', homeAccount: central });
    const ec2 = await pool.for(withoutRole, 'us-east-1', 'rule@event').ec2();
    const error = await ec2.send(new DescribeSecurityGroupsCommand({})).then(
      () => undefined,
      (failure: unknown) => failure,
    );
    expect(error).toBeInstanceOf(MemberRoleError);
    expect((error as Error).message).toBe(
      `cannot assume arn:aws:iam::${withoutRole}:role/steward-member in ${withoutRole}: ` +
        `AccessDenied: User: arn:aws:iam::${central}:root is not authorized to perform: ` +
        `sts:AssumeRole on resource: arn:aws:iam::${withoutRole}:role/steward-member`,
    );
    expect(classifyError(error)).toBe('permanent');
    expect(gate.refused.at(-1)).toEqual({
      roleArn: `arn:aws:iam::${withoutRole}:role/steward-member`,
      reason: `no role steward-member in ${withoutRole}`,
    });
  });

  it('ask STS which account is their own when nothing said, and use their own role there', async () => {
    const pool = new ClientPool({ region: 'us-east-1' });
    const before = gate.sessions.length;
    const clients = pool.for(central, 'us-west-2', 'rule@event');
    const identity = await (await clients.sts()).send(new GetCallerIdentityCommand({}));
    expect(identity.Account).toBe(central);
    expect(gate.sessions).toHaveLength(before);
    // Known now: the next event of the account gets the account's shared clients.
    expect(pool.for(central, 'us-west-2', 'other@event')).toBe(pool.inHomeAccount('us-west-2'));
  });
});
