import { describe, expect, it } from 'vitest';
import { compileRule, parseRuleText } from '../../src/rules/load.js';
import { createEvaluation } from '../../src/runtime.js';
import { runSweep, sweepIncomplete } from '../../src/sweep/run-sweep.js';
import { SweepRuleError } from '../../src/sweep/sweep-rule.js';

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
