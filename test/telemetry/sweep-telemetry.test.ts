import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EC2Client } from '@aws-sdk/client-ec2';
import type { Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SweepFunction, SweepInputError } from '../../src/sweep/lambda.js';
import { repoPath, rulePackFileOf } from '../support/files.js';
import { startMoto, type MotoServer } from '../support/moto.js';
import { launchFleet } from '../support/moto-instances.js';

const region = 'us-east-1';
const context = {
  awsRequestId: 'sweep-request',
  functionName: 'steward-test-sweep',
  functionVersion: '$LATEST',
  memoryLimitInMB: '1024',
  invokedFunctionArn: `arn:aws:lambda:${region}:123456789012:function:steward-test-sweep`,
  getRemainingTimeInMillis: () => 600_000,
} as Context;

let moto: MotoServer;
let env: NodeJS.ProcessEnv;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMoto();
  // The SDK's settings: EC2 is moto; the ledger stays the embedded dynalite.
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_ENDPOINT_URL_EC2: moto.endpoint,
  });
  env = {
    AWS_REGION: region,
    STEWARD_DATA_DIR: await mkdtemp(join(tmpdir(), 'steward-sweep-telemetry-')),
    STEWARD_RULE_PACK: await rulePackFileOf(repoPath('test/fixtures/telemetry/sweep-rules')),
    STEWARD_METRICS_NAMESPACE: 'steward/test',
  };
  const ec2 = new EC2Client({ region });
  await launchFleet(ec2, { count: 3, per: 3, owner: true, name: 'telemetry' });
  await launchFleet(ec2, { count: 2, per: 2, owner: false, name: 'telemetry' });
}, 120_000);

afterAll(async () => {
  for (const name of Object.keys(process.env))
    if (!(name in saved)) Reflect.deleteProperty(process.env, name);
  Object.assign(process.env, saved);
  await moto?.stop();
});

function parsed(lines: string[]) {
  const all = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  return {
    logs: all.filter((line) => !('_aws' in line)),
    documents: all.filter((line) => '_aws' in line),
  };
}

describe('the sweep function’s logs and metrics', () => {
  it('count the resources swept as events of the sweep, and sum the sweep up', async () => {
    const lines: string[] = [];
    const sweeps = new SweepFunction(env, { sink: (line) => lines.push(line) });
    const summary = await sweeps.handle({ rule: 'owners' }, context);
    expect(summary).toMatchObject({ resources: 5, matches: 2, actions: { planned: 2 } });
    const { logs, documents } = parsed(lines);
    expect(logs.map((line) => [line.level, line.message])).toEqual([
      ['INFO', 'action outcome'],
      ['INFO', 'action outcome'],
      ['INFO', 'invocation summary'],
    ]);
    expect(logs.every((line) => line.function === 'sweep')).toBe(true);
    expect(logs.every((line) => line.function_request_id === 'sweep-request')).toBe(true);
    expect(logs[0]).toMatchObject({
      source: 'sweep',
      rule: 'owners',
      action: 'ec2.stop-instances',
      status: 'planned',
      mode: 'dry-run',
      account: '123456789012',
      region,
    });
    expect(logs[2]).toMatchObject({
      rule: 'owners',
      resources: 5,
      targets: 1,
      events: 5,
      matches: 2,
      actions: { planned: 2 },
    });
    const events = documents.find((document) => 'EventsReceived' in document);
    expect(events).toMatchObject({ Function: 'sweep', Source: 'sweep', EventsReceived: 5 });
    expect(documents.find((document) => 'Matches' in document)).toMatchObject({
      Rule: 'owners',
      Matches: 2,
    });
    expect(documents.find((document) => 'Actions' in document)).toMatchObject({
      Rule: 'owners',
      Status: 'planned',
      Actions: 2,
    });
  });

  it('tell and count an input that is not a sweep’s before refusing it', async () => {
    const lines: string[] = [];
    const sweeps = new SweepFunction(env, { sink: (line) => lines.push(line) });
    await expect(sweeps.handle({ rule: 7 }, context)).rejects.toThrow(SweepInputError);
    const { logs, documents } = parsed(lines);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'steward error',
        function: 'sweep',
        kind: 'input',
        where: 'sweep invocation sweep-request',
        error: 'sweep input: expected {"rule": "<rule id>"}; "rule" is a number',
      }),
      expect.objectContaining({ message: 'invocation summary', decodeErrors: 1, errors: 1 }),
    ]);
    expect(documents).toEqual([
      expect.objectContaining({ Function: 'sweep', DecodeErrors: 1, EvaluationErrors: 0 }),
    ]);
  });

  it('tell a rule that cannot be swept as the input’s error, with the metrics, before throwing', async () => {
    const lines: string[] = [];
    const sweeps = new SweepFunction(env, { sink: (line) => lines.push(line) });
    const failure = await sweeps.handle({ rule: 'nope' }, context).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    const { logs, documents } = parsed(lines);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'steward error',
        kind: 'input',
        where: 'sweep invocation sweep-request',
        error: (failure as Error).message,
      }),
      expect.objectContaining({ message: 'invocation summary', decodeErrors: 1, events: 0 }),
    ]);
    expect(documents).toEqual([expect.objectContaining({ Function: 'sweep', DecodeErrors: 1 })]);
  });
});
