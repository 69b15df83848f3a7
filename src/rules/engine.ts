import { Almanac, Engine, Operator, type TopLevelCondition } from 'json-rules-engine';
import type { LazyFact } from '../facts/lazy-fact.js';
import { pathReader, type PathReader } from './conditions/paths.js';
import { customOperators, type Operators } from './conditions/operators.js';
import { BoundedMemo } from './memo.js';
import type { CompiledRule } from './rule.js';

/** What json-rules-engine decided for one rule and event. */
export interface EngineOutcome {
  fires: boolean;
  /** The condition tree with what each condition saw (`factResult`) and decided (`result`). */
  conditions?: TopLevelCondition;
}

/**
 * json-rules-engine for one rule pack, through its public API only: one `Engine` per rule,
 * steward's operators added with `addOperator`, and steward's path reader as the almanac's
 * `pathResolver`, so the engine and compiled conditions read paths alike. It evaluates what
 * does not compile (priorities, decorated operators), every explanation, and every failure.
 *
 * @example
 * const engine = new RuleEngine((lists) => new Operators(lists));
 * const { fires } = await engine.run(rule, { event, record }, lazyFacts, (fact) => cache.value(fact));
 */
export class RuleEngine {
  private readonly engines = new Map<CompiledRule, Engine>();
  private readonly paths = new BoundedMemo<string, PathReader>('engine paths', 4096);

  constructor(private readonly operatorsFor: (rule: CompiledRule) => Operators) {}

  /** Runs the rule's conditions on `facts` and the lazy facts, read by `lazyValue`. */
  async run(
    rule: CompiledRule,
    facts: Readonly<Record<string, unknown>>,
    lazyFacts: Iterable<LazyFact>,
    lazyValue: (fact: LazyFact) => Promise<unknown>,
  ): Promise<EngineOutcome> {
    const almanac = new Almanac({
      allowUndefinedFacts: false,
      pathResolver: (value: object, path: string) => this.paths.get(path, pathReader)(value),
    });
    for (const [name, value] of Object.entries(facts)) almanac.addRuntimeFact(name, value);
    for (const fact of lazyFacts) almanac.addFact(fact.name, () => lazyValue(fact));
    const { results, failureResults } = await this.engineFor(rule).run({}, { almanac });
    const result = results[0] ?? failureResults[0];
    return { fires: results.length > 0, conditions: result?.conditions };
  }

  /** Counts of the path readers' memo, for `npm run bench`. */
  memos() {
    return [this.paths.counts()];
  }

  private engineFor(rule: CompiledRule): Engine {
    let engine = this.engines.get(rule);
    if (!engine) {
      engine = new Engine(
        [
          {
            name: rule.id,
            conditions: rule.document.conditions ?? { all: [] },
            event: { type: rule.id },
          },
        ],
        { allowUndefinedFacts: false },
      );
      for (const operator of engineOperators(this.operatorsFor(rule))) engine.addOperator(operator);
      this.engines.set(rule, engine);
    }
    return engine;
  }
}

/**
 * steward's operators as json-rules-engine operators, comparing through `operators`.
 *
 * @example
 * for (const operator of engineOperators(new Operators(lists))) engine.addOperator(operator);
 */
export function engineOperators(operators: Operators): Operator[] {
  return customOperators.map(
    (name) => new Operator(name, (fact, value) => operators.compare(name, fact, value)),
  );
}
