import {
  DescribeInstancesCommand,
  EC2Client,
  ModifyInstanceMetadataOptionsCommand,
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
const action = catalogAction('ec2.modify-instance-metadata-options');
const event = decodedEvent('events/cloudtrail-run-instances.json');
const instance = 'i-0a1b2c3d4e5f67890';

beforeEach(() => ec2.reset());
afterAll(() => ec2.restore());

describe('ec2.modify-instance-metadata-options', () => {
  it('validates its parameters', () => {
    expect(paramsErrors(action, {})).toEqual([]);
    expect(paramsErrors(action, { httpPutResponseHopLimit: 2 })).toEqual([]);
    expect(paramsErrors(action, { httpPutResponseHopLimit: 0 })).toEqual([
      expect.objectContaining({
        instancePath: '/httpPutResponseHopLimit',
        message: 'must be >= 1',
      }),
    ]);
  });

  it('targets the launched instance and describes the change', () => {
    expect(action.targets(event, {})).toEqual([instance]);
    expect(action.describe(contextFor(event, instance))).toBe(`require IMDSv2 on ${instance}`);
    expect(action.describe(contextFor(event, instance, { httpPutResponseHopLimit: 2 }))).toBe(
      `require IMDSv2 on ${instance} with a hop limit of 2`,
    );
  });

  it('skips a terminated instance and one that already requires tokens', async () => {
    ec2.on(DescribeInstancesCommand).resolves(describedInstance(instance, 'terminated'));
    expect(await executed(action, contextFor(event, instance))).toEqual({
      status: 'skipped',
      detail: `did not require IMDSv2 on ${instance}: it is terminated, and requiring IMDSv2 acts only from pending, running, stopping or stopped`,
      data: { state: 'terminated' },
    });
    ec2.on(DescribeInstancesCommand).resolves(
      describedInstance(instance, 'running', {
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2 },
      }),
    );
    expect(
      await executed(action, contextFor(event, instance, { httpPutResponseHopLimit: 2 })),
    ).toEqual({
      status: 'skipped',
      detail: `did not require IMDSv2 on ${instance}: it already requires it`,
    });
    expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)).toHaveLength(0);
  });

  it('requires tokens on an instance that makes them optional', async () => {
    ec2
      .on(DescribeInstancesCommand)
      .resolves(
        describedInstance(instance, 'pending', { MetadataOptions: { HttpTokens: 'optional' } }),
      );
    ec2.on(ModifyInstanceMetadataOptionsCommand).resolves({});
    expect(await executed(action, contextFor(event, instance))).toEqual({
      status: 'succeeded',
      detail: `required IMDSv2 on ${instance} (HttpTokens was optional)`,
      data: { previousHttpTokens: 'optional' },
    });
    expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)[0]?.args[0].input).toEqual({
      InstanceId: instance,
      HttpTokens: 'required',
      HttpEndpoint: 'enabled',
    });
  });

  it('changes the hop limit of an instance that already requires tokens, when asked to', async () => {
    ec2.on(DescribeInstancesCommand).resolves(
      describedInstance(instance, 'running', {
        MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 1 },
      }),
    );
    ec2.on(ModifyInstanceMetadataOptionsCommand).resolves({});
    await executed(action, contextFor(event, instance, { httpPutResponseHopLimit: 2 }));
    expect(ec2.commandCalls(ModifyInstanceMetadataOptionsCommand)[0]?.args[0].input).toEqual({
      InstanceId: instance,
      HttpTokens: 'required',
      HttpEndpoint: 'enabled',
      HttpPutResponseHopLimit: 2,
    });
  });
});
