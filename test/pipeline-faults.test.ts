import {
  CreateTagsCommand,
  DescribeInstancesCommand,
  EC2Client,
  ModifyInstanceMetadataOptionsCommand,
  StopInstancesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ClientPool } from '../src/client-pool.js';
import {
  mustRedeliver,
  processBatch,
  runPipeline,
  type PipelineContext,
  type PipelineReport,
} from '../src/pipeline.js';
import { loadRules } from '../src/rules/load.js';
import type { CompiledRule } from '../src/rules/rule.js';
import { RuleIndex } from '../src/rules/rule-index.js';
import { decodeDocument } from '../src/sources/index.js';
import type { StewardEvent } from '../src/sources/steward-event.js';
import { startTestLedger } from './support/embedded-ledger.js';
import { repoPath, sampleEvent } from './support/files.js';
import { injectLedgerFaults } from './support/ledger-faults.js';

const ec2 = mockClient(EC2Client);
let testLedger: Awaited<ReturnType<typeof startTestLedger>>;
let faults: ReturnType<typeof injectLedgerFaults>;
let rules: readonly CompiledRule[];

beforeAll(async () => {
  testLedger = await startTestLedger();
  faults = injectLedgerFaults(testLedger.client);
  rules = (await loadRules(repoPath('rules'))).filter(
    (rule) =>
      rule.id === 'ec2-tag-instance-creator' || rule.id === 'ec2-quarantined-instance-started',
  );
});

afterAll(async () => {
  await testLedger.close();
  ec2.restore();
});

beforeEach(() => {
  faults.clear();
  ec2.reset();
  ec2.on(CreateTagsCommand).resolves({});
  ec2.on(ModifyInstanceMetadataOptionsCommand).resolves({});
  ec2.on(DescribeInstancesCommand).resolves({
    Reservations: [
      { Instances: [{ InstanceId: 'i-0123456789abcdef0', State: { Name: 'running' } }] },
    ],
  });
});

function context(overrides: Partial<PipelineContext> = {}): PipelineContext {
  return {
    ruleIndex: new RuleIndex(rules),
    ledger: testLedger.ledger,
    clients: new ClientPool({ region: 'us-east-1', homeAccount: '123456789012' }),
    live: true,
    readObjects: false,
    remainingTimeMs: () => 30_000,
    ...overrides,
  };
}

let counter = 0;
/** A RunInstances record with an id and instance of its own, as an EventBridge event. */
function launch(): { envelope: unknown; instance: string; eventId: string } {
  counter++;
  const instance = `i-0ab${String(counter).padStart(14, '0')}`;
  const eventId = `6e1f0000-0000-4000-8000-${String(counter).padStart(12, '0')}`;
  const envelope = structuredClone(sampleEvent('cloudtrail-run-instances.json')) as {
    detail: {
      eventID: string;
      responseElements: { instancesSet: { items: { instanceId: string }[] } };
    };
  };
  envelope.detail.eventID = eventId;
  for (const item of envelope.detail.responseElements.instancesSet.items)
    item.instanceId = instance;
  return { envelope, instance, eventId };
}

function statuses(report: PipelineReport): string[] {
  return report.events.flatMap((event) =>
    event.matches.flatMap((match) =>
      match.actions.map((action) => `${action.action}:${action.status}`),
    ),
  );
}

const tagCalls = () => ec2.commandCalls(CreateTagsCommand).length;

describe('one event failing', () => {
  it('fails alone: the other events of the batch are processed', async () => {
    const good = launch();
    const poison = launch();
    class FailingIndex extends RuleIndex {
      override match(event: StewardEvent, options: Parameters<RuleIndex['match']>[1]) {
        if (event.id === poison.eventId) throw new RangeError('Maximum call stack size exceeded');
        return super.match(event, options);
      }
    }
    const batch = decodeDocument(
      [poison.envelope, good.envelope].map((e) => (e as { detail: unknown }).detail),
      'batch',
    );
    const report = await processBatch(batch, context({ ruleIndex: new FailingIndex(rules) }));
    expect(report.events.map((event) => event.id)).toEqual([poison.eventId, good.eventId]);
    expect(report.events[0]?.matches).toEqual([]);
    expect(statuses({ ...report, events: report.events.slice(1) })).toContain(
      'ec2.create-tags:succeeded',
    );
    expect(report.errors).toEqual([
      {
        kind: 'internal',
        message: 'processing stopped: RangeError: Maximum call stack size exceeded',
        where: `event ${poison.eventId}`,
      },
    ]);
    expect(report.errors.some(mustRedeliver)).toBe(true);
  });

  it("when an action's targets cannot be found, the rule's other work and other rules go on", async () => {
    const event = launch();
    const broken = rules.map((rule) =>
      rule.id !== 'ec2-tag-instance-creator'
        ? rule
        : {
            ...rule,
            id: 'broken-targets',
            actions: rule.actions.map((planned) => ({
              ...planned,
              definition: {
                ...planned.definition,
                targets: () => {
                  throw new TypeError("Cannot read properties of null (reading 'Effect')");
                },
              },
            })),
          },
    );
    const report = await runPipeline(
      event.envelope,
      'event',
      context({ ruleIndex: new RuleIndex([...broken, ...rules]) }),
    );
    expect(report.events[0]?.matches.map((match) => match.rule)).toEqual(
      expect.arrayContaining(['broken-targets', 'ec2-tag-instance-creator']),
    );
    expect(statuses(report)).toContain('ec2.create-tags:succeeded');
    expect(report.errors).toContainEqual({
      kind: 'evaluation',
      message:
        "rule broken-targets: the targets of ec2.create-tags could not be found: TypeError: Cannot read properties of null (reading 'Effect')",
      where: `event ${event.eventId}`,
    });
  });
});

describe('ledger faults', () => {
  it('a claim whose response is lost is released, and the next delivery acts once', async () => {
    const event = launch();
    faults.add('claim', 'drop');
    const first = await runPipeline(event.envelope, 'event', context());
    expect(statuses(first)).toEqual(['ec2.create-tags:unknown']);
    expect(first.errors).toEqual([
      expect.objectContaining({
        kind: 'unknown-outcome',
        message: expect.stringMatching(/TimeoutError/),
      }),
    ]);
    expect(first.errors.some(mustRedeliver)).toBe(true);
    const key = first.events[0]?.matches[0]?.actions[0]?.key ?? '';
    const released = await testLedger.ledger.get(key);
    expect(released).toMatchObject({
      status: 'claimed',
      error: expect.stringMatching(/TimeoutError/),
    });
    expect(released?.leaseUntil).toBeLessThan(Date.now());
    expect(tagCalls()).toBe(0);

    const second = await runPipeline(event.envelope, 'event', context());
    expect(statuses(second)).toEqual(['ec2.create-tags:succeeded']);
    expect(second.errors).toEqual([]);
    expect(await testLedger.ledger.get(key)).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(tagCalls()).toBe(1);
  });

  it('a completion whose response is lost is sent again and recognised: executed once, no redelivery', async () => {
    const event = launch();
    faults.add('complete', 'drop');
    const report = await runPipeline(event.envelope, 'event', context());
    expect(statuses(report)).toEqual(['ec2.create-tags:succeeded']);
    expect(report.errors).toEqual([]);
    expect(tagCalls()).toBe(1);
  });

  it('an outcome that cannot be recorded is released with what happened; the next delivery records it', async () => {
    const event = launch();
    faults.add('complete', 'fail', 10);
    const first = await runPipeline(event.envelope, 'event', context());
    expect(statuses(first)).toEqual(['ec2.create-tags:unknown']);
    expect(first.errors).toEqual([
      expect.objectContaining({
        kind: 'unknown-outcome',
        message: expect.stringMatching(
          /^succeeded: tagged .*; the outcome could not be recorded: InternalServerError/,
        ),
      }),
    ]);
    const key = first.events[0]?.matches[0]?.actions[0]?.key ?? '';
    const entry = await testLedger.ledger.get(key);
    expect(entry).toMatchObject({
      status: 'claimed',
      error: expect.stringMatching(/^succeeded: tagged/),
    });
    expect(entry?.leaseUntil).toBeLessThan(Date.now());
    faults.clear();
    const second = await runPipeline(event.envelope, 'event', context());
    expect(statuses(second)).toEqual(['ec2.create-tags:succeeded']);
    // AWS applied the first try, which nobody could record: tagging again is the same tag.
    expect(tagCalls()).toBe(2);
  });

  it('a guard that cannot be checked claims nothing, and the next delivery acts once', async () => {
    const event = structuredClone(sampleEvent('ec2-running.json')) as {
      id: string;
      detail: { 'instance-id': string };
    };
    event.id = 'b2b0c4d0-0000-4000-8000-000000000001';
    event.detail['instance-id'] = 'i-0123456789abcdef0';
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-0123456789abcdef0',
              State: { Name: 'running' },
              Tags: [{ Key: 'quarantine', Value: 'true' }],
            },
          ],
        },
      ],
    });
    faults.add('guard', 'fail');
    const first = await runPipeline(event, 'event', context());
    expect(first.events[0]?.matches.map((match) => match.actions)).not.toHaveLength(0);
    expect(statuses(first)).toEqual([]);
    expect(first.errors).toEqual([
      expect.objectContaining({
        kind: 'unknown-outcome',
        message: expect.stringMatching(
          /^nothing was claimed: the ledger could not record the event's time \(the ledger could not check a guard: InternalServerError/,
        ),
      }),
    ]);
    expect(first.errors.some(mustRedeliver)).toBe(true);
    const second = await runPipeline(event, 'event', context());
    expect(second.errors).toEqual([]);
    expect(statuses(second).length).toBeGreaterThan(0);
    expect(statuses(second).every((status) => status.endsWith(':succeeded'))).toBe(true);
  });
});

describe('AWS faults', () => {
  it('an action AWS throttles past its retries is left to the next delivery, not recorded failed', async () => {
    const event = launch();
    ec2
      .on(CreateTagsCommand)
      .rejects(
        Object.assign(new Error('Request limit exceeded.'), { name: 'RequestLimitExceeded' }),
      );
    const first = await runPipeline(
      event.envelope,
      'event',
      context({ remainingTimeMs: () => 4_000 }),
    );
    expect(statuses(first)).toEqual(['ec2.create-tags:deferred']);
    expect(first.errors).toEqual([
      expect.objectContaining({
        kind: 'deferred',
        message: expect.stringMatching(
          /^ec2\.create-tags on i-\w+: not done, throttled: RequestLimitExceeded: Request limit exceeded\. \(after \d+ retries\); the next delivery does it$/,
        ),
      }),
    ]);
    expect(first.errors.some(mustRedeliver)).toBe(true);
    const key = first.events[0]?.matches[0]?.actions[0]?.key ?? '';
    const released = await testLedger.ledger.get(key);
    expect(released?.status).toBe('claimed');
    expect(released?.leaseUntil).toBeLessThan(Date.now());

    ec2.on(CreateTagsCommand).resolves({});
    const second = await runPipeline(event.envelope, 'event', context());
    expect(statuses(second)).toEqual(['ec2.create-tags:succeeded']);
    expect(await testLedger.ledger.get(key)).toMatchObject({ status: 'succeeded', attempts: 2 });
  });
});

describe('taking over an unknown outcome', () => {
  it('says that a skip may be the earlier attempt’s own work', async () => {
    const event = structuredClone(sampleEvent('ec2-running.json')) as { id: string };
    event.id = 'b2b0c4d0-0000-4000-8000-000000000002';
    ec2.on(StopInstancesCommand).rejects(
      Object.assign(new Error('We encountered an internal error.'), {
        name: 'InternalError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      }),
    );
    const first = await runPipeline(event, 'event', context({ remainingTimeMs: () => 4_000 }));
    expect(statuses(first)).toEqual(['ec2.create-tags:succeeded', 'ec2.stop-instances:unknown']);

    // AWS had stopped it after all: the next delivery finds it stopped.
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [
        { Instances: [{ InstanceId: 'i-0123456789abcdef0', State: { Name: 'stopped' } }] },
      ],
    });
    const second = await runPipeline(event, 'event', context());
    const stop = second.events[0]?.matches[0]?.actions[1];
    expect(stop).toMatchObject({ status: 'skipped' });
    expect(stop?.detail).toMatch(
      /^did not stop i-0123456789abcdef0: it is stopped, .*; it may be steward's own work \(an earlier attempt's outcome was unknown: ec2\.stop-instances on i-0123456789abcdef0: outcome unknown: InternalError: We encountered an internal error\. \(after \d+ retries\)\)$/,
    );
  });
});

describe('time and leases', () => {
  it("lease each claim until the invocation's end plus a margin", async () => {
    const event = launch();
    const claim = vi.spyOn(testLedger.ledger, 'claim');
    const before = Date.now();
    await runPipeline(event.envelope, 'event', context({ remainingTimeMs: () => 30_000 }));
    const leaseUntil = claim.mock.calls[0]?.[0].leaseUntil ?? 0;
    claim.mockRestore();
    expect(leaseUntil).toBeGreaterThanOrEqual(before + 40_000);
    expect(leaseUntil).toBeLessThanOrEqual(Date.now() + 40_000);
  });

  it('claim nothing once the invocation has no time left, so the next delivery does it all', async () => {
    const event = launch();
    const report = await runPipeline(
      event.envelope,
      'event',
      context({ remainingTimeMs: () => 1_000 }),
    );
    expect(statuses(report)).toEqual(['ec2.create-tags:deferred']);
    expect(report.errors[0]).toMatchObject({
      kind: 'deferred',
      message: 'not started: the invocation has no time left; the next delivery does it',
    });
    expect(report.errors.some(mustRedeliver)).toBe(true);
    expect(
      await testLedger.ledger.list({ rule: 'ec2-tag-instance-creator', resource: event.instance }),
    ).toEqual([]);
  });
});

describe('large values', () => {
  it('a 205 KB resource gets an entry that fits, and a redelivery is a duplicate', async () => {
    const retentionRules = (await loadRules(repoPath('rules'))).filter(
      (candidate) => candidate.id === 'log-group-without-retention',
    );
    const record = structuredClone(sampleEvent('cloudtrail/logs-create-log-group.json')) as Record<
      string,
      unknown
    >;
    const detail = (record.detail ?? record) as {
      requestParameters: { logGroupName: string };
      eventID: string;
    };
    detail.requestParameters.logGroupName = `/app/${'x'.repeat(205 * 1024)}`;
    detail.eventID = '7a5e0000-0000-4000-8000-000000000205';
    const dryRun = context({ ruleIndex: new RuleIndex(retentionRules), live: false });
    const first = await runPipeline(record, 'event', dryRun);
    expect(first.errors).toEqual([]);
    expect(statuses(first)).toEqual(['logs.put-retention-policy:planned']);
    const key = first.events[0]?.matches[0]?.actions[0]?.key ?? '';
    const entry = await testLedger.ledger.get(key);
    expect(new TextEncoder().encode(entry?.resource).length).toBeLessThanOrEqual(1_024);
    expect(entry?.resource).toMatch(/\[truncated: 209925 bytes, sha256 [0-9a-f]{32}\]$/);
    const second = await runPipeline(record, 'event', dryRun);
    expect(statuses(second)).toEqual(['logs.put-retention-policy:duplicate']);
  });
});
