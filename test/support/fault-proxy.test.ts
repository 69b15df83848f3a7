import { CloudTrailClient, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  startEmbeddedDynamoDB,
  type EmbeddedServer,
} from '../../src/ledger/embedded/memory-server.js';
import { Ledger, type ClaimDetails } from '../../src/ledger/ledger.js';
import { FaultProxy } from './fault-proxy.js';

// The proxy in front of a real dynalite: the ledger's own calls go through it, and a second
// client straight to dynalite shows what the upstream really holds.
const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
const region = 'us-east-1';
const tableName = 'fault-proxy-ledger';

let server: EmbeddedServer;
let proxy: FaultProxy;
let direct: DynamoDBClient;
let truth: Ledger;
const clients: { destroy(): void }[] = [];

/** A ledger whose client goes through the proxy, making one attempt per call. */
function proxiedLedger(requestHandler?: {
  requestTimeout: number;
  throwOnRequestTimeout: boolean;
}): Ledger {
  const client = new DynamoDBClient({
    region,
    credentials,
    endpoint: proxy.endpoint,
    maxAttempts: 1,
    ...(requestHandler ? { requestHandler } : {}),
  });
  clients.push(client);
  return new Ledger(client, { tableName, leaseMs: 60_000 });
}

/** What the SDK threw, beneath the ledger's own error that wraps it. */
function rootCause(error: unknown): unknown {
  let cause = error;
  while (cause instanceof Error && cause.cause !== undefined) cause = cause.cause;
  return cause;
}

/** The SDK's error of a call expected to fail. */
async function failureOf(call: Promise<unknown>): Promise<unknown> {
  return call.then(
    () => {
      throw new Error('the call succeeded');
    },
    (error: unknown) => rootCause(error),
  );
}

let counter = 0;
function details(): ClaimDetails {
  counter += 1;
  return {
    mode: 'enforce',
    eventId: `event-${counter}`,
    ruleId: 'proxy-rule',
    action: 'ec2.create-tags',
    resource: `i-${counter}`,
    source: 'ec2-state',
    eventName: 'running',
    eventTime: '2026-01-01T00:00:00Z',
    severity: 'low',
  };
}

beforeAll(async () => {
  server = await startEmbeddedDynamoDB();
  proxy = await FaultProxy.start({ upstream: server.endpoint, holdMs: 300 });
  direct = new DynamoDBClient({ region, credentials, endpoint: server.endpoint });
  truth = new Ledger(direct, { tableName });
  await truth.ensureTable();
});

afterAll(async () => {
  for (const client of clients) client.destroy();
  direct?.destroy();
  await proxy?.close();
  await server?.close();
});

beforeEach(() => {
  proxy.clearFaults();
  proxy.clearRecords();
});

describe('FaultProxy classifying the ledger calls', () => {
  it('names claim, get, complete, release and each guard by what it is in the ledger', async () => {
    const ledger = proxiedLedger();
    const first = await ledger.claim(details());
    if (first.kind !== 'claimed') throw new Error(`expected a claim, got ${first.kind}`);
    await ledger.complete(first, { status: 'succeeded', detail: 'done' });
    const second = await ledger.claim(details());
    if (second.kind !== 'claimed') throw new Error(`expected a claim, got ${second.kind}`);
    await ledger.release(second, 'outcome unknown');
    await ledger.get(second.key);
    await ledger.guards.takeRateToken('proxy-rule', 1, first.key);
    await ledger.guards.takeRateToken('proxy-rule', 1, second.key);
    await ledger.guards.takeCooldown('proxy-rule', 'i-1', 60_000, first.key);
    await ledger.guards.observe('i-1', '2026-01-01T00:00:00Z', 'event-1', 1);

    expect(proxy.records.map((record) => record.call)).toEqual([
      'claim',
      'complete',
      'claim',
      'release',
      'get',
      'rate',
      'rate',
      'guard-read',
      'cooldown',
      'seen',
    ]);
    // The refused rate token is a 400 ConditionalCheckFailedException the upstream answered.
    expect(proxy.records[6]).toMatchObject({ call: 'rate', applied: true, status: 400 });
    expect(proxy.applied('rate')).toBe(1);
    expect(proxy.applied('claim')).toBe(2);
  });
});

describe('FaultProxy injecting faults into DynamoDB calls', () => {
  it('throttles the Nth claim with DynamoDB’s own error, without forwarding it', async () => {
    const ledger = proxiedLedger();
    proxy.inject({ call: 'claim', kind: 'throttle', nth: 2 });
    const before = details();
    const throttled = details();
    await ledger.claim(before);

    const error = await failureOf(ledger.claim(throttled));

    expect(error).toMatchObject({
      name: 'ProvisionedThroughputExceededException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(
      proxy.records.map(({ call, fault, applied, status }) => ({ call, fault, applied, status })),
    ).toEqual([
      { call: 'claim', fault: undefined, applied: true, status: 200 },
      { call: 'claim', fault: 'throttle', applied: false, status: 400 },
    ]);
    expect((await ledger.claim(throttled)).kind).toBe('claimed');
  });

  it('answers a server error with 500 InternalServerError', async () => {
    const ledger = proxiedLedger();
    proxy.inject({ call: 'get', kind: 'server-error' });

    const error = await failureOf(ledger.get('act_missing'));

    expect(error).toMatchObject({
      name: 'InternalServerError',
      $metadata: { httpStatusCode: 500 },
    });
    expect(proxy.records[0]).toMatchObject({ call: 'get', fault: 'server-error', applied: false });
  });

  it('drops the response of a claim the upstream applied: the client sees a reset, the entry is there', async () => {
    const ledger = proxiedLedger();
    proxy.inject({ call: 'claim', kind: 'drop' });
    const claimed = details();

    const error = await failureOf(ledger.claim(claimed));

    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(proxy.records[0]).toMatchObject({
      call: 'claim',
      fault: 'drop',
      applied: true,
      status: 200,
    });
    expect(proxy.applied('claim')).toBe(1);
    const claim = await truth.claim(claimed);
    expect(claim).toMatchObject({ kind: 'in-progress', entry: { status: 'claimed', attempts: 1 } });
  });

  it('holds a timed-out call past the client’s request timeout and never forwards it', async () => {
    const ledger = proxiedLedger({ requestTimeout: 100, throwOnRequestTimeout: true });
    proxy.inject({ call: 'claim', kind: 'timeout' });
    const held = details();

    const error = await failureOf(ledger.claim(held));

    expect(error).toMatchObject({ name: 'TimeoutError' });
    await proxy.settled();
    expect(proxy.records[0]).toMatchObject({
      call: 'claim',
      fault: 'timeout',
      applied: false,
      clientGaveUp: true,
    });
    expect(proxy.records[0]?.status).toBeUndefined();
    expect((await truth.claim(held)).kind).toBe('claimed');
  });

  it('closes a held call unanswered after its hold time when the client has no timeout', async () => {
    const ledger = proxiedLedger();
    proxy.inject({ call: 'complete', kind: 'timeout' });
    const claim = await ledger.claim(details());
    if (claim.kind !== 'claimed') throw new Error(`expected a claim, got ${claim.kind}`);

    const error = await failureOf(ledger.complete(claim, { status: 'succeeded', detail: 'done' }));

    expect(error).toMatchObject({ code: 'ECONNRESET' });
    expect(proxy.records[1]).toMatchObject({
      call: 'complete',
      fault: 'timeout',
      clientGaveUp: false,
    });
    expect((await truth.get(claim.key))?.status).toBe('claimed');
  });

  it('faults every matching call from the Nth on with times: always, and only those `where` selects', async () => {
    const ledger = proxiedLedger();
    proxy.inject({
      call: 'seen',
      kind: 'throttle',
      nth: 2,
      times: 'always',
      where: (request) => request.body.includes('i-watched'),
    });
    const observe = (resource: string) =>
      ledger.guards.observe(resource, '2026-01-01T00:00:00Z', 'event', 1).then(
        () => 'ok',
        (error: unknown) => (rootCause(error) as Error).name,
      );

    const outcomes = [
      await observe('i-watched'),
      await observe('i-other'),
      await observe('i-watched'),
      await observe('i-watched'),
    ];

    expect(outcomes).toEqual([
      'ok',
      'ok',
      'ProvisionedThroughputExceededException',
      'ProvisionedThroughputExceededException',
    ]);
    proxy.clearFaults();
    expect(await observe('i-watched')).toBe('ok');
  });

  it('ends one fault and keeps the others when its rule is removed', async () => {
    const ledger = proxiedLedger();
    const endGetFault = proxy.inject({ call: 'get', kind: 'server-error', times: 'always' });
    proxy.inject({ call: 'seen', kind: 'server-error', times: 'always' });
    await expect(ledger.get('act_missing')).rejects.toThrow('Internal server error');

    endGetFault();

    expect(await ledger.get('act_missing')).toBeUndefined();
    await expect(ledger.guards.observe('i-1', '2026-01-01T00:00:00Z', 'event', 1)).rejects.toThrow(
      'Internal server error',
    );
  });

  it('refuses a rule that would never fire', () => {
    expect(() => proxy.inject({ call: 'claim', kind: 'drop', nth: 0 })).toThrow(
      'nth must be 1 or more, got 0',
    );
  });
});

describe('FaultProxy speaking the other AWS protocols', () => {
  // Throttling and server errors are answered by the proxy itself: no upstream is involved.
  it('throttles EC2 with 503 RequestLimitExceeded and fails it with 500 InternalError', async () => {
    const ec2 = new EC2Client({ region, credentials, endpoint: proxy.endpoint, maxAttempts: 1 });
    clients.push(ec2);
    proxy.inject({ call: 'DescribeInstances', kind: 'throttle' });
    proxy.inject({ call: 'DescribeInstances', kind: 'server-error', nth: 2 });

    const throttled = await ec2.send(new DescribeInstancesCommand({})).catch((e: unknown) => e);
    const failed = await ec2.send(new DescribeInstancesCommand({})).catch((e: unknown) => e);

    expect(throttled).toMatchObject({
      name: 'RequestLimitExceeded',
      $metadata: { httpStatusCode: 503 },
    });
    expect(failed).toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    expect(proxy.records.map((record) => [record.call, record.protocol, record.fault])).toEqual([
      ['DescribeInstances', 'ec2-query', 'throttle'],
      ['DescribeInstances', 'ec2-query', 'server-error'],
    ]);
  });

  it('names a JSON-protocol call by its X-Amz-Target and throttles it with ThrottlingException', async () => {
    const cloudTrail = new CloudTrailClient({
      region,
      credentials,
      endpoint: proxy.endpoint,
      maxAttempts: 1,
    });
    clients.push(cloudTrail);
    proxy.inject({ call: 'GetTrailStatus', kind: 'throttle' });

    const error = await cloudTrail
      .send(new GetTrailStatusCommand({ Name: 'trail' }))
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    expect(proxy.records[0]).toMatchObject({ call: 'GetTrailStatus', protocol: 'json' });
  });
});
