/**
 * Rule evaluation throughput: steward (`RuleIndex.match`, lazy facts stubbed, no
 * ledger) against plain json-rules-engine with every rule in one Engine, in the same process.
 */
import {
  Almanac,
  Engine,
  Operator,
  type NestedCondition,
  type RuleProperties,
} from 'json-rules-engine';
import { lazyFacts } from '../src/facts/catalog.js';
import { eventFacts } from '../src/rules/facts.js';
import { compileLogFilter } from '../src/rules/log-filter.js';
import { matchesValue } from '../src/rules/match-value.js';
import { Operators } from '../src/rules/conditions/operators.js';
import { engineOperators } from '../src/rules/engine.js';
import type { CompiledRule, Trigger } from '../src/rules/rule.js';
import { RuleIndex } from '../src/rules/rule-index.js';
import type { StewardEvent } from '../src/sources/steward-event.js';
import { compileRules, eventStream, factStubs, namedLists, ruleDocuments } from './generate.js';
import { timeEach, type Throughput } from './measure.js';
import { candidates as candidatesOf } from './rule-work.js';

export interface EvaluationResult {
  rules: number;
  steward: Throughput & {
    /** Events per second of every timed pass; the figures above are the median pass's. */
    passes: number[];
    candidatesPerEvent: number;
    firesPerEvent: number;
  };
  baseline: Throughput;
  /** steward's events per second over json-rules-engine's. */
  ratio: number;
  /** Events both evaluated, and how many of them fired a different set of rules. */
  crossChecked: { events: number; disagreements: number };
}

function path(field: string): string {
  return `$.${field}`;
}

/** The trigger as json-rules-engine conditions, so the baseline decides the same matches. */
function triggerCondition(trigger: Trigger): NestedCondition {
  const on = (fact: string, where: string, operator: string, value: unknown) =>
    ({ fact, path: where, operator, value }) as NestedCondition;
  const source = on('event', path('source'), 'equal', trigger.source);
  if (trigger.source === 'ec2-state')
    return { all: [source, on('event', path('name'), 'in', trigger.states)] };
  if (trigger.source === 'cloudwatch-logs') {
    const groups = trigger.logGroups.map((group) =>
      group.endsWith('*')
        ? on('event', path('name'), 'startsWith', group.slice(0, -1))
        : on('event', path('name'), 'equal', group),
    );
    const filter =
      trigger.filter === undefined
        ? []
        : [on('record', path('message'), 'logFilter', trigger.filter)];
    return { all: [source, { any: groups }, ...filter] };
  }
  return {
    all: [
      source,
      trigger.events.includes('*')
        ? on('event', path('name'), 'exists', true)
        : on('event', path('name'), 'in', trigger.events),
      ...(trigger.eventSource === undefined
        ? []
        : [on('event', path('eventSource'), 'equal', trigger.eventSource)]),
      ...(trigger.includeFailedCalls === true ? [] : [on('event', path('error'), 'absent', true)]),
      ...Object.entries(trigger.match ?? {}).map(([field, values]) =>
        on('record', path(field), 'triggerMatch', values),
      ),
    ],
  };
}

/** json-rules-engine as people use it: one Engine, every rule, the custom operators added. */
export function baselineEngine(rules: readonly CompiledRule[]): Engine {
  const engine = new Engine([], { allowUndefinedFacts: false });
  for (const operator of engineOperators(new Operators(namedLists))) engine.addOperator(operator);
  engine.addOperator(
    new Operator('logFilter', (message: unknown, filter: string) =>
      compileLogFilter(filter).matches(typeof message === 'string' ? message : ''),
    ),
  );
  engine.addOperator(
    new Operator(
      'triggerMatch',
      (value: unknown, patterns: string[]) =>
        typeof value === 'string' && patterns.some((pattern) => matchesValue(pattern, value)),
    ),
  );
  for (const rule of rules) {
    const properties: RuleProperties = {
      name: rule.id,
      conditions: {
        all: [
          { any: rule.document.triggers.map(triggerCondition) },
          rule.document.conditions ?? { all: [] },
        ],
      },
      event: { type: rule.id },
    };
    engine.addRule(properties);
  }
  return engine;
}

export async function baselineFires(engine: Engine, event: StewardEvent): Promise<string[]> {
  const almanac = new Almanac({ allowUndefinedFacts: false });
  for (const [name, value] of Object.entries(eventFacts(event)))
    almanac.addRuntimeFact(name, value);
  for (const fact of lazyFacts.values())
    almanac.addFact(fact.name, () => factStubs[fact.name] ?? null);
  const { results } = await engine.run({}, { almanac });
  return results.map((result) => result.name as string).sort();
}

/** One rule-set size, ready to measure: its rules, events, index and baseline engine built. */
export interface PreparedEvaluation {
  rules: number;
  /** One pass over every event: every code path compiled and every per-rule cache filled. */
  warmUp(): Promise<void>;
  /** One timed pass of steward over every event (the bench runs several, interleaved). */
  timePass(): Promise<Throughput>;
  /** steward's result (the median of the passes timed), the baseline, and the cross-check. */
  measure(passes: readonly Throughput[]): Promise<EvaluationResult>;
}

export function prepareEvaluation(
  size: number,
  options: { events: number; baselineBudgetMs: number; crossCheck: number },
): PreparedEvaluation {
  const rules = compileRules(ruleDocuments(size));
  const events = eventStream(options.events, size);
  const ruleIndex = new RuleIndex(rules);
  const evaluate = async (event: StewardEvent) => {
    for (const verdict of await ruleIndex.match(event, { stubs: factStubs })) {
      if (verdict.error !== undefined) throw new Error(`${verdict.rule.id}: ${verdict.error}`);
    }
  };
  return {
    rules: size,
    warmUp: async () => {
      for (const event of events) await evaluate(event);
    },
    timePass: () => timeEach(events, evaluate),
    measure: async (passes) => {
      const steward = medianPass(passes);
      let candidates = 0;
      let fires = 0;
      for (const event of events) {
        candidates += candidatesOf(ruleIndex, event).length;
        for (const verdict of await ruleIndex.match(event, { stubs: factStubs }))
          if (verdict.fires) fires += 1;
      }

      const engine = baselineEngine(rules);
      await baselineFires(engine, events[0] as StewardEvent);
      const baseline = await timeEach(events, (event) => baselineFires(engine, event), {
        budgetMs: options.baselineBudgetMs,
        minimum: 3,
      });

      let disagreements = 0;
      const checked = events.slice(0, Math.min(options.crossCheck, baseline.count));
      for (const event of checked) {
        const verdicts = await ruleIndex.match(event, { stubs: factStubs });
        const ours = verdicts
          .filter((verdict) => verdict.fires)
          .map((verdict) => verdict.rule.id)
          .sort();
        const theirs = await baselineFires(engine, event);
        if (ours.join() !== theirs.join()) disagreements += 1;
      }
      return {
        rules: size,
        steward: {
          ...steward,
          passes: passes.map((pass) => Math.round(pass.perSecond)),
          candidatesPerEvent: candidates / events.length,
          firesPerEvent: fires / events.length,
        },
        baseline,
        ratio: steward.perSecond / baseline.perSecond,
        crossChecked: { events: checked.length, disagreements },
      };
    },
  };
}

/** The pass with the median throughput: one disturbed pass moves neither it nor a ratio. */
function medianPass(passes: readonly Throughput[]): Throughput {
  const sorted = [...passes].sort((a, b) => a.perSecond - b.perSecond);
  const median = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!median) throw new Error('no timed pass to report');
  return median;
}
