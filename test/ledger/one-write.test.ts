import { hostname } from 'node:os';
import { spawnSync } from 'node:child_process';
import { CreateTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ClientPool } from '../../src/client-pool.js';
import { LedgerUnavailableError } from '../../src/ledger/errors.js';
import { runPipeline, type PipelineContext, type PipelineReport } from '../../src/pipeline.js';
import { compileRule, parseRuleText } from '../../src/rules/load.js';
import { RuleIndex } from '../../src/rules/rule-index.js';
import { claimDetails } from '../support/claim-details.js';
import { startTestLedger } from '../support/embedded-ledger.js';
import { injectLedgerFaults } from '../support/ledger-faults.js';

const ec2 = mockClient(EC2Client);
let testLedger: Awaited<ReturnType<typeof startTestLedger>>;
let faults: ReturnType<typeof injectLedgerFaults>;

beforeAll(async () => {
  testLedger = await startTestLedger();
  faults = injectLedgerFaults(testLedger.client);
});

afterAll(async () => {
  ec2.restore();
  await testLedger.close();
});

beforeEach(() => {
  ec2.reset();
  ec2.on(CreateTagsCommand).resolves({});
  faults.clear();
  faults.calls.length = 0;
});

const planned = { status: 'planned', detail: 'would tag i-0123' } as const;

/** The ledger's writes among the calls seen, reads left out. */
const writes = () => faults.calls.filter((call) => call !== 'read' && call !== 'other');

describe('one-write outcomes', () => {
  it('claim and record the outcome in one conditional write', async () => {
    const result = await testLedger.ledger.record(claimDetails({ mode: 'dry-run' }), planned);
    expect(result).toMatchObject({
      kind: 'recorded',
      entry: { status: 'planned', detail: 'would tag i-0123', attempts: 1, mode: 'dry-run' },
    });
    expect(faults.calls).toEqual(['claim']);
    const stored = await testLedger.ledger.get(result.key);
    expect(stored).toMatchObject({ status: 'planned', ruleId: 'rule-a' });
    expect(stored?.claimToken).toBeUndefined();
    expect(stored?.leaseUntil).toBeUndefined();
  });

  it('report the stored outcome to a later delivery, which changes nothing', async () => {
    const action = claimDetails({ mode: 'dry-run' });
    const first = await testLedger.ledger.record(action, planned);
    const again = await testLedger.ledger.record(action, {
      status: 'planned',
      detail: 'would tag it differently',
    });
    expect(again).toMatchObject({
      kind: 'duplicate',
      key: first.key,
      entry: { status: 'planned', detail: 'would tag i-0123', attempts: 1 },
    });
    expect((await testLedger.ledger.get(first.key))?.detail).toBe('would tag i-0123');
  });

  it('are written by exactly one of 20 concurrent deliveries; the others get its outcome', async () => {
    const action = claimDetails({ action: 'audit.record' });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        testLedger.ledger.record(action, { status: 'succeeded', detail: `recorded by ${i}` }),
      ),
    );
    const recorded = results.filter((result) => result.kind === 'recorded');
    expect(recorded).toHaveLength(1);
    const winner = recorded[0]?.entry.detail;
    expect(results.filter((result) => result.kind === 'duplicate')).toHaveLength(19);
    expect(new Set(results.map((result) => result.entry.detail))).toEqual(new Set([winner]));
    expect(writes()).toHaveLength(20);
  });

  it('sent again after a lost response are recognised by their token, not taken for a duplicate', async () => {
    const action = claimDetails({ mode: 'dry-run' });
    faults.add('claim', 'drop');
    const lost = await testLedger.ledger
      .record(action, planned, 'token-1')
      .catch((error: unknown) => error);
    expect(lost).toBeInstanceOf(LedgerUnavailableError);
    expect((lost as Error).message).toMatch(
      /^the ledger could not record dry_[0-9a-f]+: TimeoutError: the response was lost \(injected\)$/,
    );
    const again = await testLedger.ledger.record(action, planned, 'token-1');
    expect(again).toMatchObject({
      kind: 'recorded',
      entry: { status: 'planned', completionToken: 'token-1' },
    });
    expect((await testLedger.ledger.record(action, planned, 'token-2')).kind).toBe('duplicate');
  });

  it('wait for a live claim of the same action, and take over one whose process is gone', async () => {
    const live = claimDetails({ mode: 'dry-run', owner: { host: hostname(), pid: process.pid } });
    await testLedger.ledger.claim(live);
    expect(await testLedger.ledger.record(live, planned)).toMatchObject({
      kind: 'in-progress',
      entry: { status: 'claimed' },
    });

    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    const gone = claimDetails({
      mode: 'dry-run',
      owner: { host: hostname(), pid: Number(child.stdout.toString()) },
    });
    await testLedger.ledger.claim(gone);
    const takenOver = await testLedger.ledger.record(gone, planned);
    expect(takenOver).toMatchObject({
      kind: 'recorded',
      entry: { status: 'planned', attempts: 2 },
    });
    expect(takenOver.entry.claimToken).toBeUndefined();
    expect(takenOver.entry.owner).toBeUndefined();
  });
});

function ruleIndex(mode: 'enforce' | 'dry-run', limits = ''): RuleIndex {
  const text = `id: tag-and-record
description: Tag instances that start, and record it.
kind: remediation
severity: high
triggers:
  - source: ec2-state
    states: [running]
actions:
  - action: ec2.create-tags
    params: { tags: { Seen: 'yes' } }
  - action: audit.record
    params: { note: an instance started }
mode: ${mode}
${limits}`;
  const loaded = parseRuleText(text, 'tag-and-record.yaml');
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return new RuleIndex([compileRule(loaded.rule, 'tag-and-record.yaml')]);
}

let eventCounter = 0;
function stateChange() {
  eventCounter++;
  const instance = `i-0${String(eventCounter).padStart(16, '0')}`;
  return {
    version: '0',
    id: `11111111-0000-4000-8000-${String(eventCounter).padStart(12, '0')}`,
    'detail-type': 'EC2 Instance State-change Notification',
    source: 'aws.ec2',
    account: '123456789012',
    time: '2026-11-20T10:00:00Z',
    region: 'us-east-1',
    resources: [`arn:aws:ec2:us-east-1:123456789012:instance/${instance}`],
    detail: { 'instance-id': instance, state: 'running' },
  };
}

function context(ruleIndex: RuleIndex, live: boolean): PipelineContext {
  return {
    ruleIndex,
    ledger: testLedger.ledger,
    clients: new ClientPool({ region: 'us-east-1', homeAccount: '123456789012' }),
    live,
    readObjects: false,
    inProgressWaitMs: 10_000,
  };
}

const actions = (report: PipelineReport) =>
  report.events.flatMap((event) =>
    event.matches.flatMap((match) =>
      match.actions.map((action) => `${action.action}:${action.status}`),
    ),
  );

describe('the pipeline', () => {
  it('writes each action of a dry run once, and a redelivery reports the stored plans', async () => {
    const event = stateChange();
    const shared = context(ruleIndex('dry-run'), true);
    const first = await runPipeline(event, 'first', shared);
    expect(actions(first)).toEqual(['ec2.create-tags:planned', 'audit.record:planned']);
    // The guard is the event's own (the newest state change seen for the instance), not an action's.
    expect(writes()).toEqual(['guard', 'claim', 'claim']);
    faults.calls.length = 0;
    const again = await runPipeline(event, 'again', shared);
    expect(actions(again)).toEqual(['ec2.create-tags:duplicate', 'audit.record:duplicate']);
    expect(again.events[0]?.matches[0]?.actions.map((action) => action.stored)).toEqual([
      'planned',
      'planned',
    ]);
    expect(again.errors).toEqual([]);
  });

  it('sends a write whose response was lost again, and reports its own outcome, not a duplicate', async () => {
    const event = stateChange();
    faults.add('claim', 'drop');
    const report = await runPipeline(event, 'lost', context(ruleIndex('dry-run'), true));
    expect(actions(report)).toEqual(['ec2.create-tags:planned', 'audit.record:planned']);
    expect(report.errors).toEqual([]);
    expect(writes()).toEqual(['guard', 'claim', 'claim', 'claim']);
  });

  it('plans once under 20 concurrent deliveries of one event', async () => {
    const event = stateChange();
    const shared = context(ruleIndex('dry-run'), true);
    const reports = await Promise.all(
      Array.from({ length: 20 }, (_, i) => runPipeline(event, `delivery ${i}`, shared)),
    );
    const all = reports.flatMap(actions);
    expect(all.filter((status) => status.endsWith(':planned'))).toHaveLength(2);
    expect(all.filter((status) => status.endsWith(':duplicate'))).toHaveLength(38);
    expect(reports.flatMap((report) => report.errors)).toEqual([]);
  });

  it('records an enforced audit finding in one write, but claims it first in a rule with limits', async () => {
    const event = stateChange();
    const enforced = await runPipeline(event, 'enforced', context(ruleIndex('enforce'), true));
    expect(actions(enforced)).toEqual(['ec2.create-tags:succeeded', 'audit.record:succeeded']);
    expect(writes()).toEqual(['guard', 'claim', 'complete', 'claim']);
    const key = enforced.events[0]?.matches[0]?.actions[1]?.key ?? '';
    expect(await testLedger.ledger.get(key)).toMatchObject({
      status: 'succeeded',
      detail: expect.stringMatching(/^recorded a high finding of tag-and-record on i-0\d+/),
    });

    faults.calls.length = 0;
    const limited = ruleIndex('enforce', 'limits: { maxActionsPerHour: 10 }');
    const withLimits = await runPipeline(stateChange(), 'limited', context(limited, true));
    expect(actions(withLimits)).toEqual(['ec2.create-tags:succeeded', 'audit.record:succeeded']);
    expect(ec2.commandCalls(CreateTagsCommand)).toHaveLength(2);
    expect(writes()).toEqual(['guard', 'claim', 'guard', 'complete', 'claim', 'guard', 'complete']);
  });
});
