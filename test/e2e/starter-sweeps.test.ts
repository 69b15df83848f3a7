import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepSummary } from '../../src/sweep/run-sweep.js';
import { lambdaContext, rulePackEnforcing, useMoto } from './harness.js';

// A region of its own: moto is shared by every e2e file, which work in us-east-1.
const sweepRegion = 'sa-east-1';

type Handler = (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<SweepSummary>;
let handler: Handler;

beforeAll(async () => {
  // The shipped pack, its log-group and security-group sweeps enforced.
  const rulesDir = await rulePackEnforcing([
    'sweeps/sweep-log-groups-without-retention.yaml',
    'sweeps/sweep-security-groups-open-to-world.yaml',
  ]);
  await useMoto({ rulesDir });
  // As the deployment tells the sweep function with --param="sweepRegions=sa-east-1".
  process.env.STEWARD_SWEEP_REGIONS = sweepRegion;
  ({ handler } = (await import('../../handlers/sweep.js')) as { handler: Handler });
});

afterAll(() => {
  Reflect.deleteProperty(process.env, 'STEWARD_SWEEP_REGIONS');
});

/** The sweep function invoked by the rule's schedule, as EventBridge invokes it. */
const sweep = (rule: string) => handler({ rule }, lambdaContext());

describe('the starter sweeps, enforced, on moto', () => {
  it('give each log group that keeps its events forever 365 days, once, and leave the others', async () => {
    const logs = new CloudWatchLogsClient({ region: sweepRegion });
    const retained: Record<string, number | undefined> = {
      '/orders/api': undefined,
      '/orders/audit': 30,
      '/orders/archive': 3653,
    };
    for (const [logGroupName, retentionInDays] of Object.entries(retained)) {
      await logs.send(new CreateLogGroupCommand({ logGroupName }));
      if (retentionInDays !== undefined)
        await logs.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays }));
    }

    const first = await sweep('sweep-log-groups-without-retention');
    expect(first).toMatchObject({ resources: 3, matches: 1, actions: { succeeded: 1 } });
    expect(first.errors).toEqual([]);
    const { logGroups = [] } = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: '/orders/' }),
    );
    expect(
      Object.fromEntries(logGroups.map((group) => [group.logGroupName, group.retentionInDays])),
    ).toEqual({ ...retained, '/orders/api': 365 });

    // Fixed: the next sweep finds nothing to do.
    const second = await sweep('sweep-log-groups-without-retention');
    expect(second).toMatchObject({ resources: 3, matches: 0 });
    expect(second.actions).toEqual({});
  });

  it('revoke the world-open rules of the group that has them, and nothing else', async () => {
    const ec2 = new EC2Client({ region: sweepRegion });
    const group = async (name: string, permissions: IpPermission[]) => {
      const { GroupId } = await ec2.send(
        new CreateSecurityGroupCommand({ GroupName: name, Description: name }),
      );
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({ GroupId, IpPermissions: permissions }),
      );
      return GroupId as string;
    };
    const web = await group('web', [
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
    ]);
    const office = await group('office-ssh', [
      { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '198.51.100.0/24' }] },
    ]);

    const first = await sweep('sweep-security-groups-open-to-world');
    expect(first).toMatchObject({ matches: 1, actions: { succeeded: 2 } });
    expect(first.errors).toEqual([]);
    const { SecurityGroups = [] } = await ec2.send(
      new DescribeSecurityGroupsCommand({ GroupIds: [web, office] }),
    );
    const ingress = Object.fromEntries(
      SecurityGroups.map((described) => [
        described.GroupId,
        (described.IpPermissions ?? []).flatMap((permission) =>
          (permission.IpRanges ?? []).map((range) => `${permission.FromPort} ${range.CidrIp}`),
        ),
      ]),
    );
    expect(ingress).toEqual({ [web]: ['443 10.0.0.0/8'], [office]: ['22 198.51.100.0/24'] });

    const second = await sweep('sweep-security-groups-open-to-world');
    expect(second.matches).toBe(0);
    expect(second.actions).toEqual({});
  });
});
