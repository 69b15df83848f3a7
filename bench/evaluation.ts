/**
 * Rule evaluation throughput, each mode timed per pass over all its events (no clock read per
 * event): steward's `RuleIndex.match` (lazy facts stubbed, no ledger) on the original
 * generator's decoded events; on realistic CloudTrail records, decoded and from their JSON text,
 * against `JSON.parse` alone on the same texts; and plain json-rules-engine with every rule in
 * one Engine, in the same process.
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
import type { RuleVerdict } from '../src/rules/evaluate.js';
import { Operators } from '../src/rules/conditions/operators.js';
import { engineOperators } from '../src/rules/engine.js';
import type { CompiledRule, Trigger } from '../src/rules/rule.js';
import { RuleIndex } from '../src/rules/rule-index.js';
import type { StewardEvent } from '../src/sources/steward-event.js';
import { normalizeCloudTrailRecord } from '../src/sources/cloudtrail.js';
import { compileRules, eventStream, factStubs, namedLists, ruleDocuments } from './generate.js';
import { median, timeEach, timePass, timeSyncPass, type Throughput } from './measure.js';
import { realisticRecordTexts } from './realistic.js';

/** Events per second of the median pass, and of every pass. */
export interface PassFigures {
  perSecond: number;
  passes: number[];
}
import { candidates as candidatesOf } from './rule-work.js';

export interface EvaluationResult {
  rules: number;
  /**
   * `RuleIndex.match` on decoded events of the original generator: every scoped rule narrowed
   * by account or user equality, values from small pools, events over watched names only.
   */
  generated: PassFigures & { candidatesPerEvent: number; firesPerEvent: number };
  /** The realistic records (`bench/realistic.ts`) against rules scoped the `varied` way. */
  realistic: {
    /** `RuleIndex.match` on the records decoded beforehand. */
    decoded: PassFigures;
    /** From JSON text to verdicts: `JSON.parse`, `normalizeCloudTrailRecord`, `match`. */
    raw: PassFigures;
    /** `JSON.parse` alone on the same texts: the floor. */
    floor: PassFigures;
    /** Raw over floor throughput: the median of the rounds' ratios, each of adjacent passes. */
    rawOfFloor: number;
    firesPerEvent: number;
  };
  baseline: Throughput;
  /** steward's events per second (generated events) over json-rules-engine's. */
  ratio: number;
  /** Events both evaluated, and how many of them fired a different set of rules. */
  crossChecked: { events: number; disagreements: number };
}

/** One round's passes of a size: events per second of each mode. */
export interface RoundPasses {
  generated: number;
  decoded: number;
  raw: number;
  floor: number;
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
  if (trigger.source !== 'cloudtrail')
    throw new Error(`the bench generates no ${trigger.source} trigger`);
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

/** One rule-set size, ready to measure: its rules, events, indexes and baseline engine built. */
export interface PreparedEvaluation {
  rules: number;
  /** One untimed pass of every mode: every code path compiled and every per-rule cache filled. */
  warmUp(): Promise<void>;
  /** One timed pass of each mode, the floor beside the raw mode (the bench runs several rounds). */
  timeRound(): Promise<RoundPasses>;
  /** The median passes, the baseline, and the cross-check. */
  measure(rounds: readonly RoundPasses[]): Promise<EvaluationResult>;
}

function decodedRecord(text: string): StewardEvent {
  const decoded = normalizeCloudTrailRecord(JSON.parse(text), 'direct', 'bench record');
  if (!('raw' in decoded)) throw new Error(`a bench record did not decode: ${decoded.message}`);
  return decoded;
}

function checked(verdicts: readonly RuleVerdict[]): void {
  for (const verdict of verdicts)
    if (verdict.error !== undefined) throw new Error(`${verdict.rule.id}: ${verdict.error}`);
}

/** `matchNow`'s verdicts checked: at once when they are there, else when they come. */
function settled(found: RuleVerdict[] | Promise<RuleVerdict[]>): void | Promise<void> {
  return Array.isArray(found) ? checked(found) : found.then(checked);
}

/** The realistic records every size reads: their JSON texts, and the same records decoded. */
export interface RealisticInput {
  texts: readonly string[];
  events: readonly StewardEvent[];
}

/**
 * `count` realistic records, made once for every size, so the sizes read the same texts and
 * the process holds one copy.
 *
 * @example
 * const input = realisticInput(20_000);
 */
export function realisticInput(count: number): RealisticInput {
  const texts = realisticRecordTexts(count);
  return { texts, events: texts.map(decodedRecord) };
}

export function prepareEvaluation(
  size: number,
  options: { events: number; baselineBudgetMs: number; crossCheck: number },
  realistic: RealisticInput,
): PreparedEvaluation {
  const rules = compileRules(ruleDocuments(size));
  const events = eventStream(options.events, size);
  const ruleIndex = new RuleIndex(rules);
  const { texts, events: realisticEvents } = realistic;
  const variedIndex = new RuleIndex(compileRules(ruleDocuments(size, undefined, 'varied')));
  const generated = async (event: StewardEvent) =>
    checked(await ruleIndex.match(event, { stubs: factStubs }));
  // The realistic records one at a time, as a caller going through many takes them (the
  // backtest): the verdicts at once from `matchNow`, awaited only when one waits on a lazy
  // fact or json-rules-engine. Awaiting `match` instead costs a microtask per record (0.25 µs,
  // measured), which the floor does not pay.
  const stubbed = { stubs: factStubs };
  const decoded = (event: StewardEvent) => settled(variedIndex.matchNow(event, stubbed));
  const raw = (text: string) => settled(variedIndex.matchNow(decodedRecord(text), stubbed));
  const floor = (text: string): unknown => JSON.parse(text);
  const firesOf = async (index: RuleIndex, of: readonly StewardEvent[]) => {
    let fires = 0;
    for (const event of of)
      for (const verdict of await index.match(event, { stubs: factStubs }))
        if (verdict.fires) fires += 1;
    return fires / of.length;
  };
  return {
    rules: size,
    warmUp: async () => {
      for (const event of events) await generated(event);
      await timePass(realisticEvents, decoded);
      await timePass(texts, raw);
      timeSyncPass(texts, floor);
    },
    timeRound: async () => {
      const floorPass = timeSyncPass(texts, floor);
      const rawPass = await timePass(texts, raw);
      return {
        floor: floorPass,
        raw: rawPass,
        decoded: await timePass(realisticEvents, decoded),
        generated: await timePass(events, generated),
      };
    },
    measure: async (rounds) => {
      let candidates = 0;
      for (const event of events) candidates += candidatesOf(ruleIndex, event).length;

      const engine = baselineEngine(rules);
      await baselineFires(engine, events[0] as StewardEvent);
      const baseline = await timeEach(events, (event) => baselineFires(engine, event), {
        budgetMs: options.baselineBudgetMs,
        minimum: 3,
      });

      let disagreements = 0;
      const crossChecked = events.slice(0, Math.min(options.crossCheck, baseline.count));
      for (const event of crossChecked) {
        const verdicts = await ruleIndex.match(event, { stubs: factStubs });
        const ours = verdicts
          .filter((verdict) => verdict.fires)
          .map((verdict) => verdict.rule.id)
          .sort();
        const theirs = await baselineFires(engine, event);
        if (ours.join() !== theirs.join()) disagreements += 1;
      }
      const figures = (mode: keyof RoundPasses): PassFigures => ({
        perSecond: median(rounds.map((round) => round[mode])),
        passes: rounds.map((round) => Math.round(round[mode])),
      });
      const generatedFigures = figures('generated');
      return {
        rules: size,
        generated: {
          ...generatedFigures,
          candidatesPerEvent: candidates / events.length,
          firesPerEvent: await firesOf(ruleIndex, events),
        },
        realistic: {
          decoded: figures('decoded'),
          raw: figures('raw'),
          floor: figures('floor'),
          rawOfFloor: median(rounds.map((round) => round.raw / round.floor)),
          firesPerEvent: await firesOf(variedIndex, realisticEvents),
        },
        baseline,
        ratio: generatedFigures.perSecond / baseline.perSecond,
        crossChecked: { events: crossChecked.length, disagreements },
      };
    },
  };
}
