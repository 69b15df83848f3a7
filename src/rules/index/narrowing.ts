import type { StewardEvent } from '../../sources/steward-event.js';
import { allBut } from '../conditions/compile.js';
import type { FactValues } from '../conditions/fact-values.js';
import type { ConditionPack } from '../conditions/pack.js';
import type { RuleVerdict } from '../evaluate.js';
import type { CompiledRule } from '../rule.js';
import { scopeLeft, type RuleScope } from '../scope.js';
import type { ListedRule, TriggerTest } from './listings.js';
import {
  conditionPrerequisites,
  scopePrerequisites,
  type IndexPrerequisite,
} from './prerequisites.js';

/** A rule of a listing, ready to be run for an event that reaches it. */
export interface Candidate {
  rule: CompiledRule;
  position: number;
  /** Its trigger tests: the rule listens when one holds (absent: always). */
  tests?: readonly TriggerTest[];
  /** What is left of its scope to check (absent: nothing). */
  scope?: RuleScope;
  /**
   * Its conditions less the prerequisite it was found by, when they cannot fail and read no
   * lazy fact; absent when the rule's verdict must come from `EventEvaluation.verdict`.
   */
  condition?: (values: FactValues) => unknown;
  /** Its verdict when it fires. */
  fires: RuleVerdict;
}

/** The candidates filed under one fact and path, by the value an event holds there. */
interface Filing {
  read: (event: StewardEvent) => unknown;
  byValue: Map<unknown, Candidate[]>;
}

/**
 * The fewest rules worth a key of their own: looking a key up for an event costs about what
 * evaluating two rules that fail their first condition does.
 */
const minRulesPerKey = 3;

/**
 * A listing's rules filed by their index prerequisites, the way AWS Event Ruler matches: an
 * event is looked up by the value it holds at each key rules were filed under (an account, a
 * user name), and reaches only the rules that can match it, plus those filed under none. Its
 * cost follows the rules that can match it, not the rules listening.
 *
 * @example
 * const narrowing = new Narrowing(listing.rules, pack);
 * narrowing.candidates(event); // in pack order
 */
export class Narrowing {
  /** The rules every event of the listing reaches. */
  private readonly everyEvent: Candidate[] = [];
  private readonly filings: Filing[] = [];

  constructor(rules: readonly ListedRule[], pack: ConditionPack) {
    const prerequisites = new Map(
      rules.map(({ rule }) => [
        rule,
        [
          ...(rule.scope ? scopePrerequisites(rule.scope) : []),
          ...conditionPrerequisites(rule, pack),
        ],
      ]),
    );
    const chosen = choose(rules, prerequisites);
    const filings = new Map<string, Filing>();
    for (const listed of rules) {
      const prerequisite = chosen.get(listed.rule);
      const candidate = candidateOf(listed, pack, prerequisite);
      if (!prerequisite) {
        this.everyEvent.push(candidate);
        continue;
      }
      let filing = filings.get(prerequisite.key);
      if (!filing) {
        filing = { read: prerequisite.read, byValue: new Map() };
        filings.set(prerequisite.key, filing);
      }
      for (const value of prerequisite.values) {
        const filed = filing.byValue.get(value);
        if (filed) filed.push(candidate);
        else filing.byValue.set(value, [candidate]);
      }
    }
    this.filings = [...filings.values()];
  }

  /** How many keys an event is looked up by. */
  get keys(): number {
    return this.filings.length;
  }

  /** The rules the event can reach, in pack order: each filed under one value, so once. */
  candidates(event: StewardEvent): readonly Candidate[] {
    let found: readonly Candidate[] = this.everyEvent;
    let merged = false;
    for (const filing of this.filings) {
      const filed = filing.byValue.get(filing.read(event));
      if (filed === undefined) continue;
      if (found.length === 0) found = filed;
      else {
        found = [...found, ...filed];
        merged = true;
      }
    }
    return merged ? [...found].sort((a, b) => a.position - b.position) : found;
  }
}

function candidateOf(
  { rule, position, tests }: ListedRule,
  pack: ConditionPack,
  filedUnder: IndexPrerequisite | undefined,
): Candidate {
  const conditions = pack.of(rule);
  const compiled = conditions.compiled;
  const runs = compiled !== undefined && compiled.total && compiled.lazy.size === 0;
  // Filed under a dimension of its scope, a rule checks only the other.
  const scope =
    rule.scope && filedUnder?.dimension ? scopeLeft(rule.scope, filedUnder.dimension) : rule.scope;
  return {
    rule,
    position,
    fires: conditions.fires,
    ...(tests ? { tests } : {}),
    ...(scope ? { scope } : {}),
    ...(runs ? { condition: allBut(compiled, filedUnder?.child ?? -1) } : {}),
  };
}

/**
 * The prerequisite each rule is filed under: its most selective (the values fewest rules of
 * the listing share), among keys that enough rules are filed under to be worth a lookup.
 */
function choose(
  rules: readonly ListedRule[],
  prerequisites: ReadonlyMap<CompiledRule, readonly IndexPrerequisite[]>,
): Map<CompiledRule, IndexPrerequisite | undefined> {
  const sharing = new Map<string, number>();
  const keysOf = (prerequisite: IndexPrerequisite) =>
    prerequisite.values.map((value) => `${prerequisite.key}\u0000${typeof value}:${String(value)}`);
  for (const found of prerequisites.values())
    for (const prerequisite of found)
      for (const key of keysOf(prerequisite)) sharing.set(key, (sharing.get(key) ?? 0) + 1);
  const share = (prerequisite: IndexPrerequisite) =>
    keysOf(prerequisite).reduce((sum, key) => sum + (sharing.get(key) ?? 0), 0);
  const mostSelective = (found: readonly IndexPrerequisite[]) =>
    found.reduce<IndexPrerequisite | undefined>(
      (best, each) => (best === undefined || share(each) < share(best) ? each : best),
      undefined,
    );
  const chosen = new Map(
    rules.map(({ rule }) => [rule, mostSelective(prerequisites.get(rule) ?? [])]),
  );
  // A key is read for every event: one that few rules are filed under costs more than
  // evaluating those rules, which then go under another of their prerequisites, or none.
  for (let moved = true; moved;) {
    moved = false;
    const filed = new Map<string, number>();
    for (const prerequisite of chosen.values())
      if (prerequisite) filed.set(prerequisite.key, (filed.get(prerequisite.key) ?? 0) + 1);
    for (const [rule, prerequisite] of chosen) {
      if (!prerequisite || (filed.get(prerequisite.key) ?? 0) >= minRulesPerKey) continue;
      const others = (prerequisites.get(rule) ?? []).filter(
        (other) => (filed.get(other.key) ?? 0) >= minRulesPerKey,
      );
      chosen.set(rule, mostSelective(others));
      moved = true;
    }
  }
  return chosen;
}
