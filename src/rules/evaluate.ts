import type { TopLevelCondition } from 'json-rules-engine';
import type { AwsClients } from '../aws-clients.js';
import { lazyFacts } from '../facts/catalog.js';
import type { LazyFact } from '../facts/lazy-fact.js';
import { RetriesExhaustedError, withRetries } from '../retry.js';
import type { StewardEvent } from '../sources/steward-event.js';
import type { CompiledCondition } from './conditions/compile.js';
import { FactValues } from './conditions/fact-values.js';
import { ConditionPack, type RuleConditions } from './conditions/pack.js';
import { eventFacts } from './facts.js';
import type { CompiledRule } from './rule.js';

/** A rule's verdict on one event. */
export interface RuleVerdict {
  rule: CompiledRule;
  fires: boolean;
  /** Set when a fact could not be read or a condition could not be evaluated. */
  error?: string;
  /** The error was AWS throttling or failing a fact's read: a later delivery may succeed. */
  transient?: boolean;
  /**
   * Set with `error` when the verdict needed this lazy fact and neither a stub nor AWS access
   * could give it: the rule depends on live state (see `LiveStateNeededError`).
   */
  liveFact?: string;
  /** The condition tree with what each condition saw (`factResult`) and decided (`result`). */
  conditions?: TopLevelCondition;
}

export interface EvaluationOptions {
  /** For lazy facts; without clients, a lazy fact a condition reads must be stubbed. */
  clients?: AwsClients;
  /** Lazy fact values to use instead of AWS calls, by fact name (rule tests, `steward explain`). */
  stubs?: Readonly<Record<string, unknown>>;
  /**
   * Fill in `RuleVerdict.conditions` (what `steward explain` shows) by running every rule
   * through json-rules-engine. Off by default: rules are then evaluated by compiled conditions
   * with the same results, and verdicts carry no condition tree.
   */
  explain?: boolean;
}

/**
 * A lazy fact that could not be read: an evaluation error, never a silent non-match. Keeps the
 * AWS error as its `cause`.
 *
 * @example
 * throw new FactUnavailableError('instance', 'AccessDenied: …', false, { cause: error });
 */
export class FactUnavailableError extends Error {
  constructor(
    readonly fact: string,
    reason: string,
    /** AWS throttled or failed the read past its retries: a later try may succeed. */
    readonly transient = false,
    options?: ErrorOptions,
  ) {
    super(`fact ${fact} could not be read: ${reason}`, options);
    this.name = 'FactUnavailableError';
  }
}

/**
 * A lazy fact a verdict needs that no stub answers and no AWS access was given for: the
 * verdict depends on live AWS state, which a backtest reports as such rather than as a
 * failure.
 *
 * @example
 * if (verdict.liveFact !== undefined) needsLiveState.add(verdict.liveFact);
 */
export class LiveStateNeededError extends FactUnavailableError {
  constructor(fact: string) {
    super(fact, 'it is not stubbed, and no AWS access was given');
    this.name = 'LiveStateNeededError';
  }
}

/** How long a lazy fact may spend retrying throttled or failed reads. */
const factTimeBudgetMs = 20_000;

/** A lazy fact's value when a stub or the event itself gives it: no AWS call needed. */
function givenFact(
  name: string,
  event: StewardEvent,
  options: EvaluationOptions,
): { value: unknown } | undefined {
  const { stubs } = options;
  if (stubs !== undefined && Object.hasOwn(stubs, name)) return { value: stubs[name] };
  const known = event.facts;
  if (known !== undefined && Object.hasOwn(known, name)) return { value: known[name] };
  return undefined;
}

/** Lazy fact values of one event: each fetched at most once, whichever rules read it. */
class LazyFactCache {
  private readonly values = new Map<string, Promise<unknown>>();

  constructor(
    private readonly event: StewardEvent,
    private readonly options: EvaluationOptions,
  ) {}

  value(fact: LazyFact): Promise<unknown> {
    let value = this.values.get(fact.name);
    if (!value) {
      value = this.fetch(fact);
      this.values.set(fact.name, value);
    }
    return value;
  }

  private async fetch(fact: LazyFact): Promise<unknown> {
    const given = givenFact(fact.name, this.event, this.options);
    if (given !== undefined) return given.value;
    const { clients } = this.options;
    if (!clients) throw new LiveStateNeededError(fact.name);
    try {
      // A path cannot read into undefined; a fact with nothing to describe is null.
      const { value } = await withRetries(() => fact.fetch(this.event, clients), {
        deadline: Date.now() + factTimeBudgetMs,
      });
      return value ?? null;
    } catch (error) {
      const reason =
        error instanceof RetriesExhaustedError
          ? error.message
          : error instanceof Error
            ? `${error.name}: ${error.message}`
            : String(error);
      const transient = error instanceof RetriesExhaustedError && error.errorClass !== 'permanent';
      throw new FactUnavailableError(fact.name, reason, transient, { cause: error });
    }
  }
}

/**
 * One event's evaluation against rules of one pack: the fact values compiled conditions read,
 * the lazy fact cache, and json-rules-engine for what does not compile.
 *
 * @example
 * const evaluation = new EventEvaluation(event, options, pack);
 * const verdict = await evaluation.verdict(rule);
 */
export class EventEvaluation {
  readonly values: FactValues;
  private facts?: Record<string, unknown>;
  private cache?: LazyFactCache;

  constructor(
    readonly event: StewardEvent,
    private readonly options: EvaluationOptions,
    private readonly pack: ConditionPack,
    /** The fact values compiled conditions have already read for the event, if any. */
    values = new FactValues(event),
  ) {
    this.values = values;
  }

  /**
   * The verdict, synchronously when the rule compiled and every lazy fact it reads is given
   * (by a stub, or by the event, as a sweep's are) rather than fetched. `conditions` spares a
   * caller that holds them a lookup in the pack.
   */
  verdict(
    rule: CompiledRule,
    conditions: RuleConditions = this.pack.of(rule),
  ): RuleVerdict | Promise<RuleVerdict> {
    if (this.options.explain === true) return this.withEngine(rule);
    const compiled = conditions.compiled;
    if (!compiled) return this.withEngine(rule);
    if (compiled.lazy.size > 0 && !this.given(compiled.lazy))
      return this.withLazyFacts(rule, compiled);
    try {
      return compiled.evaluate(this.values) ? conditions.fires : conditions.quiet;
    } catch {
      // The engine reports the failure in its own words.
      return this.withEngine(rule);
    }
  }

  /** Puts the lazy facts a stub or the event gives into the values; false when one must be fetched. */
  private given(names: ReadonlySet<string>): boolean {
    for (const name of names) {
      if (this.values.lazy?.has(name) === true) continue;
      const given = givenFact(name, this.event, this.options);
      if (given === undefined) return false;
      (this.values.lazy ??= new Map()).set(name, given.value);
    }
    return true;
  }

  private async withLazyFacts(
    rule: CompiledRule,
    compiled: CompiledCondition,
  ): Promise<RuleVerdict> {
    const cache = this.lazyCache();
    try {
      const names = [...compiled.lazy];
      const fetched = await Promise.all(
        names.map((name) => cache.value(lazyFacts.get(name) as LazyFact)),
      );
      const known = (this.values.lazy ??= new Map());
      names.forEach((name, i) => known.set(name, fetched[i]));
      const { fires, quiet } = this.pack.of(rule);
      return compiled.evaluate(this.values) ? fires : quiet;
    } catch {
      return this.withEngine(rule);
    }
  }

  /** The rule's verdict from json-rules-engine; never rejects: a failure is the verdict's error. */
  private async withEngine(rule: CompiledRule): Promise<RuleVerdict> {
    try {
      this.facts ??= eventFacts(this.event);
      const cache = this.lazyCache();
      const outcome = await this.pack.engine.run(rule, this.facts, lazyFacts.values(), (fact) =>
        cache.value(fact),
      );
      if (this.options.explain === true)
        return { rule, fires: outcome.fires, conditions: outcome.conditions };
      const { fires, quiet } = this.pack.of(rule);
      return outcome.fires ? fires : quiet;
    } catch (error) {
      return failedVerdict(rule, error);
    }
  }

  private lazyCache(): LazyFactCache {
    this.cache ??= new LazyFactCache(this.event, this.options);
    return this.cache;
  }
}

/**
 * The verdict of a rule whose evaluation threw: it does not fire, and says why. The error stays
 * the rule's, for this event; the other rules are still evaluated.
 *
 * @example
 * try { fires = condition(values); } catch (error) { verdicts.push(failedVerdict(rule, error)); }
 */
export function failedVerdict(rule: CompiledRule, error: unknown): RuleVerdict {
  return {
    rule,
    fires: false,
    error: error instanceof Error ? error.message : String(error),
    ...(error instanceof FactUnavailableError && error.transient ? { transient: true } : {}),
    ...(error instanceof LiveStateNeededError ? { liveFact: error.fact } : {}),
  };
}

/**
 * Evaluates rules on one event with json-rules-engine's semantics. Conditions run as compiled
 * closures; lazy facts are fetched only when a condition reads them, once per event; anything
 * else, any failure and every explanation goes through json-rules-engine itself. A rule whose
 * evaluation fails is reported with its error, never as a silent non-match. `pack` keeps what
 * is compiled; a new one each call when not given.
 *
 * @example
 * for (const verdict of await evaluateRules(event, rules, { stubs }))
 *   console.log(verdict.rule.id, verdict.fires);
 */
export async function evaluateRules(
  event: StewardEvent,
  rules: readonly CompiledRule[],
  options: EvaluationOptions = {},
  pack = new ConditionPack(),
): Promise<RuleVerdict[]> {
  const evaluation = new EventEvaluation(event, options, pack);
  return Promise.all(rules.map((rule) => evaluation.verdict(rule)));
}
