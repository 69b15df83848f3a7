import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '../../src/ledger/entry.js';
import type { TraceLogLine } from '../../src/operations/trace-line.js';
import { eventTrace } from '../../src/operations/trace.js';

const eventId = 'f1e2d3c4-b5a6-4978-8a9b-0c1d2e3f4a5b';

function entry(pk: string, ruleId: string, action: string, resource: string, createdAt: string) {
  return {
    pk,
    mode: 'enforce',
    eventId,
    ruleId,
    action,
    resource,
    source: 'ec2-state',
    eventName: 'running',
    eventTime: '2026-11-30T19:00:00Z',
    severity: 'high',
    actor: '-',
    account: '123456789012',
    region: '-',
    status: 'succeeded',
    attempts: 1,
    createdAt,
    updatedAt: createdAt,
    expiresAt: 0,
  } satisfies LedgerEntry;
}

function line(time: string, fields: Partial<TraceLogLine>): TraceLogLine {
  return {
    time,
    message: 'action outcome',
    function: 'ec2State',
    logGroup: '/aws/lambda/steward-prod-ec2State',
    logStream: 's',
    eventId,
    ...fields,
  };
}

describe("an event's trace from its ledger entries and log lines", () => {
  const entries = [
    entry('act_b', 'rule-b', 'ec2.create-tags', 'i-1', '2026-11-30T19:00:02Z'),
    entry('act_a2', 'rule-a', 'ec2.create-tags', 'i-2', '2026-11-30T19:00:01.500Z'),
    entry('act_a1', 'rule-a', 'ec2.create-tags', 'i-1', '2026-11-30T19:00:01Z'),
  ];
  const trace = eventTrace(eventId, entries, [
    line('2026-11-30T19:00:05Z', {
      rule: 'rule-a',
      action: 'ec2.create-tags',
      resource: 'i-2',
      mode: 'enforce',
      status: 'succeeded',
    }),
    line('2026-11-30T19:00:04Z', {
      rule: 'rule-a',
      action: 'ec2.create-tags',
      ledgerKey: 'act_a1',
      status: 'succeeded',
    }),
    line('2026-11-30T19:00:03Z', {
      message: 'steward error',
      rule: 'rule-a',
      action: 'ec2.create-tags',
      kind: 'action',
      error: 'x',
    }),
    line('2026-11-30T19:00:00Z', {
      rule: 'rule-c',
      action: 'ec2.stop-instances',
      resource: 'i-1',
      ledgerKey: 'act_c',
      status: 'in-progress',
    }),
    line('2026-11-30T19:00:06Z', { message: 'steward error', kind: 'decode', error: 'y' }),
  ]);

  it('orders rules as the event reached them, and actions as they were claimed', () => {
    expect(
      trace.rules.map((rule) => [rule.rule, rule.actions.map((action) => action.key)]),
    ).toEqual([
      ['rule-c', ['act_c']],
      ['rule-a', ['act_a1', 'act_a2']],
      ['rule-b', ['act_b']],
    ]);
  });

  it('joins an outcome line to its action by ledger key, else by rule, action, resource and mode', () => {
    const [a1, a2] = trace.rules[1]?.actions ?? [];
    expect(a1?.log.map((each) => each.time)).toEqual(['2026-11-30T19:00:04Z']);
    expect(a2?.log.map((each) => each.time)).toEqual(['2026-11-30T19:00:05Z']);
  });

  it('keeps an action only the logs know, without an entry', () => {
    expect(trace.rules[0]?.actions[0]).toMatchObject({
      action: 'ec2.stop-instances',
      resource: 'i-1',
      key: 'act_c',
      log: [expect.objectContaining({ status: 'in-progress' })],
    });
    expect(trace.rules[0]?.actions[0]?.entry).toBeUndefined();
  });

  it('puts an error under its rule when its action is not one of the rule’s, and under the event when it names no rule', () => {
    expect(trace.rules[1]?.log.map((each) => each.error)).toEqual(['x']);
    expect(trace.log.map((each) => each.error)).toEqual(['y']);
  });

  it('takes the event from its first entry, leaving out what the ledger wrote as unknown', () => {
    expect(trace.event).toEqual({
      source: 'ec2-state',
      eventName: 'running',
      eventTime: '2026-11-30T19:00:00Z',
      account: '123456789012',
    });
  });
});
