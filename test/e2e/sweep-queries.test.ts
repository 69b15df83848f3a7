import {
  CloudTrailClient,
  CreateTrailCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  PutRetentionPolicyCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeImagesCommand,
  EC2Client,
  RunInstancesCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import { AwsClients } from '../../src/aws-clients.js';
import { instanceFact } from '../../src/facts/instance.js';
import { logGroupFact } from '../../src/facts/log-group.js';
import { securityGroupFact } from '../../src/facts/security-group.js';
import { trailFact } from '../../src/facts/trail.js';
import type { SweepResourceKind } from '../../src/rules/rule.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';
import { resourceQueries, type ListOptions, type SweptResource } from '../../src/sweep/queries.js';
import { uniqueName, useMoto } from './harness.js';

// A region of its own: moto is shared by every e2e file, which work in us-east-1.
const region = 'eu-north-1';
const suite = uniqueName('sweep-queries');
let clients: AwsClients;
let ec2: EC2Client;
let logs: CloudWatchLogsClient;

async function listAll(
  kind: SweepResourceKind,
  filters?: Record<string, string[]>,
  options: ListOptions = {},
): Promise<{ found: SweptResource[]; calls: string[] }> {
  const query = resourceQueries.get(kind);
  if (!query) throw new Error(`no query of ${kind}`);
  const calls: string[] = [];
  const found: SweptResource[] = [];
  for await (const item of query.list(clients, filters, {
    ...options,
    onCall: (operation) => calls.push(operation),
  }))
    found.push(item);
  return { found, calls };
}

/** An event that names the resource as the lazy facts look for it. */
function eventNaming(resource: string, request?: StewardEvent['request']): StewardEvent {
  return {
    id: `e-${resource}`,
    source: 'cloudtrail',
    name: 'Test',
    time: new Date().toISOString(),
    region,
    resources: [resource],
    eventSource: 'cloudtrail.amazonaws.com',
    ...(request ? { request } : {}),
    raw: {},
    delivery: 'direct',
  };
}

const launched: string[] = [];
const owned: string[] = [];

beforeAll(async () => {
  await useMoto();
  clients = new AwsClients(region);
  ec2 = new EC2Client({ region });
  logs = new CloudWatchLogsClient({ region });
  const images = await ec2.send(new DescribeImagesCommand({ Owners: ['amazon'] }));
  const imageId = images.Images?.[0]?.ImageId ?? 'ami-12c6146b';
  // One reservation each: moto pages DescribeInstances by reservation.
  for (let i = 0; i < 7; i += 1) {
    const tags = [
      { Key: 'Suite', Value: suite },
      ...(i % 2 === 0 ? [{ Key: 'Owner', Value: `team-${i}` }] : []),
    ];
    const { Instances } = await ec2.send(
      new RunInstancesCommand({
        ImageId: imageId,
        InstanceType: 't3.micro',
        MinCount: 1,
        MaxCount: 1,
        TagSpecifications: [{ ResourceType: 'instance', Tags: tags }],
      }),
    );
    const id = Instances?.[0]?.InstanceId;
    if (id === undefined) throw new Error('moto launched no instance');
    launched.push(id);
    if (i % 2 === 0) owned.push(id);
  }
  await ec2.send(new StopInstancesCommand({ InstanceIds: [launched[1] as string] }));
});

describe('the ec2-instances query', () => {
  it('reads every page, and each fact is what the instance fact reads', async () => {
    const { found, calls } = await listAll(
      'ec2-instances',
      { 'tag:Suite': [suite] },
      { pageSize: 5 },
    );
    expect(found.map((item) => item.resource).sort()).toEqual([...launched].sort());
    expect(calls).toEqual(['DescribeInstances', 'DescribeInstances']);
    for (const item of found)
      expect(item.fact).toEqual(await instanceFact.fetch(eventNaming(item.resource), clients));
    expect(found.find((item) => item.resource === launched[0])?.described).toEqual(
      expect.objectContaining({
        InstanceId: launched[0],
        InstanceType: 't3.micro',
        // As a file holds it: what a condition on the record reads is the same either way.
        LaunchTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      }),
    );
  });

  it('filters on the server: a tag key, a state', async () => {
    const withOwner = await listAll('ec2-instances', {
      'tag:Suite': [suite],
      'tag-key': ['Owner'],
    });
    expect(withOwner.found.map((item) => item.resource).sort()).toEqual([...owned].sort());
    const stopped = await listAll('ec2-instances', {
      'tag:Suite': [suite],
      'instance-state-name': ['stopped', 'stopping'],
    });
    expect(stopped.found.map((item) => item.resource)).toEqual([launched[1]]);
  });
});

describe('the security-groups query', () => {
  it('finds the groups a filter names, each fact what the security group fact reads', async () => {
    const groups: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const { GroupId } = await ec2.send(
        new CreateSecurityGroupCommand({
          GroupName: `${suite}-${i}`,
          Description: 'sweep query test',
          TagSpecifications: [
            { ResourceType: 'security-group', Tags: [{ Key: 'Suite', Value: suite }] },
          ],
        }),
      );
      if (GroupId === undefined) throw new Error('moto made no group');
      groups.push(GroupId);
    }
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groups[0],
        IpPermissions: [
          { IpProtocol: 'tcp', FromPort: 22, ToPort: 22, IpRanges: [{ CidrIp: '0.0.0.0/0' }] },
        ],
      }),
    );
    const { found, calls } = await listAll('security-groups', { 'tag:Suite': [suite] });
    expect(found.map((item) => item.resource).sort()).toEqual([...groups].sort());
    expect(calls).toEqual(['DescribeSecurityGroups']);
    for (const item of found)
      expect(item.fact).toEqual(await securityGroupFact.fetch(eventNaming(item.resource), clients));
    expect(found.find((item) => item.resource === groups[0])?.fact).toEqual(
      expect.objectContaining({
        ingress: [expect.objectContaining({ fromPort: 22, cidrs: ['0.0.0.0/0'] })],
      }),
    );
  });
});

describe('the log-groups query', () => {
  it('reads every page under a name prefix, each fact what the log group fact reads', async () => {
    const names = Array.from(
      { length: 12 },
      (_, i) => `/${suite}/group-${String(i).padStart(2, '0')}`,
    );
    for (const name of names) await logs.send(new CreateLogGroupCommand({ logGroupName: name }));
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: names[3], retentionInDays: 30 }));
    const { found, calls } = await listAll(
      'log-groups',
      { logGroupNamePrefix: [`/${suite}/`] },
      { pageSize: 5 },
    );
    expect(found.map((item) => item.resource)).toEqual(names);
    expect(calls).toEqual(['DescribeLogGroups', 'DescribeLogGroups', 'DescribeLogGroups']);
    for (const item of found)
      expect(item.fact).toEqual(
        await logGroupFact.fetch(
          eventNaming(item.resource, { logGroupName: item.resource }),
          clients,
        ),
      );
    expect(found[3]?.fact).toEqual(expect.objectContaining({ retentionInDays: 30 }));
    expect(found[0]?.fact).toEqual(expect.objectContaining({ retentionInDays: undefined }));
  });
});

describe('the trails query', () => {
  it('finds the trails of the region with their status, each fact what the trail fact reads', async () => {
    const s3 = new S3Client({ region, forcePathStyle: true });
    const cloudTrail = new CloudTrailClient({ region });
    const bucket = suite.toLowerCase();
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        CreateBucketConfiguration: { LocationConstraint: region },
      }),
    );
    const names = [`${suite}-logging`, `${suite}-silent`];
    for (const name of names)
      await cloudTrail.send(new CreateTrailCommand({ Name: name, S3BucketName: bucket }));
    await cloudTrail.send(new StartLoggingCommand({ Name: names[0] }));
    const { found, calls } = await listAll('trails');
    const ours = found.filter((item) => names.includes(item.resource));
    expect(ours.map((item) => item.resource).sort()).toEqual(names);
    expect(calls.filter((call) => call === 'DescribeTrails')).toHaveLength(1);
    expect(calls.filter((call) => call === 'GetTrailStatus')).toHaveLength(found.length);
    for (const item of ours)
      expect(item.fact).toEqual(
        await trailFact.fetch(eventNaming(item.resource, { name: item.resource }), clients),
      );
    expect(ours.map((item) => (item.fact as { isLogging: boolean }).isLogging)).toEqual([
      true,
      false,
    ]);
  });

  it('takes no filters', () => {
    expect(resourceQueries.get('trails')?.filterNames).toEqual([]);
  });
});
