import {
  CloudTrailClient,
  GetTrailStatusCommand,
  StartLoggingCommand,
} from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { catalogAction, contextFor, decodedEvent, paramsErrors, executed } from './support.js';

const cloudTrail = mockClient(CloudTrailClient);
const action = catalogAction('cloudtrail.start-logging');
const event = decodedEvent('events/cloudtrail-stop-logging.json');
const trail = 'arn:aws:cloudtrail:us-east-1:123456789012:trail/management-events';

beforeEach(() => cloudTrail.reset());
afterAll(() => cloudTrail.restore());

describe('cloudtrail.start-logging', () => {
  it('takes no parameters', () => {
    expect(paramsErrors(action, {})).toEqual([]);
    expect(paramsErrors(action, { trail: 'management-events' })).toEqual([
      expect.objectContaining({
        keyword: 'additionalProperties',
        params: { additionalProperty: 'trail' },
      }),
    ]);
  });

  it('targets the trail the StopLogging record names, and nothing on other events', () => {
    expect(action.targets(event, {})).toEqual([trail]);
    expect(action.targets(decodedEvent('events/ec2-running.json'), {})).toEqual([]);
    expect(action.describe(contextFor(event, trail))).toBe(`start logging on trail ${trail}`);
  });

  it('skips a trail that is logging already', async () => {
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: true });
    expect(await executed(action, contextFor(event, trail))).toEqual({
      status: 'skipped',
      detail: `did not start logging on trail ${trail}: it is logging, and starting logging acts only from not logging`,
      data: { state: 'logging' },
    });
    expect(cloudTrail.commandCalls(StartLoggingCommand)).toHaveLength(0);
  });

  it('starts logging on a stopped trail', async () => {
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    cloudTrail.on(StartLoggingCommand).resolves({});
    expect(await executed(action, contextFor(event, trail))).toEqual({
      status: 'succeeded',
      detail: `started logging on trail ${trail}`,
    });
    expect(cloudTrail.commandCalls(GetTrailStatusCommand)[0]?.args[0].input).toEqual({
      Name: trail,
    });
    expect(cloudTrail.commandCalls(StartLoggingCommand)[0]?.args[0].input).toEqual({
      Name: trail,
    });
  });
});
