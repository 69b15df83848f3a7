import { describe, expect, it } from 'vitest';
import { compileRule, parseRuleText } from '../../src/rules/load.js';
import { createEvaluation } from '../../src/runtime.js';
import { runSweep, sweepIncomplete } from '../../src/sweep/run-sweep.js';
import { SweepRuleError, sweepableRule } from '../../src/sweep/sweep-rule.js';

function rule(id: string, triggers: string) {
  const text = `id: ${id}\ndescription: test\nkind: audit\nseverity: low\ntriggers:\n${triggers}\nactions:\n  - action: audit.record\n`;
  const loaded = parseRuleText(text, `${id}.yaml`);
  if (!loaded.rule) throw new Error(loaded.problems.map((problem) => problem.message).join('; '));
  return compileRule(loaded.rule, `${id}.yaml`);
}

const rules = [
  rule(
    'groups',
    '  - source: schedule\n    schedule: rate(6 hours)\n    resources: security-groups',
  ),
  rule('running', '  - source: ec2-state\n    states: [running]'),
];
const targets = [{ account: '123456789012', region: 'us-east-1' }];

describe('runSweep', () => {
  it('refuses an unknown rule and a rule without a schedule trigger before any AWS call', async () => {
    const context = await createEvaluation({ rules: () => Promise.resolve(rules), env: {} });
    await expect(runSweep({ rule: 'nope', targets }, { whatIf: true, context })).rejects.toThrow(
      new SweepRuleError('no rule "nope" in the rules'),
    );
    await expect(runSweep({ rule: 'running', targets }, { whatIf: true, context })).rejects.toThrow(
      'rule running has no schedule trigger (its triggers: ec2-state): only a rule with one can be swept',
    );
  });

  it('with too little time left describes nothing, and says the sweep is incomplete', async () => {
    const context = await createEvaluation({ rules: () => Promise.resolve(rules), env: {} });
    const summary = await runSweep(
      { rule: 'groups', targets, remainingTimeMs: () => 10_000 },
      { whatIf: true, context },
    );
    expect(summary).toEqual(
      expect.objectContaining({
        rule: 'groups',
        resources: 0,
        targets: [],
        describeCalls: {},
        errors: [
          {
            kind: 'out-of-time',
            message:
              'the sweep stopped with 10 s left: the resources not yet seen wait for the next sweep',
            where: 'rule groups',
          },
        ],
      }),
    );
    expect(sweepIncomplete(summary)).toBe(true);
  });
});

describe('the sweep of one schedule', () => {
  // Each schedule invokes the sweep on its own: a schedule sweeping every trigger of its rule
  // would describe the other trigger's resources too, and act on a resource once per trigger
  // period, twice in one sweep where two triggers sweep the same kind.
  const twice = rule(
    'twice',
    [
      "  - source: schedule\n    schedule: 'rate( 2 day )'\n    resources: ec2-instances",
      "  - source: schedule\n    schedule: 'cron(0 6 * * ? *)'\n    resources: ec2-instances",
    ].join('\n'),
  );
  const schedulesOf = (schedule?: string) =>
    sweepableRule([twice], 'twice', schedule).plans.map(({ trigger }) => trigger.schedule);

  it('takes only the triggers on that schedule, written as EventBridge takes it', () => {
    expect(schedulesOf('cron(0 6 * * ? *)')).toEqual(['cron(0 6 * * ? *)']);
    expect(schedulesOf('rate(2 days)')).toEqual(['rate( 2 day )']);
    expect(schedulesOf()).toEqual(['rate( 2 day )', 'cron(0 6 * * ? *)']);
  });

  it('refuses a schedule the rule does not have, naming those it has', () => {
    expect(() => schedulesOf('rate(1 hour)')).toThrow(
      new SweepRuleError(
        'rule twice has no schedule trigger on rate(1 hour) (its schedules: rate(2 days), cron(0 6 * * ? *))',
      ),
    );
  });
});
