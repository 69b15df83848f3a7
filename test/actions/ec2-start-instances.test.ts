import { DescribeInstancesCommand, EC2Client, StartInstancesCommand } from '@aws-sdk/client-ec2';
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
const action = catalogAction('ec2.start-instances');
const event = decodedEvent('events/ec2-stopped.json');
const instance = 'i-0123456789abcdef0';

beforeEach(() => ec2.reset());
afterAll(() => ec2.restore());

describe('ec2.start-instances', () => {
  it('takes no parameters', () => {
    expect(paramsErrors(action, {})).toEqual([]);
    expect(paramsErrors(action, { force: true })).toEqual([
      expect.objectContaining({
        keyword: 'additionalProperties',
        params: { additionalProperty: 'force' },
      }),
    ]);
  });

  it('targets the instance of the event and describes the start', () => {
    expect(action.originStates?.states).toEqual(['stopped']);
    expect(action.destructive).toBe(false);
    expect(action.targets(event, {})).toEqual([instance]);
    expect(action.describe(contextFor(event, instance))).toBe(`start ${instance}`);
  });

  it('does not start an instance that is not stopped', async () => {
    ec2.on(DescribeInstancesCommand).resolves(describedInstance(instance, 'stopping'));
    expect(await executed(action, contextFor(event, instance))).toEqual({
      status: 'skipped',
      detail: `did not start ${instance}: it is stopping, and start acts only from stopped`,
      data: { state: 'stopping' },
    });
    expect(ec2.commandCalls(StartInstancesCommand)).toHaveLength(0);
  });

  it('starts a stopped instance', async () => {
    ec2.on(DescribeInstancesCommand).resolves(describedInstance(instance, 'stopped'));
    ec2.on(StartInstancesCommand).resolves({});
    expect(await executed(action, contextFor(event, instance))).toEqual({
      status: 'succeeded',
      detail: `started ${instance} (was stopped)`,
      data: { previousState: 'stopped' },
    });
    expect(ec2.commandCalls(StartInstancesCommand)[0]?.args[0].input).toEqual({
      InstanceIds: [instance],
    });
  });
});
