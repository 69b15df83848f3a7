import type { StewardEvent } from '../sources/steward-event.js';
import { decides } from './conditions/compile.js';
import { FactValues } from './conditions/fact-values.js';
import { ConditionPack } from './conditions/pack.js';
import {
  EventEvaluation,
  failedVerdict,
  type EvaluationOptions,
  type RuleVerdict,
} from './evaluate.js';
import { listens, TriggerListings } from './index/listings.js';
import type { Candidate } from './index/narrowing.js';
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
    const verdicts = this.matchNow(event, options);
    return Array.isArray(verdicts) ? Promise.resolve(verdicts) : verdicts;
  }

  /**
   * `match`'s verdicts, at once when none of them waits on a lazy fact or on json-rules-engine:
   * a caller that goes through millions of events, most of which no rule fires on (a
   * backtest), then needs no promise for them.
   *
   * @example
   * const found = ruleIndex.matchNow(event);
   * const verdicts = Array.isArray(found) ? found : await found;
   */
  matchNow(
    event: StewardEvent,
    options: EvaluationOptions = {},
  ): RuleVerdict[] | Promise<RuleVerdict[]> {
    const listing = this.listings.of(event);
    if (listing.rules.length === 0) return [];
    const matching = new Matching(event, options, this.pack);
    listing.narrowed(this.pack).visit(event, matching);
    return matching.verdicts();
  }

  /**
   * The rules whose triggers match the event, each once, in pack order, whatever their scope
   * and conditions (what `steward explain` goes through).
   */
  listeners(event: StewardEvent): readonly CompiledRule[] {
    return this.listings.of(event).listeners(event);
  }
}

/** A verdict `match` gives: one that fires or carries an error. */
function kept(verdict: RuleVerdict): boolean {
  return verdict.fires || verdict.error !== undefined;
}

/** The verdicts that fire or carry an error. */
function keepMatches(verdicts: readonly RuleVerdict[]): RuleVerdict[] {
  return verdicts.filter(kept);
}

/**
 * One event's pass over the runs of candidates the index reaches. The runs are each in pack
 * order; the verdicts of several runs are put in pack order at the end, which costs nothing
 * for the many events whose rules fire in one run or not at all.
 */
class Matching {
  /** Verdicts found, and the positions of their rules; made with the first (most events find none). */
  private found?: (RuleVerdict | Promise<RuleVerdict>)[];
  private positions?: number[];
  private runsFound = 0;
  private pending = false;
  private readonly compiled: boolean;
  // Made for the first candidate that needs them: most events reach few rules, and fire none.
  private values?: FactValues;
  private evaluation?: EventEvaluation;

  constructor(
    private readonly event: StewardEvent,
    private readonly options: EvaluationOptions,
    private readonly pack: ConditionPack,
  ) {
    this.compiled = options.explain !== true;
  }

  run(first: Candidate): void {
    const event = this.event;
    const before = this.found?.length ?? 0;
    for (let candidate: Candidate | undefined = first; candidate; candidate = candidate.next) {
      if (candidate.scope && !inScope(candidate.scope, event)) continue;
      if (!listens(candidate.tests, event)) continue;
      const checks = this.compiled ? candidate.checks : undefined;
      try {
        if (checks) {
          if (!decides(checks, false, (this.values ??= new FactValues(event)))) continue;
          this.add(candidate.fires, candidate.position);
        } else {
          this.evaluation ??= new EventEvaluation(event, this.options, this.pack, this.values);
          this.values = this.evaluation.values;
          const verdict = this.evaluation.verdict(candidate.rule, candidate.conditions);
          if (verdict instanceof Promise) {
            this.add(verdict, candidate.position);
            this.pending = true;
          } else if (kept(verdict)) {
            this.add(verdict, candidate.position);
          }
        }
      } catch (error) {
        // Compiled conditions that run here cannot fail, but whatever one rule meets stays
        // that rule's error: the other rules still get their verdicts.
        this.add(failedVerdict(candidate.rule, error), candidate.position);
      }
    }
    if ((this.found?.length ?? 0) > before) this.runsFound += 1;
  }

  private add(verdict: RuleVerdict | Promise<RuleVerdict>, position: number): void {
    (this.found ??= []).push(verdict);
    (this.positions ??= []).push(position);
  }

  /** The verdicts that fire or carry an error, in pack order; a promise only when one is pending. */
  verdicts(): RuleVerdict[] | Promise<RuleVerdict[]> {
    let found = this.found ?? [];
    const positions = this.positions ?? [];
    if (this.runsFound > 1) {
      const order = found
        .map((_, i) => i)
        .sort((a, b) => (positions[a] as number) - (positions[b] as number));
      found = order.map(
        (i) =>
          (this.found as (RuleVerdict | Promise<RuleVerdict>)[])[i] as
            RuleVerdict | Promise<RuleVerdict>,
      );
    }
    if (!this.pending) return found as RuleVerdict[];
    return Promise.all(found).then(keepMatches);
  }
}
