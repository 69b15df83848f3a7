import { Almanac, Engine, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import type { AwsClients } from '../aws-clients.js';
import { lazyFacts } from '../facts/catalog.js';
import type { LazyFact } from '../facts/lazy-fact.js';
import { RetriesExhaustedError, withRetries } from '../retry.js';
import type { StewardEvent } from '../sources/steward-event.js';
import { eventFacts } from './facts.js';
import { createOperators, type NamedLists } from './operators.js';
import type { CompiledRule } from './rule.js';

/** A rule's verdict on one event. */
export interface RuleVerdict {
  rule: CompiledRule;
  fires: boolean;
  /** Set when a fact could not be read or a condition could not be evaluated. */
  error?: string;
  /** The condition tree with what each condition saw (`factResult`) and decided (`result`). */
  conditions?: TopLevelCondition;
}

export interface EvaluationOptions {
  /** For lazy facts; without clients, a lazy fact a condition reads must be stubbed. */
  clients?: AwsClients;
  /** Lazy fact values to use instead of AWS calls, by fact name (rule tests, `steward explain`). */
  stubs?: Readonly<Record<string, unknown>>;
}

/** A lazy fact that could not be read: an evaluation error, never a silent non-match. */
export class FactUnavailableError extends Error {
  constructor(
    readonly fact: string,
    reason: string,
  ) {
    super(`fact ${fact} could not be read: ${reason}`);
    this.name = 'FactUnavailableError';
  }
}

/** How long a lazy fact may spend retrying throttled or failed reads. */
const factTimeBudgetMs = 20_000;

const engines = new WeakMap<CompiledRule, Engine>();
const operatorsByLists = new WeakMap<NamedLists, ReturnType<typeof createOperators>>();

function engineFor(rule: CompiledRule): Engine {
  let engine = engines.get(rule);
  if (!engine) {
    const properties: RuleProperties = {
      name: rule.id,
      conditions: rule.document.conditions ?? { all: [] },
      event: { type: rule.id },
    };
    engine = new Engine([properties], { allowUndefinedFacts: false });
    let operators = operatorsByLists.get(rule.lists);
    if (!operators) {
      operators = createOperators(rule.lists);
      operatorsByLists.set(rule.lists, operators);
    }
    for (const operator of operators) engine.addOperator(operator);
    engines.set(rule, engine);
  }
  return engine;
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
    const { stubs, clients } = this.options;
    if (stubs !== undefined && Object.hasOwn(stubs, fact.name)) return stubs[fact.name];
    if (!clients)
      throw new FactUnavailableError(fact.name, 'it is not stubbed, and no AWS access was given');
    try {
      // JSONPath cannot read into undefined; a fact with nothing to describe is null.
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
      throw new FactUnavailableError(fact.name, reason);
    }
  }
}

/**
 * Evaluates the candidate rules of one event with json-rules-engine. The event's own facts are
 * computed once; lazy facts are fetched only when a condition reads them, once per event. A
 * rule whose evaluation fails is reported with its error, never as a silent non-match.
 */
export async function evaluateRules(
  event: StewardEvent,
  rules: readonly CompiledRule[],
  options: EvaluationOptions = {},
): Promise<RuleVerdict[]> {
  if (rules.length === 0) return [];
  const facts = eventFacts(event);
  const cache = new LazyFactCache(event, options);
  return Promise.all(
    rules.map(async (rule): Promise<RuleVerdict> => {
      const almanac = new Almanac({ allowUndefinedFacts: false });
      for (const [name, value] of Object.entries(facts)) almanac.addRuntimeFact(name, value);
      for (const fact of lazyFacts.values()) almanac.addFact(fact.name, () => cache.value(fact));
      try {
        const { results, failureResults } = await engineFor(rule).run({}, { almanac });
        const result = results[0] ?? failureResults[0];
        return { rule, fires: results.length > 0, conditions: result?.conditions };
      } catch (error) {
        return {
          rule,
          fires: false,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    }),
  );
}
