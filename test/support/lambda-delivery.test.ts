import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { deliverAsLambda, lambdaContext, type DeliveryName } from './lambda-delivery.js';

/** A handler that throws on its first `failures` invocations, and what it was given. */
function failingHandler(failures: number) {
  const seen: { event: unknown; remaining: number }[] = [];
  return {
    seen,
    handler: async (event: unknown, context: Context) => {
      seen.push({ event, remaining: context.getRemainingTimeInMillis() });
      if (seen.length <= failures) throw new Error(`failure ${seen.length}`);
      return 'done';
    },
  };
}

describe('deliverAsLambda', () => {
  it('invokes once when the handler returns', async () => {
    const { handler, seen } = failingHandler(0);

    const story = await deliverAsLambda(handler, { id: 'e-1' }, { budgetMs: 3_000 });

    expect(story).toEqual({ invocations: [{ name: 'delivery' }], inDeadLetterQueue: false });
    expect(seen).toHaveLength(1);
  });

  it('retries twice, then replays from the DLQ, calling `before` ahead of each redelivery', async () => {
    const { handler, seen } = failingHandler(3);
    const before: DeliveryName[] = [];

    const story = await deliverAsLambda(
      handler,
      { id: 'e-2' },
      {
        budgetMs: 3_000,
        before: (name) => {
          before.push(name);
        },
      },
    );

    expect(story.inDeadLetterQueue).toBe(false);
    expect(
      story.invocations.map((invocation) => [invocation.name, invocation.error?.message]),
    ).toEqual([
      ['delivery', 'failure 1'],
      ['retry 1', 'failure 2'],
      ['retry 2', 'failure 3'],
      ['DLQ replay', undefined],
    ]);
    expect(before).toEqual(['retry 1', 'retry 2', 'DLQ replay']);
    // Each invocation gets its own copy of the event and a fresh budget.
    expect(seen.map((invocation) => invocation.event)).toEqual(Array(4).fill({ id: 'e-2' }));
    expect(new Set(seen.map((invocation) => invocation.event)).size).toBe(4);
    expect(seen.every(({ remaining }) => remaining > 0 && remaining <= 3_000)).toBe(true);
  });

  it('leaves the event in the DLQ when the replay fails too, with every error kept', async () => {
    const { handler } = failingHandler(4);

    const story = await deliverAsLambda(handler, {}, { budgetMs: 1_000 });

    expect(story.inDeadLetterQueue).toBe(true);
    expect(story.invocations.map((invocation) => invocation.error?.message)).toEqual([
      'failure 1',
      'failure 2',
      'failure 3',
      'failure 4',
    ]);
  });
});

describe('lambdaContext', () => {
  it('counts its remaining time down from the budget and never below zero', () => {
    expect(lambdaContext(5_000).getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(lambdaContext(5_000).getRemainingTimeInMillis()).toBeLessThanOrEqual(5_000);
    expect(lambdaContext(-10).getRemainingTimeInMillis()).toBe(0);
  });
});
