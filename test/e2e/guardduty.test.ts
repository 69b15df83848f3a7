import { randomUUID } from 'node:crypto';
import {
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateTopicCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPipeline, type PipelineReport } from '../../src/pipeline.js';
import { loadRules } from '../../src/rules/load.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import {
  account,
  actionsOf,
  cloudTrailEvent,
  region,
  rulePackEnforcing,
  sample,
  serializingProxy,
  useMoto,
} from './harness.js';

// The shipped GuardDuty rule, switched to `mode: enforce`, on a finding about an instance
// created in moto; EC2 and SNS are moto's, and so is the ledger's DynamoDB, through a proxy
// that serializes its requests (moto does not make a conditional write atomic: see
// `serializingProxy`), so concurrent deliveries race on the ledger as they would on AWS.
const findingRule = 'guardduty-ec2-high-severity-finding';
const releaseRule = 'ec2-quarantine-released';

let runtime: Runtime;
let proxy: Awaited<ReturnType<typeof serializingProxy>>;
let ec2: EC2Client;
let sns: SNSClient;
/** Every command steward's own clients sent to moto, by name. */
const sent: string[] = [];

beforeAll(async () => {
  const env = await useMoto({ services: ['ec2', 'sns'] });
  process.env.STEWARD_ACCOUNT_ID = account;
  proxy = await serializingProxy(env.endpoint);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = proxy.endpoint;
  const rulesDir = await rulePackEnforcing([`${findingRule}.yaml`]);
  runtime = await createRuntime({ rules: () => loadRules(rulesDir) });
  const counted = { step: 'initialize' as const, name: 'countCommands' };
  (await runtime.clients.home.ec2()).middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? 'unknown');
      return next(args);
    },
    counted,
  );
  (await runtime.clients.home.sns()).middlewareStack.add(
    (next, context) => (args) => {
      sent.push(context.commandName ?? 'unknown');
      return next(args);
    },
    counted,
  );
  ec2 = new EC2Client({ region });
  sns = new SNSClient({ region });
  // The topic the shipped rule names, in moto's account (the samples' account too).
  await sns.send(new CreateTopicCommand({ Name: 'steward-security-alerts' }));
});

afterAll(async () => {
  ec2?.destroy();
  sns?.destroy();
  await runtime?.close();
  await proxy?.close();
});

/** An instance with an EBS root volume and one group of the default VPC, on its interface. */
async function launch(): Promise<{ instanceId: string; groupId: string; vpcId: string }> {
  const { Subnets } = await ec2.send(
    new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }),
  );
  const subnet = Subnets?.[0];
  const { GroupId: groupId } = await ec2.send(
    new CreateSecurityGroupCommand({
      GroupName: `web-${randomUUID().slice(0, 8)}`,
      Description: 'web',
      VpcId: subnet?.VpcId,
    }),
  );
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const launched = await ec2.send(
    new RunInstancesCommand({
      ImageId: images.Images?.[0]?.ImageId ?? 'ami-12c6146b',
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 8 } }],
      // The group goes on the interface: moto reports an attached interface's groups as its
      // own and the instance's launch groups (SecurityGroupIds) together, which no call changes.
      NetworkInterfaces: [{ DeviceIndex: 0, SubnetId: subnet?.SubnetId, Groups: [groupId ?? ''] }],
    }),
  );
  const instanceId = launched.Instances?.[0]?.InstanceId;
  if (instanceId === undefined || groupId === undefined || subnet?.VpcId === undefined)
    throw new Error('moto launched no instance');
  return { instanceId, groupId, vpcId: subnet.VpcId };
}

async function instanceOf(instanceId: string) {
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = described.Reservations?.[0]?.Instances?.[0];
  if (instance === undefined) throw new Error(`moto does not know ${instanceId}`);
  return instance;
}

async function groupsOf(instanceId: string): Promise<string[][]> {
  return ((await instanceOf(instanceId)).NetworkInterfaces ?? []).map((found) =>
    (found.Groups ?? []).map(({ GroupId }) => GroupId ?? ''),
  );
}

interface Finding {
  id: string;
  time: string;
  detail: {
    id: string;
    type: string;
    updatedAt: string;
    resource: { instanceDetails: { instanceId: string } };
  };
}

/** events/guardduty-ec2-finding.json about moto's instance, as a new finding. */
function findingAbout(instanceId: string): Finding {
  const finding = sample<Finding>('guardduty-ec2-finding.json');
  finding.id = randomUUID();
  finding.time = new Date().toISOString();
  finding.detail.id = randomUUID().replaceAll('-', '');
  finding.detail.updatedAt = finding.time;
  finding.detail.resource.instanceDetails.instanceId = instanceId;
  return finding;
}

/** Somebody tagging the instance `steward:release`, as CloudTrail records it. */
function releaseOf(instanceId: string) {
  return cloudTrailEvent('cloudtrail/ec2-create-tags-steward-release.json', (record) => {
    const request = record.requestParameters as { resourcesSet: unknown };
    request.resourcesSet = { items: [{ resourceId: instanceId }] };
  });
}

const count = (name: string) => sent.filter((sentName) => sentName === name).length;

describe('a GuardDuty finding on moto', () => {
  it('snapshots, tags, isolates and notifies once over three deliveries, two of them concurrent; the release restores the groups', async () => {
    const { instanceId, groupId, vpcId } = await launch();
    const volumes = ((await instanceOf(instanceId)).BlockDeviceMappings ?? []).map(
      (mapping) => mapping.Ebs?.VolumeId,
    );
    expect(volumes).toHaveLength(1);
    const finding = findingAbout(instanceId);
    const context = { ...runtime, inProgressWaitMs: 10_000 };
    sent.length = 0;

    const concurrent = await Promise.all([
      runPipeline(finding, 'delivery 1', context),
      runPipeline(finding, 'delivery 2', context),
    ]);
    const late = await runPipeline(finding, 'delivery 3', context);
    const reports: PipelineReport[] = [...concurrent, late];

    expect(reports.flatMap((report) => report.errors)).toEqual([]);
    const actions = reports.flatMap((report) => actionsOf(report, findingRule));
    const succeeded = actions.filter((action) => action.status === 'succeeded');
    expect(succeeded.map((action) => action.action)).toEqual([
      'ec2.create-snapshots',
      'ec2.create-tags',
      'ec2.isolate-instance',
      'notify.sns',
    ]);
    const duplicates = actions.filter((action) => action.status === 'duplicate');
    expect(duplicates).toHaveLength(8);
    expect(new Set(duplicates.map((action) => action.stored))).toEqual(new Set(['succeeded']));
    // Each change made once: one snapshot set, one tagging, one group made and one interface
    // moved, one message.
    expect(count('CreateSnapshotsCommand')).toBe(1);
    expect(count('CreateTagsCommand')).toBe(1);
    expect(count('CreateSecurityGroupCommand')).toBe(1);
    expect(count('ModifyNetworkInterfaceAttributeCommand')).toBe(1);
    expect(count('PublishCommand')).toBe(1);

    const { Snapshots } = await ec2.send(
      new DescribeSnapshotsCommand({
        Filters: [
          { Name: 'tag:steward:rule', Values: [findingRule] },
          { Name: 'volume-id', Values: volumes.map(String) },
        ],
      }),
    );
    expect(Snapshots).toHaveLength(1);
    expect((await instanceOf(instanceId)).Tags).toEqual(
      expect.arrayContaining([
        { Key: 'steward:quarantined', Value: `GuardDuty ${finding.detail.type}` },
        { Key: 'steward:finding', Value: finding.detail.id },
      ]),
    );
    const { SecurityGroups: quarantine } = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: ['steward-quarantine'] },
        ],
      }),
    );
    expect(quarantine).toHaveLength(1);
    expect(await groupsOf(instanceId)).toEqual([[quarantine?.[0]?.GroupId]]);

    const entries = await runtime.ledger.list({ resource: instanceId });
    expect(
      entries.map((entry) => [entry.ruleId, entry.action, entry.status, entry.attempts]).sort(),
    ).toEqual(
      ['ec2.create-snapshots', 'ec2.create-tags', 'ec2.isolate-instance', 'notify.sns'].map(
        (action) => [findingRule, action, 'succeeded', 1],
      ),
    );
    // One event, however often it was delivered.
    expect(new Set(entries.map((entry) => entry.eventId)).size).toBe(1);
    const isolation = entries.find((entry) => entry.action === 'ec2.isolate-instance');
    expect(isolation?.data).toEqual({
      networkInterfaces: [
        expect.objectContaining({
          vpcId,
          quarantineGroupId: quarantine?.[0]?.GroupId,
          previousGroups: [expect.objectContaining({ groupId })],
        }),
      ],
    });

    // Somebody lets it out: the groups the ledger recorded come back.
    sent.length = 0;
    const released = await runPipeline(releaseOf(instanceId), 'release', context);
    expect(released.errors).toEqual([]);
    expect(actionsOf(released, releaseRule)).toEqual([
      expect.objectContaining({
        action: 'ec2.restore-instance-security-groups',
        resource: instanceId,
        status: 'succeeded',
        mode: 'enforce',
      }),
      expect.objectContaining({ action: 'audit.record', status: 'succeeded' }),
    ]);
    expect(count('ModifyNetworkInterfaceAttributeCommand')).toBe(1);
    expect(await groupsOf(instanceId)).toEqual([[groupId]]);

    // Released twice: nothing in quarantine any more, and nothing changes.
    sent.length = 0;
    const again = await runPipeline(releaseOf(instanceId), 'second release', context);
    expect(actionsOf(again, releaseRule)[0]).toMatchObject({
      action: 'ec2.restore-instance-security-groups',
      status: 'skipped',
      detail: expect.stringContaining(`${instanceId}: it is no longer in quarantine`),
    });
    expect(count('ModifyNetworkInterfaceAttributeCommand')).toBe(0);
    expect(await groupsOf(instanceId)).toEqual([[groupId]]);
  }, 90_000);
});
