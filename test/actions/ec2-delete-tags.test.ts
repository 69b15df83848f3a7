import { DeleteTagsCommand, DescribeTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { catalogAction, contextFor, decodedEvent, paramsErrors } from './support.js';

const ec2 = mockClient(EC2Client);
const action = catalogAction('ec2.delete-tags');
const event = decodedEvent('events/cloudtrail-run-instances.json');
const instance = 'i-0a1b2c3d4e5f67890';
const params = { keys: ['steward:approved', 'steward:exempt'] };

beforeEach(() => ec2.reset());
afterAll(() => ec2.restore());

describe('ec2.delete-tags', () => {
  it('validates its parameters', () => {
    expect(paramsErrors(action, params)).toEqual([]);
    expect(paramsErrors(action, { keys: [] })).toEqual([
      expect.objectContaining({
        instancePath: '/keys',
        message: 'must NOT have fewer than 1 items',
      }),
    ]);
    expect(paramsErrors(action, { keys: ['aws:cloudformation:stack-name'] })).toEqual([
      expect.objectContaining({ instancePath: '/keys/0', keyword: 'not' }),
    ]);
  });

  it('targets the instance of the event and describes the removal', () => {
    expect(action.targets(event, params)).toEqual([instance]);
    expect(action.describe(contextFor(event, instance, params))).toBe(
      `remove tags steward:approved, steward:exempt from ${instance}`,
    );
  });

  it('skips an instance that carries none of the keys', async () => {
    ec2.on(DescribeTagsCommand).resolves({ Tags: [] });
    expect(await action.execute(contextFor(event, instance, params))).toEqual({
      status: 'skipped',
      detail: `did not remove tags from ${instance}: it has none of steward:approved, steward:exempt`,
    });
    expect(ec2.commandCalls(DeleteTagsCommand)).toHaveLength(0);
  });

  it('removes only the keys the instance carries, and keeps their values', async () => {
    ec2.on(DescribeTagsCommand).resolves({
      Tags: [{ Key: 'steward:exempt', Value: 'ticket-42', ResourceId: instance }],
    });
    ec2.on(DeleteTagsCommand).resolves({});
    expect(await action.execute(contextFor(event, instance, params))).toEqual({
      status: 'succeeded',
      detail: `removed tags steward:exempt from ${instance}`,
      data: { removed: { 'steward:exempt': 'ticket-42' } },
    });
    expect(ec2.commandCalls(DescribeTagsCommand)[0]?.args[0].input).toEqual({
      Filters: [
        { Name: 'resource-id', Values: [instance] },
        { Name: 'key', Values: ['steward:approved', 'steward:exempt'] },
      ],
    });
    expect(ec2.commandCalls(DeleteTagsCommand)[0]?.args[0].input).toEqual({
      Resources: [instance],
      Tags: [{ Key: 'steward:exempt' }],
    });
  });
});
