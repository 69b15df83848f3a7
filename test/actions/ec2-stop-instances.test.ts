import { DescribeInstancesCommand, EC2Client, StopInstancesCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { actionPermissions } from '../../src/actions/origin-state.js';
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
const action = catalogAction('ec2.stop-instances');
const event = decodedEvent('events/ec2-running.json');
const instance = 'i-0123456789abcdef0';

beforeEach(() => ec2.reset());
afterAll(() => ec2.restore());

describe('ec2.stop-instances', () => {
  it('validates its parameters', () => {
    expect(paramsErrors(action, { hibernate: true })).toEqual([]);
    expect(paramsErrors(action, { hibernate: 'yes' })).toEqual([
      expect.objectContaining({ instancePath: '/hibernate', message: 'must be boolean' }),
    ]);
  });

  it('declares running as its only origin state', () => {
    expect(action.originStates?.states).toEqual(['running']);
    expect(action.permissions({})).toEqual(['ec2:StopInstances']);
    expect(actionPermissions(action, {})).toEqual(['ec2:DescribeInstances', 'ec2:StopInstances']);
  });

  it('targets the instance of the event and describes the stop', () => {
    expect(action.targets(event, {})).toEqual([instance]);
    expect(action.describe(contextFor(event, instance))).toBe(`stop ${instance}`);
    expect(action.describe(contextFor(event, instance, { hibernate: true }))).toBe(
      `hibernate ${instance}`,
    );
  });

  it('does not stop an instance that is not running', async () => {
    ec2.on(DescribeInstancesCommand).resolves(describedInstance(instance, 'stopped'));
    const outcome = await executed(action, contextFor(event, instance));
    expect(outcome).toEqual({
      status: 'skipped',
      detail: `did not stop ${instance}: it is stopped, and stop acts only from running`,
      data: { state: 'stopped' },
    });
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
  });

  it('stops a running instance', async () => {
    ec2.on(DescribeInstancesCommand).resolves(describedInstance(instance, 'running'));
    ec2.on(StopInstancesCommand).resolves({});
    const outcome = await executed(action, contextFor(event, instance, { hibernate: true }));
    expect(outcome).toEqual({
      status: 'succeeded',
      detail: `stopped ${instance} (was running)`,
      data: { previousState: 'running' },
    });
    expect(ec2.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toEqual({
      InstanceIds: [instance],
    });
    expect(ec2.commandCalls(StopInstancesCommand)[0]?.args[0].input).toEqual({
      InstanceIds: [instance],
      Hibernate: true,
    });
  });
});
