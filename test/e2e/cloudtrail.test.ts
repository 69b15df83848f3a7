import {
  CloudTrailClient,
  CreateTrailCommand,
  GetTrailStatusCommand,
  StartLoggingCommand,
  StopLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  DescribeLogGroupsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLedger, type LedgerConnection } from '../../src/ledger/connect.js';
import type { PipelineReport } from '../../src/pipeline.js';
import {
  account,
  actionsOf,
  cloudTrailEvent,
  embeddedLedgerFiles,
  first,
  lambdaContext,
  region,
  type MotoEnvironment,
  uniqueName,
  useMoto,
  worldOpenSshEvent,
} from './harness.js';

// The shipped rule pack (rules/), as deployed: every rule used here is `mode: enforce`.
let env: MotoEnvironment;
let handler: (event: unknown, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;
let ledger: LedgerConnection;
let ec2: EC2Client;
let s3: S3Client;
let cloudTrail: CloudTrailClient;
let logs: CloudWatchLogsClient;

beforeAll(async () => {
  env = await useMoto();
  ({ handler } = await import('../../handlers/cloudtrail.js'));
  ledger = await connectLedger(process.env);
  ec2 = new EC2Client({ region });
  s3 = new S3Client({ region, forcePathStyle: true });
  cloudTrail = new CloudTrailClient({ region });
  logs = new CloudWatchLogsClient({ region });
});

afterAll(async () => {
  for (const client of [ec2, s3, cloudTrail, logs]) client?.destroy();
  await ledger?.close();
});

async function invoke(event: unknown): Promise<PipelineReport> {
  return (await handler(event, lambdaContext())) as PipelineReport;
}

async function ingressOf(groupId: string) {
  const described = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
  return (described.SecurityGroups?.[0]?.IpPermissions ?? []).flatMap((permission) =>
    (permission.IpRanges ?? []).map(
      (range) => `${permission.IpProtocol} ${permission.FromPort} from ${range.CidrIp}`,
    ),
  );
}

/** A group with one ordinary rule (tcp 443 from 10.0.0.0/8), then one opened to the world. */
async function groupOpenedToWorld(port: number) {
  const { GroupId: groupId } = await ec2.send(
    new CreateSecurityGroupCommand({ GroupName: uniqueName('e2e-sg'), Description: 'e2e' }),
  );
  if (groupId === undefined) throw new Error('moto created no security group');
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.0.0/8' }] },
      ],
    }),
  );
  const opened = await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: groupId,
      IpPermissions: [
        { IpProtocol: 'tcp', FromPort: port, ToPort: port, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
      ],
    }),
  );
  const ruleId = opened.SecurityGroupRules?.[0]?.SecurityGroupRuleId;
  if (ruleId === undefined) throw new Error('moto returned no security group rule id');
  expect((await ingressOf(groupId)).sort()).toEqual(
    [`tcp ${port} from 0.0.0.0/0`, 'tcp 443 from 10.0.0.0/8'].sort(),
  );
  return { groupId, ruleId };
}

describe('cloudtrail handler on moto', () => {
  it('keeps its ledger in moto DynamoDB', () => {
    expect(ledger.description).toBe(`DynamoDB table ${env.ledgerTable} at ${env.endpoint}`);
  });

  it('revokes the world-open SSH rule an AuthorizeSecurityGroupIngress added, by rule id, and keeps the others', async () => {
    const { groupId, ruleId } = await groupOpenedToWorld(22);
    const event = worldOpenSshEvent(groupId, ruleId);

    const report = await invoke(event);

    expect(report.errors).toEqual([]);
    expect(actionsOf(report, 'ec2-security-group-open-to-world')).toEqual([
      expect.objectContaining({
        action: 'ec2.revoke-security-group-ingress',
        resource: groupId,
        status: 'succeeded',
        mode: 'enforce',
        detail: `revoked tcp 22 from 0.0.0.0/0 on ${groupId}`,
      }),
      expect.objectContaining({ action: 'audit.record', status: 'succeeded' }),
    ]);
    expect(await ingressOf(groupId)).toEqual(['tcp 443 from 10.0.0.0/8']);
    const rules = await ec2.send(
      new DescribeSecurityGroupRulesCommand({
        Filters: [{ Name: 'group-id', Values: [groupId] }],
      }),
    );
    expect(rules.SecurityGroupRules?.map((rule) => rule.SecurityGroupRuleId)).not.toContain(ruleId);
  });

  it('revokes by permission when the record names no rule ids (the flat API form)', async () => {
    const { groupId } = await groupOpenedToWorld(5432);
    const event = cloudTrailEvent('cloudtrail/ec2-authorize-sg-ingress-api-cidr.json', (record) => {
      (record.requestParameters as { groupId: string }).groupId = groupId;
      // A record without securityGroupRuleSet in its response, as older API versions wrote.
      record.responseElements = { _return: true };
    });

    const report = await invoke(event);

    expect(report.errors).toEqual([]);
    expect(actionsOf(report, 'ec2-security-group-open-to-world')[0]).toMatchObject({
      action: 'ec2.revoke-security-group-ingress',
      status: 'succeeded',
      detail: `revoked tcp 5432 from 0.0.0.0/0 on ${groupId}`,
    });
    expect(await ingressOf(groupId)).toEqual(['tcp 443 from 10.0.0.0/8']);
  });

  it('turns a stopped trail back on after StopLogging', async () => {
    const bucket = uniqueName('e2e-trail-logs');
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const { TrailARN: trailArn } = await cloudTrail.send(
      new CreateTrailCommand({ Name: uniqueName('e2e-trail'), S3BucketName: bucket }),
    );
    if (trailArn === undefined) throw new Error('moto created no trail');
    await cloudTrail.send(new StartLoggingCommand({ Name: trailArn }));
    await cloudTrail.send(new StopLoggingCommand({ Name: trailArn }));
    expect((await cloudTrail.send(new GetTrailStatusCommand({ Name: trailArn }))).IsLogging).toBe(
      false,
    );
    // The sample names the trail by its ARN, as the CLI records it.
    const event = cloudTrailEvent('cloudtrail-stop-logging.json', (record) => {
      record.requestParameters = { name: trailArn };
      record.resources = [{ accountId: account, type: 'AWS::CloudTrail::Trail', ARN: trailArn }];
    });

    const report = await invoke(event);

    expect(report.errors).toEqual([]);
    expect(actionsOf(report, 'cloudtrail-logging-stopped')).toEqual([
      expect.objectContaining({
        action: 'cloudtrail.start-logging',
        resource: trailArn,
        status: 'succeeded',
        mode: 'enforce',
      }),
      expect.objectContaining({ action: 'audit.record', status: 'succeeded' }),
    ]);
    expect((await cloudTrail.send(new GetTrailStatusCommand({ Name: trailArn }))).IsLogging).toBe(
      true,
    );
  });

  it('requires IMDSv2 on an instance launched without it and tags it with its creator', async () => {
    const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
    const imageId = images.Images?.[0]?.ImageId ?? 'ami-12c6146b';
    const launched = await ec2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        MetadataOptions: { HttpTokens: 'optional', HttpEndpoint: 'enabled' },
      }),
    );
    const instance = launched.Instances?.[0];
    const instanceId = instance?.InstanceId;
    if (instanceId === undefined) throw new Error('moto launched no instance');
    expect(instance?.MetadataOptions?.HttpTokens).toBe('optional');
    const event = cloudTrailEvent('cloudtrail-run-instances.json', (record) => {
      const request = record.requestParameters as {
        instancesSet: { items: { imageId: string }[] };
      };
      first(request.instancesSet.items, 'instance in the request').imageId = imageId;
      const response = record.responseElements as {
        reservationId: string;
        instancesSet: { items: { instanceId: string; imageId: string }[] };
      };
      response.reservationId = launched.ReservationId ?? response.reservationId;
      const item = first(response.instancesSet.items, 'instance in the response');
      item.instanceId = instanceId;
      item.imageId = imageId;
    });
    const creator = (event.detail.userIdentity as { arn: string }).arn;

    const report = await invoke(event);

    expect(report.errors).toEqual([]);
    expect(actionsOf(report, 'ec2-require-imdsv2')).toEqual([
      expect.objectContaining({
        action: 'ec2.modify-instance-metadata-options',
        resource: instanceId,
        status: 'succeeded',
        detail: `required IMDSv2 on ${instanceId} (HttpTokens was optional)`,
      }),
      expect.objectContaining({ action: 'audit.record', status: 'succeeded' }),
    ]);
    expect(actionsOf(report, 'ec2-tag-instance-creator')).toEqual([
      expect.objectContaining({
        action: 'ec2.create-tags',
        resource: instanceId,
        status: 'succeeded',
      }),
    ]);
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const now = described.Reservations?.[0]?.Instances?.[0];
    expect(now?.MetadataOptions).toMatchObject({ HttpTokens: 'required', HttpEndpoint: 'enabled' });
    expect(now?.Tags).toEqual(
      expect.arrayContaining([{ Key: 'steward:created-by', Value: creator }]),
    );
  });

  it('caps the retention of a new log group at 365 days', async () => {
    const logGroupName = `/steward-e2e/${uniqueName('orders-api')}`;
    await logs.send(new CreateLogGroupCommand({ logGroupName }));
    const event = cloudTrailEvent('cloudtrail/logs-create-log-group.json', (record) => {
      record.requestParameters = { logGroupName };
    });

    const report = await invoke(event);

    expect(report.errors).toEqual([]);
    expect(actionsOf(report, 'log-group-without-retention')).toEqual([
      expect.objectContaining({
        action: 'logs.put-retention-policy',
        resource: logGroupName,
        status: 'succeeded',
        detail: `set the retention of log group ${logGroupName} to 365 days (was never expire)`,
      }),
    ]);
    const groups = await logs.send(
      new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroupName }),
    );
    expect(groups.logGroups?.map((group) => [group.logGroupName, group.retentionInDays])).toEqual([
      [logGroupName, 365],
    ]);
  });

  it('wrote nothing to an embedded ledger', async () => {
    expect(await embeddedLedgerFiles(env.dataDir)).toEqual([]);
  });
});
