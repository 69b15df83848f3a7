import { Almanac, Engine, type RuleProperties } from 'json-rules-engine';
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
}

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

/**
 * Evaluates the candidate rules of one event with json-rules-engine. Facts are computed once
 * for the event; a rule whose evaluation fails is reported with its error, never as a silent
 * non-match.
 */
export async function evaluateRules(
  event: StewardEvent,
  rules: readonly CompiledRule[],
): Promise<RuleVerdict[]> {
  if (rules.length === 0) return [];
  const facts = eventFacts(event);
  return Promise.all(
    rules.map(async (rule): Promise<RuleVerdict> => {
      const almanac = new Almanac({ allowUndefinedFacts: false });
      for (const [name, value] of Object.entries(facts)) almanac.addRuntimeFact(name, value);
      try {
        const { events } = await engineFor(rule).run({}, { almanac });
        return { rule, fires: events.length > 0 };
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
