import {
  CreateSnapshotsCommand,
  DescribeInstancesCommand,
  EC2Client,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { actionCatalog } from '../../src/actions/catalog.js';
import {
  actionPermissions,
  executeFromOrigin,
  instanceState,
  ResourceStates,
} from '../../src/actions/origin-state.js';
import { catalogAction, contextFor, decodedEvent, describedInstance } from './support.js';

const ec2 = mockClient(EC2Client);
const event = decodedEvent('events/ec2-running.json');
const instance = 'i-0123456789abcdef0';
const stop = catalogAction('ec2.stop-instances');
const snapshot = catalogAction('ec2.create-snapshots');

beforeEach(() => ec2.reset());
afterAll(() => ec2.restore());

describe('origin states, checked by the platform', () => {
  it('reads a resource once for all of a rule’s actions on it within the event', async () => {
    ec2.on(DescribeInstancesCommand).resolves(
      describedInstance(instance, 'running', {
        BlockDeviceMappings: [{ DeviceName: '/dev/xvda', Ebs: { VolumeId: 'vol-1' } }],
      }),
    );
    ec2
      .on(CreateSnapshotsCommand)
      .resolves({ Snapshots: [{ SnapshotId: 'snap-1', VolumeId: 'vol-1' }] });
    ec2.on(StopInstancesCommand).resolves({});
    const states = new ResourceStates();
    const snapshotted = await executeFromOrigin(snapshot, contextFor(event, instance), states);
    const stopped = await executeFromOrigin(stop, contextFor(event, instance), states);
    expect(snapshotted).toMatchObject({
      status: 'succeeded',
      data: { snapshots: [{ snapshotId: 'snap-1' }] },
    });
    expect(stopped).toMatchObject({
      status: 'succeeded',
      detail: `stopped ${instance} (was running)`,
    });
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(1);
  });

  it('reads again when asked for a fresh state, and after a read that failed', async () => {
    const states = new ResourceStates();
    const clients = contextFor(event, instance).clients;
    ec2.on(DescribeInstancesCommand).rejectsOnce(new Error('network down'));
    await expect(states.read(instanceState, clients, instance)).rejects.toThrow('network down');
    ec2.on(DescribeInstancesCommand).resolves(describedInstance(instance, 'stopping'));
    expect(await states.read(instanceState, clients, instance)).toMatchObject({
      state: 'stopping',
    });
    ec2.on(DescribeInstancesCommand).resolves(describedInstance(instance, 'stopped'));
    expect(await states.read(instanceState, clients, instance)).toMatchObject({
      state: 'stopping',
    });
    expect(await states.read(instanceState, clients, instance, true)).toMatchObject({
      state: 'stopped',
    });
    expect(ec2.commandCalls(DescribeInstancesCommand)).toHaveLength(3);
  });

  it('skips a resource that is not found, naming the states it acts from, without executing', async () => {
    ec2.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    expect(
      await executeFromOrigin(stop, contextFor(event, instance), new ResourceStates()),
    ).toEqual({
      status: 'skipped',
      detail: `did not stop ${instance}: it is not found, and stop acts only from running`,
      data: { state: undefined },
    });
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
  });

  it('grants the read of origin states with every action that declares them', () => {
    for (const action of actionCatalog.values()) {
      const reads = action.originStates?.reader.permissions ?? [];
      expect(actionPermissions(action, {}).slice(0, reads.length)).toEqual(reads);
      for (const permission of reads) expect(action.permissions({})).not.toContain(permission);
    }
    expect(actionPermissions(catalogAction('cloudtrail.start-logging'), {})).toEqual([
      'cloudtrail:GetTrailStatus',
      'cloudtrail:StartLogging',
    ]);
  });
});
