import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { SweepFunction, SweepIncompleteError, SweepInputError } from '../../src/sweep/lambda.js';
import type { SweepSummary } from '../../src/sweep/run-sweep.js';
import { nullSink } from '../../src/telemetry/sink.js';

const context = {
  awsRequestId: 'sweep-test',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:steward-dev-sweep',
  getRemainingTimeInMillis: () => 60_000,
} as Context;

describe('the sweep function', () => {
  // Input is checked before the runtime is built: no rule pack, ledger or AWS is needed.
  const sweeps = new SweepFunction(
    { STEWARD_RULE_PACK: '/nonexistent/rule-pack.json' },
    { sink: nullSink },
  );

  it.each([
    [[], 'sweep input: expected {"rule": "<rule id>"}; got an array'],
    ['owners', 'sweep input: expected {"rule": "<rule id>"}; got a string'],
    [{}, 'sweep input: expected {"rule": "<rule id>"}; "rule" is undefined'],
    [{ rule: '' }, 'sweep input: expected {"rule": "<rule id>"}; "rule" is empty'],
    [{ rule: 7 }, 'sweep input: expected {"rule": "<rule id>"}; "rule" is a number'],
    [
      { rule: 'owners', schedule: 7 },
      'sweep input: expected {"rule": "<rule id>", "schedule": "<its schedule>"}; "schedule" is a number',
    ],
  ])('refuses %j, saying what it expected', async (input, message) => {
    const refused = sweeps.handle(input, context);
    await expect(refused).rejects.toThrow(
      new SweepInputError(message.replace('sweep input: ', '')),
    );
    await expect(refused).rejects.toMatchObject({ stack: `SweepInputError: ${message}` });
  });

  it('fails an incomplete sweep with every problem listed, so Lambda runs it again', () => {
    const summary: SweepSummary = {
      rule: 'owners',
      whatIf: false,
      time: '2026-12-01T06:00:00.000Z',
      targets: [],
      resources: 0,
      matches: 0,
      actions: {},
      describeCalls: {},
      describeMs: 0,
      errors: [
        {
          kind: 'describe',
          message: 'describing ec2-instances stopped: AccessDenied',
          where: 'account 222233334444, region us-east-1',
        },
      ],
      moreErrors: 2,
    };
    expect(new SweepIncompleteError(summary).message).toBe(
      'the sweep of rule owners is incomplete: account 222233334444, region us-east-1: describing ec2-instances stopped: AccessDenied; and 2 more',
    );
  });
});
