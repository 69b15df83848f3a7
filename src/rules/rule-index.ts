import type { StewardEvent } from '../sources/steward-event.js';
import { ConditionPack } from './conditions/pack.js';
import {
  EventEvaluation,
  failedVerdict,
  type EvaluationOptions,
  type RuleVerdict,
} from './evaluate.js';
import { listens, TriggerListings } from './index/listings.js';
import type { CompiledRule } from './rule.js';
import { inScope } from './scope.js';

/**
 * The rules of a pack, indexed by their triggers and then by the values their conditions
 * require: an event is looked up by its kind (its listeners), then by the value it holds at
 * each path rules were filed under (`src/rules/index/`), and evaluated only against the rules
 * that can match it. The index owns the pack's compiled state (`pack`), which lives as long as
 * it does.
 *
 * @example
 * const ruleIndex = new RuleIndex(await loadRules('rules'));
 * for (const { rule, error } of await ruleIndex.match(event, { clients }))
 *   console.log(rule.id, error ?? 'fires');
 */
export class RuleIndex {
  readonly pack = new ConditionPack();
  readonly listings: TriggerListings;

  constructor(readonly rules: readonly CompiledRule[]) {
    this.listings = new TriggerListings(rules);
  }

  /**
   * The verdicts of the rules the event fires, and of those that could not be evaluated (with
   * their error), in pack order: what `evaluateRules` on the rules listening to it gives, less
   * the rules that evaluate to false. A rule out of scope, or whose trigger tests (a `match`,
   * a filter pattern) all fail, is not evaluated; a rule found by a prerequisite does not
   * evaluate that condition again.
   */
  match(event: StewardEvent, options: EvaluationOptions = {}): Promise<RuleVerdict[]> {
    const listing = this.listings.of(event);
    if (listing.rules.length === 0) return Promise.resolve([]);
    const candidates = listing.narrowed(this.pack).candidates(event);
    if (candidates.length === 0) return Promise.resolve([]);
    const evaluation = new EventEvaluation(event, options, this.pack);
    const compiled = options.explain !== true;
    const verdicts: (RuleVerdict | Promise<RuleVerdict>)[] = [];
    let pending = false;
    for (const candidate of candidates) {
      if (candidate.scope && !inScope(candidate.scope, event)) continue;
      if (!listens(candidate.tests, event)) continue;
      const condition = compiled ? candidate.condition : undefined;
      try {
        if (condition) {
          if (condition(evaluation.values)) verdicts.push(candidate.fires);
        } else {
          verdicts.push(evaluation.verdict(candidate.rule));
          pending = true;
        }
      } catch (error) {
        // Compiled conditions that run here cannot fail, but whatever one rule meets stays
        // that rule's error: the other rules still get their verdicts.
        verdicts.push(failedVerdict(candidate.rule, error));
      }
    }
    if (!pending) return Promise.resolve(verdicts as RuleVerdict[]);
    return Promise.all(verdicts).then(keepMatches);
  }

  /**
   * The rules whose triggers match the event, each once, in pack order, whatever their scope
   * and conditions (what `steward explain` goes through).
   */
  listeners(event: StewardEvent): readonly CompiledRule[] {
    return this.listings.of(event).listeners(event);
  }
}

/** The verdicts that fire or carry an error. */
function keepMatches(verdicts: readonly RuleVerdict[]): RuleVerdict[] {
  return verdicts.filter((verdict) => verdict.fires || verdict.error !== undefined);
}
