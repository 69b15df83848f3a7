/**
 * The rule a sweep runs: found by id in the loaded rules, with its schedule triggers checked
 * (period, filters) before any AWS call.
 */
import { scheduleExpression } from '../deploy/schedules.js';
import { messageOf, StewardError } from '../errors.js';
import type { CompiledRule, ScheduleTrigger } from '../rules/rule.js';
import { sweepPeriodMs } from './period.js';
import { checkSweepFilters } from './filters.js';
import { resourceQueries, type ResourceQuery } from './queries.js';

/**
 * A rule that cannot be swept: unknown, without a schedule trigger, or with a trigger whose
 * period or filters cannot be used. Names the rule.
 *
 * @example
 * throw new SweepRuleError('no rule "x" in the rules');
 */
export class SweepRuleError extends StewardError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SweepRuleError';
  }
}

/** One schedule trigger of a rule, ready to sweep. */
export interface SweepPlan {
  trigger: ScheduleTrigger;
  query: ResourceQuery;
  periodMs: number;
}

/** A rule and what its sweep describes. */
export interface SweepableRule {
  rule: CompiledRule;
  plans: SweepPlan[];
}

/**
 * The rule of this id and its schedule triggers: those on `schedule` (as EventBridge takes it,
 * `rate(2 days)`) when one is given, else all of them. Throws `SweepRuleError` for an unknown rule,
 * a rule without a schedule trigger (or none on `schedule`), or a trigger whose period or
 * filters cannot be used.
 *
 * @example
 * const { rule, plans } = sweepableRule(runtime.ruleIndex.rules, 'sweep-instances-without-owner');
 */
export function sweepableRule(
  rules: readonly CompiledRule[],
  id: string,
  schedule?: string,
): SweepableRule {
  const rule = rules.find((candidate) => candidate.id === id);
  if (rule === undefined) throw new SweepRuleError(`no rule ${JSON.stringify(id)} in the rules`);
  const scheduled = rule.document.triggers.filter(
    (trigger): trigger is ScheduleTrigger => trigger.source === 'schedule',
  );
  if (scheduled.length === 0)
    throw new SweepRuleError(
      `rule ${id} has no schedule trigger (its triggers: ${rule.document.triggers.map((trigger) => trigger.source).join(', ')}): only a rule with one can be swept`,
    );
  const triggers =
    schedule === undefined ? scheduled : onSchedule(rule, scheduled, schedule.trim());
  const plans = triggers.map((trigger, index) => {
    const where = `rule ${id}, schedule trigger ${index + 1}`;
    const query = resourceQueries.get(trigger.resources);
    if (query === undefined)
      throw new SweepRuleError(`${where}: no sweep of ${JSON.stringify(trigger.resources)}`);
    try {
      checkSweepFilters(trigger.resources, trigger.filters);
      return { trigger, query, periodMs: sweepPeriodMs(trigger) };
    } catch (error) {
      if (!(error instanceof StewardError)) throw error;
      throw new SweepRuleError(`${where}: ${error.message}`, { cause: error });
    }
  });
  return { rule, plans };
}

/**
 * The triggers on one of the rule's schedules, as EventBridge takes it: each schedule invokes
 * the sweep on its own, for its own triggers.
 */
function onSchedule(
  rule: CompiledRule,
  triggers: readonly ScheduleTrigger[],
  schedule: string,
): ScheduleTrigger[] {
  const expressions = triggers.map((trigger) => {
    try {
      return scheduleExpression(trigger.schedule, rule);
    } catch (error) {
      throw new SweepRuleError(messageOf(error), { cause: error });
    }
  });
  const taken = triggers.filter((_, index) => expressions[index] === schedule);
  if (taken.length === 0)
    throw new SweepRuleError(
      `rule ${rule.id} has no schedule trigger on ${schedule} (its schedules: ${[...new Set(expressions)].join(', ')})`,
    );
  return taken;
}
