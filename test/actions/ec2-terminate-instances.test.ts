import {
  DescribeInstancesCommand,
  EC2Client,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
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
const action = catalogAction('ec2.terminate-instances');
const event = decodedEvent('events/cloudtrail-run-instances.json');
const instance = 'i-0a1b2c3d4e5f67890';

beforeEach(() => ec2.reset());
afterAll(() => ec2.restore());

describe('ec2.terminate-instances', () => {
  it('is destructive and takes no parameters', () => {
    expect(action.destructive).toBe(true);
    expect(paramsErrors(action, {})).toEqual([]);
    expect(paramsErrors(action, { skipShutdown: true })).toEqual([
      expect.objectContaining({ keyword: 'additionalProperties' }),
    ]);
  });

  it('targets the launched instance and describes the termination', () => {
    expect(action.targets(event, {})).toEqual([instance]);
    expect(action.describe(contextFor(event, instance))).toBe(`terminate ${instance}`);
  });

  it('does not terminate an instance that is already shutting down', async () => {
    ec2.on(DescribeInstancesCommand).resolves(describedInstance(instance, 'shutting-down'));
    expect(await executed(action, contextFor(event, instance))).toEqual({
      status: 'skipped',
      detail: `did not terminate ${instance}: it is shutting-down, and terminate acts only from running, stopped, stopping or pending`,
      data: { state: 'shutting-down' },
    });
    expect(ec2.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
  });

  it('terminates a pending instance', async () => {
    ec2.on(DescribeInstancesCommand).resolves(describedInstance(instance, 'pending'));
    ec2.on(TerminateInstancesCommand).resolves({});
    expect(await executed(action, contextFor(event, instance))).toMatchObject({
      status: 'succeeded',
      detail: `terminated ${instance} (was pending)`,
    });
    expect(ec2.commandCalls(TerminateInstancesCommand)[0]?.args[0].input).toEqual({
      InstanceIds: [instance],
    });
  });
});
