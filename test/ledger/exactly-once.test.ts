import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  EC2Client,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/client-pool.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { runPipeline, type PipelineContext, type PipelineReport } from '../../src/pipeline.js';
import { compileRule, parseRuleText } from '../../src/rules/load.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import { startTestLedger } from '../support/embedded-ledger.js';

const ec2 = mockClient(EC2Client);
let testLedger: Awaited<ReturnType<typeof startTestLedger>>;

beforeAll(async () => {
  testLedger = await startTestLedger();
});

afterAll(async () => {
  ec2.restore();
  await testLedger.close();
});

/** Each EC2 call takes a little while, so concurrent deliveries really overlap. */
const slowly = <T>(value: T) => new Promise<T>((resolve) => setTimeout(() => resolve(value), 15));

beforeEach(() => {
  ec2.reset();
  ec2.on(DescribeInstancesCommand).callsFake(() =>
    slowly({
      Reservations: [
        { Instances: [{ InstanceId: 'i-0123456789abcdef0', State: { Name: 'running' } }] },
      ],
    }),
  );
  ec2.on(CreateTagsCommand).callsFake(() => slowly({}));
  ec2.on(StopInstancesCommand).callsFake(() => slowly({}));
});

function ruleIndex(extra = ''): RuleIndex {
  const text = `id: stop-on-start
description: Tag and stop instances that start.
kind: remediation
severity: high
triggers:
  - source: ec2-state
    states: [running]
actions:
  - action: ec2.create-tags
    params: { tags: { 'steward:stopped': 'yes' } }
  - action: ec2.stop-instances
mode: enforce
${extra}`;
  const loaded = parseRuleText(text, 'stop-on-start.yaml');
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return new RuleIndex([compileRule(loaded.rule, 'stop-on-start.yaml')]);
}

let eventCounter = 0;
function stateChange(overrides: { id?: string; instance?: string; time?: string } = {}) {
  eventCounter++;
  const instance = overrides.instance ?? `i-0${String(eventCounter).padStart(16, '0')}`;
  return {
    version: '0',
    id: overrides.id ?? `00000000-0000-4000-8000-${String(eventCounter).padStart(12, '0')}`,
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: overrides.time ?? '2026-11-20T10:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instance}`],
    detail: { 'instance-id': instance, state: 'running' },
  };
}

function context(overrides: Partial<PipelineContext> = {}): PipelineContext {
  return {
    ruleIndex: ruleIndex(),
    ledger: testLedger.ledger,
    clients: new ClientPool({ region: 'us-east-1', homeAccount: '123456789012' }),
    live: true,
    readObjects: false,
    inProgressWaitMs: 10_000,
    ...overrides,
  };
}

const statuses = (report: PipelineReport) =>
  report.events.flatMap((event) =>
    event.matches.flatMap((match) => match.actions.map((action) => action.status)),
  );

describe('exactly once', () => {
  it('executes each action once under 50 concurrent deliveries of one event; the others report the stored outcome', async () => {
    const event = stateChange();
    const shared = context();
    const reports = await Promise.all(
      Array.from({ length: 50 }, () => runPipeline(event, 'delivery', shared)),
    );
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(1);
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(1);
    const all = reports.flatMap(statuses);
    expect(all.filter((status) => status === 'succeeded')).toHaveLength(2);
    expect(all.filter((status) => status === 'duplicate')).toHaveLength(98);
    const duplicates = reports
      .flatMap((report) => report.events[0]?.matches[0]?.actions ?? [])
      .filter((action) => action.status === 'duplicate');
    expect(new Set(duplicates.map((action) => action.stored))).toEqual(new Set(['succeeded']));
    expect(reports.flatMap((report) => report.errors)).toEqual([]);
  });

  it('after a crash between claim and outcome: in progress until the lease ends, then executed exactly once', async () => {
    const event = stateChange();
    const shortLease = new Ledger(testLedger.client, {
      tableName: testLedger.ledger.tableName,
      leaseMs: 400,
    });
    const first = await runPipeline(event, 'first', context({ ledger: shortLease }));
    const stopKey = first.events[0]?.matches[0]?.actions[1]?.key ?? '';
    // The crash: a delivery claimed the stop and died before recording its outcome.
    await testLedger.client.send(
      new (await import('@aws-sdk/client-dynamodb')).UpdateItemCommand({
        TableName: testLedger.ledger.tableName,
        Key: { pk: { S: stopKey } },
        UpdateExpression:
          'SET #status = :claimed, leaseUntil = :lease, claimToken = :token REMOVE detail',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':claimed': { S: 'claimed' },
          ':lease': { N: String(Date.now() + 400) },
          ':token': { S: 'crashed-invocation' },
        },
      }),
    );
    ec2.resetHistory();
    const during = await runPipeline(
      event,
      'during',
      context({ ledger: shortLease, inProgressWaitMs: 0 }),
    );
    expect(statuses(during)).toEqual(['duplicate', 'in-progress']);
    expect(during.errors).toEqual([expect.objectContaining({ kind: 'unknown-outcome' })]);
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(0);
    await new Promise((resolve) => setTimeout(resolve, 450));
    const after = await Promise.all(
      [1, 2, 3].map(() => runPipeline(event, 'after', context({ ledger: shortLease }))),
    );
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(1);
    expect(after.flatMap(statuses).filter((status) => status === 'succeeded')).toHaveLength(1);
    expect(await shortLease.get(stopKey)).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('retries a throttled action with backoff and counts the retries in the ledger', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'RequestLimitExceeded' });
    ec2
      .on(CreateTagsCommand)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .rejectsOnce(throttled)
      .resolves({});
    const report = await runPipeline(stateChange(), 'throttled', context());
    const tags = report.events[0]?.matches[0]?.actions[0];
    expect(tags).toMatchObject({ action: 'ec2.create-tags', status: 'succeeded', retries: 3 });
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(4);
    expect(await testLedger.ledger.get(tags?.key ?? '')).toMatchObject({
      status: 'succeeded',
      retries: 3,
    });
  });

  it('records a permanent error as failed at once, without retrying', async () => {
    ec2
      .on(CreateTagsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'UnauthorizedOperation' }));
    const report = await runPipeline(stateChange(), 'denied', context());
    expect(report.events[0]?.matches[0]?.actions[0]).toMatchObject({ status: 'failed' });
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(1);
    expect(report.errors.map((error) => error.kind)).toEqual(['action']);
  });

  it('leaves an action whose outcome is unknown to the next delivery, which takes it over at once', async () => {
    const serverError = Object.assign(new Error('We encountered an internal error'), {
      name: 'InternalError',
      $fault: 'server',
    });
    ec2.on(StopInstancesCommand).rejects(serverError);
    const event = stateChange();
    const soon = context({ remainingTimeMs: () => 3_500 });
    const first = await runPipeline(event, 'server error', soon);
    expect(statuses(first)).toEqual(['succeeded', 'unknown']);
    expect(first.errors).toEqual([
      expect.objectContaining({
        kind: 'unknown-outcome',
        message: expect.stringMatching(/outcome unknown: InternalError/),
      }),
    ]);
    ec2.on(StopInstancesCommand).callsFake(() => slowly({}));
    const second = await runPipeline(event, 'redelivery', context());
    expect(statuses(second)).toEqual(['duplicate', 'succeeded']);
    expect(
      await testLedger.ledger.get(second.events[0]?.matches[0]?.actions[1]?.key ?? ''),
    ).toMatchObject({ status: 'succeeded', attempts: 2 });
  });

  it('holds a rate limit of 3 per hour under 20 concurrent distinct events', async () => {
    const limited = context({
      ruleIndex: ruleIndexWithOnlyStop('limits:\n  maxActionsPerHour: 3\n'),
    });
    const reports = await Promise.all(
      Array.from({ length: 20 }, () => runPipeline(stateChange(), 'burst', limited)),
    );
    const actions = reports.flatMap((report) => report.events[0]?.matches[0]?.actions ?? []);
    expect(actions.filter((action) => action.status === 'succeeded')).toHaveLength(3);
    const skipped = actions.filter((action) => action.status === 'skipped');
    expect(skipped).toHaveLength(17);
    expect(skipped[0]?.detail).toMatch(
      /^rate limit: rule stop-only already took 3 actions in the hour from \d{4}-\d\d-\d\dT\d\d:00Z$/,
    );
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(3);
  });

  it('keeps a cooldown per resource', async () => {
    const cooled = context({ ruleIndex: ruleIndexWithOnlyStop('limits:\n  cooldown: 1h\n') });
    const instance = 'i-0c00000000000c001';
    const first = await runPipeline(
      stateChange({ instance, time: '2026-11-20T10:00:00Z' }),
      'first',
      cooled,
    );
    const second = await runPipeline(
      stateChange({ instance, time: '2026-11-20T10:05:00Z' }),
      'second',
      cooled,
    );
    expect(statuses(first)).toEqual(['succeeded']);
    expect(second.events[0]?.matches[0]?.actions[0]).toMatchObject({
      status: 'skipped',
      detail: expect.stringMatching(
        /^cooldown: rule stop-only last acted on i-0c00000000000c001 at /,
      ),
    });
  });

  it('skips an EC2 state change older than one already seen for the instance', async () => {
    const instance = 'i-0a00000000000a001';
    const newer = await runPipeline(
      stateChange({ instance, time: '2026-11-20T10:10:00Z' }),
      'newer',
      context(),
    );
    expect(statuses(newer)).toEqual(['succeeded', 'succeeded']);
    const older = await runPipeline(
      stateChange({ instance, time: '2026-11-20T10:00:00Z' }),
      'older',
      context(),
    );
    expect(
      older.events[0]?.matches[0]?.actions.map((action) => [action.status, action.detail]),
    ).toEqual([
      [
        'skipped',
        expect.stringMatching(
          /^stale: i-0a00000000000a001 already had a newer state change \(event .+ at 2026-11-20T10:10:00.000Z\) than this one at 2026-11-20T10:00:00.000Z$/,
        ),
      ],
      ['skipped', expect.stringMatching(/^stale: /)],
    ]);
    expect(ec2.commandCalls(StopInstancesCommand)).toHaveLength(1);
  });
});

function ruleIndexWithOnlyStop(extra: string): RuleIndex {
  const text = `id: stop-only
description: Stop instances that start.
kind: remediation
severity: high
triggers:
  - source: ec2-state
    states: [running]
actions:
  - action: ec2.stop-instances
mode: enforce
${extra}`;
  const loaded = parseRuleText(text, 'stop-only.yaml');
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return new RuleIndex([compileRule(loaded.rule, 'stop-only.yaml')]);
}
