import { CreateSnapshotsCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  catalogAction,
  contextFor,
  decodedEvent,
  describedInstance,
  paramsErrors,
  executed,
} from './support.js';

const ec2 = mockClient(EC2Client);
const action = catalogAction('ec2.create-snapshots');
const event = decodedEvent('events/cloudtrail-run-instances.json');
const instance = 'i-0a1b2c3d4e5f67890';
const params = { description: 'launched by ${actor.arn}', copyTags: true };
const volumes = {
  BlockDeviceMappings: [
    { DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-0aaaaaaaaaaaaaaa1' } },
    { DeviceName: '/dev/xvdf', Ebs: { VolumeId: 'vol-0aaaaaaaaaaaaaaa2' } },
  ],
};

beforeEach(() => ec2.reset());
afterAll(() => ec2.restore());

describe('ec2.create-snapshots', () => {
  it('validates its parameters', () => {
    expect(paramsErrors(action, params)).toEqual([]);
    expect(paramsErrors(action, { copyTags: 'volume' })).toEqual([
      expect.objectContaining({ instancePath: '/copyTags', message: 'must be boolean' }),
    ]);
  });

  it('targets the instance of the event and describes the snapshot with its description', () => {
    expect(action.targets(event, params)).toEqual([instance]);
    expect(action.describe(contextFor(event, instance, params))).toBe(
      `snapshot every EBS volume of ${instance} as "launched by arn:aws:sts::123456789012:assumed-role/Developer/alice@example.com"`,
    );
    expect(action.describe(contextFor(event, instance))).toBe(
      `snapshot every EBS volume of ${instance}`,
    );
  });

  it('does not snapshot a terminated instance, nor one without EBS volumes', async () => {
    ec2.on(DescribeInstancesCommand).resolves(describedInstance(instance, 'terminated'));
    expect(await executed(action, contextFor(event, instance, params))).toEqual({
      status: 'skipped',
      detail: `did not snapshot ${instance}: it is terminated, and snapshot acts only from running, stopping or stopped`,
      data: { state: 'terminated' },
    });
    ec2.on(DescribeInstancesCommand).resolves(describedInstance(instance, 'running'));
    expect(await executed(action, contextFor(event, instance, params))).toEqual({
      status: 'skipped',
      detail: `did not snapshot ${instance}: it has no EBS volume`,
    });
    expect(ec2.commandCalls(CreateSnapshotsCommand)).toHaveLength(0);
  });

  it('snapshots every volume in one call, tagged with the rule', async () => {
    ec2.on(DescribeInstancesCommand).resolves(describedInstance(instance, 'stopped', volumes));
    ec2.on(CreateSnapshotsCommand).resolves({
      Snapshots: [
        { SnapshotId: 'snap-0bbbbbbbbbbbbbbb1', VolumeId: 'vol-0aaaaaaaaaaaaaaa1' },
        { SnapshotId: 'snap-0bbbbbbbbbbbbbbb2', VolumeId: 'vol-0aaaaaaaaaaaaaaa2' },
      ],
    });
    expect(await executed(action, contextFor(event, instance, params))).toEqual({
      status: 'succeeded',
      detail: `snapshotted 2 EBS volumes of ${instance}: snap-0bbbbbbbbbbbbbbb1 of vol-0aaaaaaaaaaaaaaa1, snap-0bbbbbbbbbbbbbbb2 of vol-0aaaaaaaaaaaaaaa2`,
      data: {
        snapshots: [
          { snapshotId: 'snap-0bbbbbbbbbbbbbbb1', volumeId: 'vol-0aaaaaaaaaaaaaaa1' },
          { snapshotId: 'snap-0bbbbbbbbbbbbbbb2', volumeId: 'vol-0aaaaaaaaaaaaaaa2' },
        ],
      },
    });
    expect(ec2.commandCalls(CreateSnapshotsCommand)).toHaveLength(1);
    expect(ec2.commandCalls(CreateSnapshotsCommand)[0]?.args[0].input).toEqual({
      InstanceSpecification: { InstanceId: instance, ExcludeBootVolume: false },
      Description: 'launched by arn:aws:sts::123456789012:assumed-role/Developer/alice@example.com',
      CopyTagsFromSource: 'volume',
      TagSpecifications: [
        { ResourceType: 'snapshot', Tags: [{ Key: 'steward:rule', Value: 'test-rule' }] },
      ],
    });
  });

  it('sends neither a description nor tag copying when not asked to', async () => {
    ec2.on(DescribeInstancesCommand).resolves(describedInstance(instance, 'running', volumes));
    ec2.on(CreateSnapshotsCommand).resolves({ Snapshots: [] });
    await executed(action, contextFor(event, instance));
    expect(ec2.commandCalls(CreateSnapshotsCommand)[0]?.args[0].input).toEqual({
      InstanceSpecification: { InstanceId: instance, ExcludeBootVolume: false },
      TagSpecifications: [
        { ResourceType: 'snapshot', Tags: [{ Key: 'steward:rule', Value: 'test-rule' }] },
      ],
    });
  });
});
