/**
 * What `RuleIndex.match` does for an event, counted for the bench and the index's tests: the
 * rules it reaches (`candidates`) and the work behind them (`lookupWork`). Nothing in steward
 * itself needs these lists; `match` walks the same structures without making them.
 */
import { listens } from '../src/rules/index/listings.js';
import type { CompiledRule } from '../src/rules/rule.js';
import type { RuleIndex } from '../src/rules/rule-index.js';
import { inScope } from '../src/rules/scope.js';
import type { StewardEvent } from '../src/sources/steward-event.js';

/** What `match` takes for one event. */
export interface LookupWork {
  /** Rules whose triggers match the event. */
  listeners: number;
  /** Keys the event is looked up by (index prerequisites' facts and paths). */
  prerequisiteKeys: number;
  /** Rules the lookup reaches, which `match` then checks and evaluates. */
  candidates: number;
  /** Candidates that first test the record or message (a trigger's `match`, a filter pattern). */
  triggerTests: number;
}

/**
 * The rules that can match the event, each once, in pack order: those whose triggers match
 * it, less those whose scope leaves it out and those missing an index prerequisite.
 *
 * @example
 * candidates(index, event).map((rule) => rule.id); // ['root-calls']
 */
export function candidates(index: RuleIndex, event: StewardEvent): CompiledRule[] {
  const listing = index.listings.of(event);
  return listing
    .narrowed(index.pack)
    .candidates(event)
    .filter(
      ({ rule, tests }) => (!rule.scope || inScope(rule.scope, event)) && listens(tests, event),
    )
    .map(({ rule }) => rule);
}

/**
 * The work `match` takes for the event: an event's cost follows these counts, not the number
 * of rules loaded (`npm run bench:phases` shows both).
 *
 * @example
 * lookupWork(index, event); // { listeners: 11, prerequisiteKeys: 2, candidates: 7, triggerTests: 0 }
 */
export function lookupWork(index: RuleIndex, event: StewardEvent): LookupWork {
  const listing = index.listings.of(event);
  const narrowing = listing.narrowed(index.pack);
  const reached = narrowing.candidates(event);
  return {
    listeners: listing.listeners(event).length,
    prerequisiteKeys: narrowing.keys,
    candidates: reached.length,
    triggerTests: reached.filter(({ tests }) => tests !== undefined).length,
  };
}
