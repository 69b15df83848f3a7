import type { StewardEvent } from '../../sources/steward-event.js';
import type { Evaluate } from '../conditions/compile.js';
import type { ConditionPack, RuleConditions } from '../conditions/pack.js';
import type { RuleVerdict } from '../evaluate.js';
import type { CompiledRule } from '../rule.js';
import { scopeLeft, type RuleScope } from '../scope.js';
import type { ListedRule, TriggerTest } from './listings.js';
import { PrefixFiling } from './prefixes.js';
import {
  conditionPrerequisites,
  scopePrerequisites,
  type IndexPrerequisite,
} from './prerequisites.js';

/** A rule of a listing, ready to be run for an event that reaches it. */
export interface Candidate {
  rule: CompiledRule;
  position: number;
  /** Its trigger tests: the rule listens when one holds (undefined: always). */
  tests: readonly TriggerTest[] | undefined;
  /** What is left of its scope to check (undefined: nothing). */
  scope: RuleScope | undefined;
  /**
   * Its conditions less the prerequisite it was found by, as checks that must all hold, when
   * they cannot fail and read no lazy fact; undefined when the rule's verdict must come from
   * `EventEvaluation.verdict`.
   */
  checks: readonly Evaluate[] | undefined;
  /** Its verdict when it fires. */
  fires: RuleVerdict;
  /** What the pack compiled for it. */
  conditions: RuleConditions;
  /**
   * The next candidate of its run, in pack order. A run is a chain rather than an array: an
   * event reads it straight from the lookup, with no array between.
   */
  next: Candidate | undefined;
}

/** The candidates filed under one fact and path, reached by what an event holds there. */
interface Filing {
  visit(event: StewardEvent, visitor: { run(first: Candidate): void }): void;
}

/** Candidates filed by the value an event holds (`equal`, `in`, a scope). */
class ValueFiling implements Filing {
  constructor(
    private readonly read: (event: StewardEvent) => unknown,
    private readonly byValue: ReadonlyMap<unknown, Candidate>,
  ) {}

  visit(event: StewardEvent, visitor: { run(first: Candidate): void }): void {
    const filed = this.byValue.get(this.read(event));
    if (filed !== undefined) visitor.run(filed);
  }
}

/**
 * The fewest rules worth a key of their own: looking a key up for an event costs about what
 * evaluating two rules that fail their first condition does.
 */
const minRulesPerKey = 3;

/**
 * A listing's rules filed by their index prerequisites, the way AWS Event Ruler matches: an
 * event is looked up by the value it holds at each key rules were filed under (an account, a
 * user name, the start of a role's ARN: `prefixes.ts`), and reaches only the rules that can
 * match it, plus those filed under none. Its
 * cost follows the rules that can match it, not the rules listening.
 *
 * @example
 * const narrowing = new Narrowing(listing.rules, pack);
 * narrowing.candidates(event); // in pack order
 */
export class Narrowing {
  /** The rules every event of the listing reaches. */
  private readonly everyEvent: Candidate | undefined;
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
    // Rules by key and value first, so the candidates of one run are made (and lie) together:
    // an event reaches one run per key, and reads its candidates one after the other.
    const everyEvent: ListedRule[] = [];
    const plan = new Map<
      string,
      { read: IndexPrerequisite['read']; prefixes: boolean; byValue: Map<unknown, ListedRule[]> }
    >();
    for (const listed of rules) {
      const prerequisite = chosen.get(listed.rule);
      if (!prerequisite) {
        everyEvent.push(listed);
        continue;
      }
      let filing = plan.get(prerequisite.key);
      if (!filing) {
        filing = {
          read: prerequisite.read,
          prefixes: prerequisite.prefixes === true,
          byValue: new Map(),
        };
        plan.set(prerequisite.key, filing);
      }
      for (const value of prerequisite.values) {
        const filed = filing.byValue.get(value);
        if (filed) filed.push(listed);
        else filing.byValue.set(value, [listed]);
      }
    }
    const chain = (run: readonly ListedRule[]) =>
      run.reduceRight<Candidate | undefined>(
        (next, listed) => candidateOf(listed, pack, chosen.get(listed.rule), next),
        undefined,
      );
    this.everyEvent = chain(everyEvent);
    for (const { read, prefixes, byValue } of plan.values()) {
      const runs = new Map<unknown, Candidate>();
      for (const [value, run] of byValue) runs.set(value, chain(run) as Candidate);
      this.filings.push(
        prefixes
          ? new PrefixFiling(read, runs as Map<string, Candidate>)
          : new ValueFiling(read, runs),
      );
    }
  }

  /** How many keys an event is looked up by. */
  get keys(): number {
    return this.filings.length;
  }

  /**
   * Hands `visitor` each run of candidates the event reaches, each run in pack order: the rules
   * every event reaches, then those filed under the event's value at each key (under each
   * prefix it starts with). A rule is filed under one key and one value or prefix, so no rule
   * comes twice; merging the runs is left to whoever needs one list.
   */
  visit(event: StewardEvent, visitor: { run(first: Candidate): void }): void {
    if (this.everyEvent !== undefined) visitor.run(this.everyEvent);
    for (const filing of this.filings) filing.visit(event, visitor);
  }

  /** The rules the event can reach, as one list in pack order. */
  candidates(event: StewardEvent): readonly Candidate[] {
    let found: readonly Candidate[] = [];
    this.visit(event, {
      run: (first) => {
        const filed: Candidate[] = [];
        for (let candidate: Candidate | undefined = first; candidate; candidate = candidate.next)
          filed.push(candidate);
        found = found.length === 0 ? filed : merge(found, filed);
      },
    });
    return found;
  }
}

/** Two runs of candidates in pack order, merged (they share no rule). */
function merge(a: readonly Candidate[], b: readonly Candidate[]): Candidate[] {
  const merged = new Array<Candidate>(a.length + b.length);
  let i = 0;
  let j = 0;
  for (let at = 0; at < merged.length; at++) {
    const left = a[i];
    const right = b[j];
    if (right === undefined || (left !== undefined && left.position < right.position)) {
      merged[at] = left as Candidate;
      i++;
    } else {
      merged[at] = right;
      j++;
    }
  }
  return merged;
}

function candidateOf(
  { rule, position, tests }: ListedRule,
  pack: ConditionPack,
  filedUnder: IndexPrerequisite | undefined,
  next: Candidate | undefined,
): Candidate {
  const conditions = pack.of(rule);
  const compiler = pack.compiler(rule.lists);
  const compiled = conditions.compiled;
  const runs = compiled !== undefined && compiled.total && compiled.lazy.size === 0;
  // Filed under a dimension of its scope, a rule checks only the other.
  const scope =
    rule.scope && filedUnder?.dimension ? scopeLeft(rule.scope, filedUnder.dimension) : rule.scope;
  // Every candidate has every field, so the loop reading them sees one object shape.
  return {
    rule,
    position,
    fires: conditions.fires,
    conditions,
    tests,
    scope,
    checks: runs ? compiler.checks(compiled, filedUnder?.child ?? -1) : undefined,
    next,
  };
}

/**
 * The prerequisite each rule is filed under: its most selective (the values fewest rules of
 * the listing share; a prefix counts as a value), among keys that enough rules are filed under
 * to be worth a lookup.
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
