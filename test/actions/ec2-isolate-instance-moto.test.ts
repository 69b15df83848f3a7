import { randomUUID } from 'node:crypto';
import {
  AttachNetworkInterfaceCommand,
  CreateNetworkInterfaceCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  ModifyNetworkInterfaceAttributeCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActionContext, ActionOutcome } from '../../src/actions/action.js';
import type { ActionHistory } from '../../src/actions/history.js';
import { quarantineTag } from '../../src/actions/isolation/quarantine-group.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import { catalogAction, contextFor, executed, useOwnMoto } from './support.js';

const isolate = catalogAction('ec2.isolate-instance');
const restore = catalogAction('ec2.restore-instance-security-groups');
useOwnMoto();
let ec2: EC2Client;
let imageId: string;

beforeAll(async () => {
  ec2 = new EC2Client({ region: 'us-east-1' });
  const { Images } = await ec2.send(new DescribeImagesCommand({}));
  imageId = Images?.[0]?.ImageId ?? '';
});

interface Network {
  vpcId: string;
  subnetId: string;
  /** A group of the VPC the instances start in. */
  groupId: string;
}

/** A VPC of its own, with one subnet and one group, so each test counts its own groups. */
async function network(): Promise<Network> {
  const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }));
  const vpcId = Vpc?.VpcId ?? '';
  const { Subnet } = await ec2.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.20.1.0/24' }),
  );
  const { GroupId } = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: 'web', Description: 'web', VpcId: vpcId }),
  );
  return { vpcId, subnetId: Subnet?.SubnetId ?? '', groupId: GroupId ?? '' };
}

/** An instance in the network's subnet with its group, and a second interface with these groups when asked. */
async function instanceIn(net: Network, secondInterfaceGroups?: string[]): Promise<string> {
  const { Instances } = await ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      MinCount: 1,
      MaxCount: 1,
      // The groups go on the interface: moto reports an attached interface's groups as its
      // own and the instance's launch groups (SecurityGroupIds) together, which no call changes.
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: net.subnetId, Groups: [net.groupId] }],
    }),
  );
  const instanceId = Instances?.[0]?.InstanceId ?? '';
  if (secondInterfaceGroups !== undefined) {
    const { NetworkInterface } = await ec2.send(
      new CreateNetworkInterfaceCommand({ SubnetId: net.subnetId, Groups: secondInterfaceGroups }),
    );
    await ec2.send(
      new AttachNetworkInterfaceCommand({
        InstanceId: instanceId,
        NetworkInterfaceId: NetworkInterface?.NetworkInterfaceId,
        DeviceIndex: 1,
      }),
    );
  }
  return instanceId;
}

/** Each network interface of the instance with its group ids, in device order. */
async function interfaceGroups(instanceId: string): Promise<Record<string, string[]>> {
  const { Reservations } = await ec2.send(
    new DescribeInstancesCommand({ InstanceIds: [instanceId] }),
  );
  const interfaces = [...(Reservations?.[0]?.Instances?.[0]?.NetworkInterfaces ?? [])].sort(
    (a, b) => (a.Attachment?.DeviceIndex ?? 0) - (b.Attachment?.DeviceIndex ?? 0),
  );
  return Object.fromEntries(
    interfaces.map((found) => [
      found.NetworkInterfaceId ?? '',
      (found.Groups ?? []).map(({ GroupId }) => GroupId ?? ''),
    ]),
  );
}

async function quarantineGroups(vpcId: string, groupName = 'steward-quarantine') {
  const { SecurityGroups } = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'group-name', Values: [groupName] },
      ],
    }),
  );
  return SecurityGroups ?? [];
}

function findingOn(instanceId: string): StewardEvent {
  return {
    id: `finding-${randomUUID()}`,
    source: 'eventbridge',
    name: 'GuardDuty Finding',
    time: '2026-11-30T10:00:00Z',
    account: '123456789012',
    region: 'us-east-1',
    resources: [instanceId],
    eventSource: 'aws.guardduty',
    raw: {},
    delivery: 'eventbridge',
  };
}

function isolation(
  instanceId: string,
  params: Record<string, unknown> = {},
  history?: ActionHistory,
): ActionContext {
  return contextFor(findingOn(instanceId), instanceId, params, [], history);
}

/** A history holding one outcome, as the ledger would return it (the ledger's own is tested in test/execution). */
function historyOf(outcome?: ActionOutcome): ActionHistory {
  return {
    lastSucceeded: (resource, action) =>
      Promise.resolve(
        outcome === undefined || action !== 'ec2.isolate-instance'
          ? undefined
          : {
              action,
              resource,
              eventId: 'finding-1',
              ruleId: 'guardduty-ec2-high-severity-finding',
              at: '2026-11-30T10:00:01.000Z',
              detail: outcome.detail,
              ...(outcome.data === undefined ? {} : { data: outcome.data }),
            },
      ),
  };
}

describe('ec2.isolate-instance against moto', () => {
  it('moves the one network interface of an instance into a new quarantine group and records its groups', async () => {
    const net = await network();
    const instanceId = await instanceIn(net);
    const [eni] = Object.keys(await interfaceGroups(instanceId));
    const outcome = await executed(isolate, isolation(instanceId));
    const [group] = await quarantineGroups(net.vpcId);
    const quarantineId = group?.GroupId ?? '';
    expect(outcome).toEqual({
      status: 'succeeded',
      detail: `isolated ${instanceId} in steward-quarantine: ${eni} now ${quarantineId}, was ${net.groupId} (web)`,
      data: {
        networkInterfaces: [
          {
            networkInterfaceId: eni,
            vpcId: net.vpcId,
            quarantineGroupId: quarantineId,
            previousGroups: [{ groupId: net.groupId, groupName: 'web' }],
          },
        ],
      },
    });
    expect(await interfaceGroups(instanceId)).toEqual({ [eni ?? '']: [quarantineId] });
    // No traffic in or out, and a tag that says why.
    expect(group?.IpPermissions).toEqual([]);
    expect(group?.IpPermissionsEgress).toEqual([]);
    expect(group?.Tags).toEqual(
      expect.arrayContaining([quarantineTag, { Key: 'steward:rule', Value: 'test-rule' }]),
    );
  });

  it("moves every network interface of an instance with two, recording each one's groups", async () => {
    const net = await network();
    const { GroupId: dbGroup } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'db', Description: 'db', VpcId: net.vpcId }),
    );
    const instanceId = await instanceIn(net, [dbGroup ?? '', net.groupId]);
    const before = await interfaceGroups(instanceId);
    const [primary, secondary] = Object.keys(before);
    expect(before[secondary ?? '']?.sort()).toEqual([dbGroup, net.groupId].sort());
    const outcome = await executed(isolate, isolation(instanceId));
    const quarantineId = (await quarantineGroups(net.vpcId))[0]?.GroupId ?? '';
    expect(await interfaceGroups(instanceId)).toEqual({
      [primary ?? '']: [quarantineId],
      [secondary ?? '']: [quarantineId],
    });
    expect(outcome.status).toBe('succeeded');
    const recorded = (outcome.data?.networkInterfaces ?? []) as {
      networkInterfaceId: string;
      previousGroups: { groupId: string }[];
    }[];
    expect(
      Object.fromEntries(
        recorded.map((found) => [
          found.networkInterfaceId,
          found.previousGroups.map(({ groupId }) => groupId).sort(),
        ]),
      ),
    ).toEqual({
      [primary ?? '']: [net.groupId],
      [secondary ?? '']: [dbGroup, net.groupId].sort(),
    });
  });

  it('makes one quarantine group per VPC: two instances in one VPC share it, one in another VPC gets its own', async () => {
    const [netA, netB] = [await network(), await network()];
    const [first, second, other] = [
      await instanceIn(netA),
      await instanceIn(netA),
      await instanceIn(netB),
    ];
    await executed(isolate, isolation(first));
    await executed(isolate, isolation(second));
    await executed(isolate, isolation(other));
    const [groupsA, groupsB] = [
      await quarantineGroups(netA.vpcId),
      await quarantineGroups(netB.vpcId),
    ];
    expect(groupsA).toHaveLength(1);
    expect(groupsB).toHaveLength(1);
    const [idA, idB] = [groupsA[0]?.GroupId, groupsB[0]?.GroupId];
    expect(idA).not.toBe(idB);
    expect(Object.values(await interfaceGroups(first))).toEqual([[idA]]);
    expect(Object.values(await interfaceGroups(second))).toEqual([[idA]]);
    expect(Object.values(await interfaceGroups(other))).toEqual([[idB]]);
  });

  it('ends with one group when two isolations in one VPC race to create it', async () => {
    const net = await network();
    const [first, second] = [await instanceIn(net), await instanceIn(net)];
    const outcomes = await Promise.all([
      executed(isolate, isolation(first)),
      executed(isolate, isolation(second)),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['succeeded', 'succeeded']);
    const groups = await quarantineGroups(net.vpcId);
    expect(groups).toHaveLength(1);
    expect(Object.values(await interfaceGroups(first))).toEqual([[groups[0]?.GroupId]]);
    expect(Object.values(await interfaceGroups(second))).toEqual([[groups[0]?.GroupId]]);
  });

  it('uses the group another isolation created between its look and its create (InvalidGroup.Duplicate), and closes its egress', async () => {
    const net = await network();
    const instanceId = await instanceIn(net);
    const context = isolation(instanceId, { groupName: 'raced-quarantine' });
    const client = await context.clients.ec2();
    // The other isolation creates the group, with EC2's default all-traffic egress, just
    // before this one's CreateSecurityGroup reaches EC2.
    let racer: string | undefined;
    client.middlewareStack.add(
      (next, { commandName }) =>
        async (args) => {
          if (commandName === 'CreateSecurityGroupCommand' && racer === undefined) {
            const created = await ec2.send(
              new CreateSecurityGroupCommand({
                GroupName: 'raced-quarantine',
                Description: 'created by the other isolation',
                VpcId: net.vpcId,
              }),
            );
            racer = created.GroupId;
          }
          return next(args);
        },
      { step: 'initialize', name: 'raceTheCreate' },
    );
    try {
      const outcome = await executed(isolate, context);
      expect(outcome.status).toBe('succeeded');
    } finally {
      client.middlewareStack.remove('raceTheCreate');
    }
    const groups = await quarantineGroups(net.vpcId, 'raced-quarantine');
    expect(groups.map(({ GroupId }) => GroupId)).toEqual([racer]);
    expect(groups[0]?.IpPermissionsEgress).toEqual([]);
    expect(Object.values(await interfaceGroups(instanceId))).toEqual([[racer]]);
  });

  it('puts back the interfaces it changed when one fails midway, the error naming the interface, so no recorded groups are lost', async () => {
    const net = await network();
    const instanceId = await instanceIn(net, [net.groupId]);
    const before = await interfaceGroups(instanceId);
    const [primary, secondary] = Object.keys(before);
    const context = isolation(instanceId);
    const client = await context.clients.ec2();
    let modifies = 0;
    client.middlewareStack.add(
      (next, { commandName }) =>
        async (args) => {
          if (commandName === 'ModifyNetworkInterfaceAttributeCommand') {
            modifies += 1;
            if (modifies === 2) throw new Error('connection reset by peer');
          }
          return next(args);
        },
      { step: 'initialize', name: 'failTheSecondModify' },
    );
    try {
      await expect(executed(isolate, context)).rejects.toThrow(
        `isolating ${instanceId} failed at ${secondary}: connection reset by peer; ${primary} was given back its groups ${net.groupId} (web)`,
      );
    } finally {
      client.middlewareStack.remove('failTheSecondModify');
    }
    expect(await interfaceGroups(instanceId)).toEqual(before);
  });

  it('skips an instance that is already isolated, saying so, and changes nothing', async () => {
    const net = await network();
    const instanceId = await instanceIn(net);
    await executed(isolate, isolation(instanceId));
    const isolated = await interfaceGroups(instanceId);
    expect(await executed(isolate, isolation(instanceId))).toEqual({
      status: 'skipped',
      detail: `did not isolate ${instanceId}: it is already isolated (its network interfaces have only steward-quarantine); the groups recorded when it was isolated stay`,
    });
    expect(await interfaceGroups(instanceId)).toEqual(isolated);
  });

  it('skips a terminated instance with the reason, before any change', async () => {
    const net = await network();
    const instanceId = await instanceIn(net);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
    expect(await executed(isolate, isolation(instanceId))).toEqual({
      status: 'skipped',
      detail: `did not isolate ${instanceId}: it is terminated, and isolate acts only from pending, running, stopping or stopped`,
      data: { state: 'terminated' },
    });
    expect(await quarantineGroups(net.vpcId)).toEqual([]);
  });

  it('refuses a group name EC2 would refuse, at the schema', async () => {
    const { Ajv } = await import('ajv');
    const validate = new Ajv({ strict: false }).compile(isolate.paramsSchema);
    expect(validate({ groupName: 'sg-quarantine' })).toBe(false);
    expect(validate({ groupName: "it's" })).toBe(false);
    expect(validate({ groupName: 'forensics quarantine' })).toBe(true);
  });
});

describe('ec2.restore-instance-security-groups against moto', () => {
  it('puts back the groups the isolation recorded, on each network interface', async () => {
    const net = await network();
    const { GroupId: dbGroup } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'db', Description: 'db', VpcId: net.vpcId }),
    );
    const instanceId = await instanceIn(net, [dbGroup ?? '']);
    const before = await interfaceGroups(instanceId);
    const isolated = await executed(isolate, isolation(instanceId));
    expect(await interfaceGroups(instanceId)).not.toEqual(before);
    const [primary, secondary] = Object.keys(before);
    const outcome = await executed(restore, isolation(instanceId, {}, historyOf(isolated)));
    expect(outcome).toMatchObject({
      status: 'succeeded',
      detail: `restored the security groups of ${instanceId} recorded by the ec2.isolate-instance of rule guardduty-ec2-high-severity-finding at 2026-11-30T10:00:01.000Z: ${primary} to ${net.groupId} (web); ${secondary} to ${dbGroup} (db)`,
      data: {
        isolation: {
          eventId: 'finding-1',
          ruleId: 'guardduty-ec2-high-severity-finding',
          at: '2026-11-30T10:00:01.000Z',
        },
      },
    });
    expect(await interfaceGroups(instanceId)).toEqual(before);
  });

  it('skips an instance the ledger holds no isolation of', async () => {
    const net = await network();
    const instanceId = await instanceIn(net);
    const before = await interfaceGroups(instanceId);
    expect(await executed(restore, isolation(instanceId, {}, historyOf()))).toEqual({
      status: 'skipped',
      detail: `did not restore the security groups of ${instanceId}: the ledger holds no succeeded ec2.isolate-instance of it`,
    });
    expect(await interfaceGroups(instanceId)).toEqual(before);
  });

  it('skips an instance that is no longer in quarantine, leaving the groups someone gave it', async () => {
    const net = await network();
    const instanceId = await instanceIn(net);
    const isolated = await executed(isolate, isolation(instanceId));
    const [eni] = Object.keys(await interfaceGroups(instanceId));
    const { GroupId: chosen } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'chosen', Description: 'x', VpcId: net.vpcId }),
    );
    await ec2.send(
      new ModifyNetworkInterfaceAttributeCommand({
        NetworkInterfaceId: eni,
        Groups: [chosen ?? ''],
      }),
    );
    expect(await executed(restore, isolation(instanceId, {}, historyOf(isolated)))).toEqual({
      status: 'skipped',
      detail: `did not restore the security groups of ${instanceId}: it is no longer in quarantine: ${eni} (has ${chosen} (chosen))`,
    });
    expect(await interfaceGroups(instanceId)).toEqual({ [eni ?? '']: [chosen] });
  });

  it('skips, saying why, when the recorded isolation holds no groups to put back', async () => {
    const net = await network();
    const instanceId = await instanceIn(net);
    const recorded = historyOf({
      status: 'succeeded',
      detail: 'isolated',
      data: { networkInterfaces: [{ networkInterfaceId: 'eni-1' }] },
    });
    expect(await executed(restore, isolation(instanceId, {}, recorded))).toEqual({
      status: 'skipped',
      detail: `did not restore the security groups of ${instanceId}: the ec2.isolate-instance of rule guardduty-ec2-high-severity-finding at 2026-11-30T10:00:01.000Z recorded no groups to put back (its networkInterfaces[0] is not an isolated network interface)`,
    });
  });

  it('says it cannot know in a plan, which reads no ledger', async () => {
    const net = await network();
    const instanceId = await instanceIn(net);
    await expect(executed(restore, isolation(instanceId))).rejects.toThrow(
      `cannot know the last ec2.isolate-instance on ${instanceId}: a plan reads no ledger`,
    );
    expect(restore.describe(isolation(instanceId))).toBe(
      `put back the security groups the last ec2.isolate-instance of ${instanceId} recorded in the ledger`,
    );
  });
});
