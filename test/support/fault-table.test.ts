import { describe, expect, it } from 'vitest';
import { describeCell, renderFaultTable, summarize, type CellObservation } from './fault-table.js';
import type { DeliveryStory } from './lambda-delivery.js';

/** A failed invocation's error as the Lambda entry throws it: with its report's errors. */
function batchError(kind: string): Error {
  return Object.assign(new Error('1 event(s) could not be completed'), {
    report: { errors: [{ kind }] },
  });
}

const firstTime: DeliveryStory = { invocations: [{ name: 'delivery' }], inDeadLetterQueue: false };
const secondTime: DeliveryStory = {
  invocations: [{ name: 'delivery', error: batchError('unknown-outcome') }, { name: 'retry 1' }],
  inDeadLetterQueue: false,
};
const never: DeliveryStory = {
  invocations: (['delivery', 'retry 1', 'retry 2', 'DLQ replay'] as const).map((name) => ({
    name,
    error: batchError('ledger-unavailable'),
  })),
  inDeadLetterQueue: true,
};

const once: CellObservation = {
  cell: { fault: 'throttle', call: 'claim', times: 'once' },
  stories: [firstTime],
  retriedBy: 'the SDK',
  released: false,
  actions: [{ name: 'revoke', status: 'succeeded', applied: 1 }],
};
const redelivered: CellObservation = {
  cell: { fault: 'drop', call: 'release', times: 'once' },
  stories: [secondTime],
  retriedBy: 'the SDK',
  released: true,
  actions: [
    { name: 'revoke', status: 'succeeded', applied: 1 },
    { name: 'tags', status: 'succeeded', applied: 2 },
  ],
};
const failed: CellObservation = {
  cell: { fault: 'throttle', call: 'CreateTags', times: 'always' },
  stories: [firstTime],
  retriedBy: 'steward',
  released: false,
  actions: [
    {
      name: 'tags',
      status: 'failed',
      applied: 0,
      detail: 'ec2.create-tags failed | RequestLimitExceeded',
      failedWith: 'RequestLimitExceeded',
    },
  ],
};
const lost: CellObservation = {
  cell: { fault: 'server-error', call: 'claim', times: 'forever' },
  stories: [never],
  retriedBy: 'the SDK',
  released: false,
  actions: [{ name: 'revoke', status: 'absent', applied: 0 }],
};

describe('summarize', () => {
  it('names the delivery that finished the event, and whatever was not exactly once', () => {
    expect(summarize(once)).toBe('first delivery: once');
    expect(summarize(redelivered)).toBe('retry 1: tags applied ×2');
    expect(summarize(failed)).toBe('first delivery: tags failed (RequestLimitExceeded)');
    expect(summarize(lost)).toBe('left in the DLQ');
  });
});

describe('describeCell', () => {
  it('tells each delivery and each action, with the reasons recorded', () => {
    expect(describeCell(once)).toBe(
      'retried within the invocation (by the SDK) — revoke succeeded (applied ×1)',
    );
    expect(describeCell(redelivered)).toBe(
      'delivery failed (unknown-outcome, claim released); retry 1 completed — ' +
        'revoke succeeded (applied ×1); tags succeeded (applied ×2)',
    );
    expect(describeCell(failed)).toContain(
      'tags failed (applied ×0): ec2.create-tags failed \\| RequestLimitExceeded',
    );
    expect(describeCell(lost)).toBe(
      'every delivery failed (ledger-unavailable): left in the DLQ — revoke absent (applied ×0)',
    );
  });
});

describe('renderFaultTable', () => {
  it('puts one-off faults in a call × fault matrix, lasting faults apart, then every cell', () => {
    const markdown = renderFaultTable([once, redelivered, failed, lost], ['throttle', 'drop']);

    expect(markdown.split('\n').slice(0, 7)).toEqual([
      '### One fault, once',
      '',
      '| call | throttling | dropped response |',
      '| --- | --- | --- |',
      '| `claim` | first delivery: once | - |',
      '| `release` | - | retry 1: tags applied ×2 |',
      '',
    ]);
    expect(markdown).toContain(
      '| throttling | `CreateTags` | until the DLQ replay | first delivery: tags failed (RequestLimitExceeded) |',
    );
    expect(markdown).toContain(
      '| server error (500) | `claim` | through the DLQ replay | left in the DLQ |',
    );
    expect(markdown).toContain('| server-error | claim | forever | every delivery failed');
  });
});
