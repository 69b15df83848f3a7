import { StewardError } from '../errors.js';
import type { CompiledRule } from '../rules/rule.js';

/** A schedule trigger's expression that EventBridge would refuse, named with its rule and file. */
export class ScheduleExpressionError extends StewardError {
  constructor(
    readonly rule: string,
    readonly file: string,
    message: string,
  ) {
    super(`${file}: rule ${rule}: ${message}`);
    this.name = 'ScheduleExpressionError';
  }
}

/** One EventBridge schedule of the `sweep` function: which rule it sweeps, and when. */
export interface RuleSchedule {
  rule: string;
  /** As EventBridge takes it: `rate(1 day)`, `rate(6 hours)`, `cron(0 6 * * ? *)`. */
  expression: string;
}

const rateForm = /^rate\(\s*([1-9][0-9]*)\s+(minute|hour|day)s?\s*\)$/;
const cronForm = /^cron\(([^()]+)\)$/;
const cronFields = 'minutes hours day-of-month month day-of-week year';

/**
 * A rule's schedule as EventBridge takes it. The rule schema admits `rate(2 day)` and spaces
 * inside the parentheses; EventBridge wants the singular for 1 and the plural otherwise, and
 * the six fields of a cron expression, which is checked here so that `sls package` stops with
 * the rule's name rather than CloudFormation failing at deploy.
 *
 * @example
 * scheduleExpression('rate( 2 day )', rule); // 'rate(2 days)'
 * scheduleExpression('cron(0 6 * * ?)', rule); // throws ScheduleExpressionError: 5 fields
 */
export function scheduleExpression(
  expression: string,
  rule: Pick<CompiledRule, 'id' | 'file'>,
): string {
  const rate = rateForm.exec(expression.trim());
  if (rate) {
    const [, count, unit] = rate;
    return `rate(${count} ${unit}${count === '1' ? '' : 's'})`;
  }
  const cron = cronForm.exec(expression.trim());
  const fields = cron?.[1]?.trim().split(/\s+/) ?? [];
  if (fields.length !== 6)
    throw new ScheduleExpressionError(
      rule.id,
      rule.file,
      cron
        ? `schedule ${expression} has ${fields.length} fields, and EventBridge's cron takes 6 (${cronFields}), e.g. cron(0 6 * * ? *)`
        : `schedule ${expression} is neither rate(…) nor cron(…)`,
    );
  return `cron(${fields.join(' ')})`;
}

/**
 * The schedules of the rules' schedule triggers, one per rule and expression (two triggers of
 * one rule on the same schedule are one sweep of it), in the rules' order.
 *
 * @example
 * ruleSchedules(rules); // [{ rule: 'ec2-sweep-without-owner', expression: 'rate(1 day)' }, …]
 */
export function ruleSchedules(rules: readonly CompiledRule[]): RuleSchedule[] {
  const schedules = new Map<string, RuleSchedule>();
  for (const rule of rules)
    for (const trigger of rule.document.triggers) {
      if (trigger.source !== 'schedule') continue;
      const expression = scheduleExpression(trigger.schedule, rule);
      schedules.set(JSON.stringify([rule.id, expression]), { rule: rule.id, expression });
    }
  return [...schedules.values()];
}

/**
 * The `schedule` events of the `sweep` function in `serverless.yml`'s form: one EventBridge
 * rule per schedule, whose input names the rule to sweep and the schedule, whose triggers alone
 * it sweeps.
 *
 * @example
 * scheduleEvents(rules)[0];
 * // { schedule: { rate: ['rate(1 day)'], input: { rule: 'ec2-sweep-without-owner', schedule: 'rate(1 day)' }, description: … } }
 */
export function scheduleEvents(rules: readonly CompiledRule[]): Record<string, unknown>[] {
  return ruleSchedules(rules).map(({ rule, expression }) => ({
    schedule: {
      rate: [expression],
      input: { rule, schedule: expression },
      description: `steward sweep for the rule ${rule}`,
    },
  }));
}
