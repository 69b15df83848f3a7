import { describe, expect, it } from 'vitest';
import { decodeEc2StateChange } from '../../src/sources/ec2-state.js';
import { readAwsSample, readEventFile } from '../fixtures/sources/files.js';

describe('decodeEc2StateChange', () => {
  it('decodes the EC2 documentation sample', () => {
    const envelope = readAwsSample('aws-lambda-rust-runtime__example-eventbridge-event-obj.json');
    expect(decodeEc2StateChange(envelope, 'sample')).toEqual({
      id: '7bf73129-1428-4cd3-a780-95db273d1602',
      source: 'ec2-state',
      name: 'pending',
      time: '2021-11-11T21:29:54Z',
      account: '123456789012',
      region: 'us-east-1',
      resources: ['i-abcd1111'],
      raw: envelope,
      delivery: 'eventbridge',
    });
  });

  it.each([
    ['ec2-running.json', 'a1b2c3d4-0001-4000-8000-000000000001', 'running', '2025-01-15T09:00:00Z'],
    ['ec2-stopped.json', 'a1b2c3d4-0002-4000-8000-000000000002', 'stopped', '2025-01-15T18:00:00Z'],
  ])('decodes events/%s', (file, id, name, time) => {
    const envelope = readEventFile(file);
    expect(decodeEc2StateChange(envelope, file)).toEqual({
      id,
      source: 'ec2-state',
      name,
      time,
      account: '123456789012',
      region: 'us-east-1',
      resources: ['i-0123456789abcdef0'],
      raw: envelope,
      delivery: 'eventbridge',
    });
  });

  const valid = {
    source: 'aws.ec2',
    id: 'x',
    time: '2025-01-01T00:00:00Z',
    detail: { 'instance-id': 'i-1', state: 'running' },
  };
  it.each([
    ['the envelope is null', null, 'EC2 state-change event is not an object (got null)'],
    [
      'its source is not aws.ec2',
      { ...valid, source: 'custom.ec2' },
      'EC2 state-change event from source "custom.ec2" is not believed: only aws.ec2, which AWS alone emits',
    ],
    [
      'its source is missing',
      { ...valid, source: undefined },
      'EC2 state-change event from no source is not believed: only aws.ec2, which AWS alone emits',
    ],
    ['id is missing', { ...valid, id: undefined }, 'EC2 state-change event has no id'],
    ['id is a number', { ...valid, id: 7 }, 'EC2 state-change event has no id'],
    ['time is missing', { ...valid, time: undefined }, 'EC2 state-change event has no time'],
    ['detail is missing', { ...valid, detail: undefined }, 'EC2 state-change event has no detail'],
    ['detail is an array', { ...valid, detail: [] }, 'EC2 state-change event has no detail'],
    [
      'the instance id is missing',
      { ...valid, detail: { state: 'running' } },
      'EC2 state-change event has no detail.instance-id',
    ],
    [
      'the state is empty',
      { ...valid, detail: { 'instance-id': 'i-1', state: '' } },
      'EC2 state-change event has no detail.state',
    ],
  ])('is an error when %s', (_case, envelope, message) => {
    expect(decodeEc2StateChange(envelope, 'lambda event')).toEqual({
      message,
      where: 'lambda event',
    });
  });
});
