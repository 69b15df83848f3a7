import type { StewardEvent } from '../sources/steward-event.js';
import {
  evaluateRules,
  EventEvaluation,
  eventTestLeaf,
  failedVerdict,
  gatedProgram,
  ruleGuards,
  ruleProgram,
  settled,
  type EvaluationOptions,
  type RuleGuard,
  type RuleVerdict,
} from './evaluate.js';
import { compileLogFilter } from './log-filter.js';
import { matchesValue } from './match-value.js';
import type { CloudTrailTrigger, CompiledRule } from './rule.js';
import { inScope, scopeGuards, scopeLeft, type RuleScope, type ScopeGuard } from './scope.js';

/**
 * The rules listening to one kind of event (an EC2 state, an event name from one service, a
 * log group with the filters its message meets), shared by every event of that kind, and how
 * to narrow them by what an event holds (worked out for the first event that needs it).
 */
interface Listing {
  rules: readonly CompiledRule[];
  /** False when the list was made for one event only (a bounded cache was full). */
  shared: boolean;
  /**
   * Where the listing's narrowing starts in the index's pool (see `RuleIndex.entries`), -1
   * until the first event that needs it: the listeners filed by their guards, in one block.
   */
  block: number;
  /**
   * The rules that listen only through triggers testing the record or message, with those
   * tests' leaf ids (see `gatedProgram`): their programs run a test first.
   */
  tested?: ReadonlyMap<CompiledRule, readonly number[]>;
}

/**
 * A fact and path rules are filed under, read once per event, and its values' ids, shared by
 * every listing: this Map is used by every event, so it stays in the CPU's caches, and the
 * listings key their (cold) tables by small ints instead of strings to compare.
 */
interface GuardKey {
  read: (event: StewardEvent) => unknown;
  ids: Map<unknown, number>;
}

/** Triggers of one bucket that look at more than the key, grouped by what they test. */
interface Test {
  /** The rules (pack positions) the test adds when the event meets it. */
  positions: number[];
  meets(event: StewardEvent): boolean;
}

/**
 * What an event of one kind reaches before its record or message is read: the listing of the
 * rules decided by the key alone (the state is that listing, one object to read), the tests
 * that add more, and the listings for each combination of tests met.
 */
interface KeyState extends Listing {
  tests: Test[];
  /** By which tests the event met: a bit per test, or their positions when there are many. */
  combinations: Map<number | string, Listing>;
  /**
   * What `match` reads: every rule the key reaches, whatever the tests, the tested ones gated
   * by their tests. One block per key, and an event runs a test only for a rule its guards
   * let through. The state itself when it has no tests.
   */
  folded: Listing;
}

/** Bounds each cache of lists: keys come from events, and events come from outside. */
const maxCachedLists = 256;

const noRules: Listing = { rules: Object.freeze([]), shared: true, block: -1 };

/**
 * The fewest rules worth a key of their own in a listing: looking a key up for an event costs
 * about what evaluating two rules that fail their first condition does.
 */
const minRulesPerKey = 3;

/** A run of entries in the pool: its length, then a rule's position and program per entry. */
const entryWords = 2;
/**
 * The program of a rule that does not run as one (see `ruleProgram`) nor has a test. A rule
 * that does not run as a program but has a test has the offset of the test's code `at` stored
 * as `-2 - at`, and is evaluated when the test holds.
 */
const noProgram = -1;

/** An Int32Array growing as words are appended: compact and contiguous, so cheap to read cold. */
class Words {
  array = new Int32Array(1024);
  length = 0;

  append(words: readonly number[]): number {
    const at = this.length;
    if (at + words.length > this.array.length) {
      const grown = new Int32Array(Math.max(this.array.length * 2, at + words.length));
      grown.set(this.array);
      this.array = grown;
    }
    this.array.set(words, at);
    this.length += words.length;
    return at;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** The trigger's `match`: each dotted path of the record holds one of its values. */
function recordMatcher(match: Record<string, string[]>): (event: StewardEvent) => boolean {
  const paths = Object.entries(match).map(([path, values]) => [path.split('.'), values] as const);
  return (event) =>
    paths.every(([keys, values]) => {
      let value: unknown = event.raw;
      for (const key of keys) {
        value =
          value !== null && typeof value === 'object'
            ? (value as Record<string, unknown>)[key]
            : undefined;
      }
      return typeof value === 'string' && values.some((pattern) => matchesValue(pattern, value));
    });
}

function logMessage(event: StewardEvent): string {
  const raw = event.raw as { message?: unknown } | null;
  return raw !== null && typeof raw === 'object' && typeof raw.message === 'string'
    ? raw.message
    : '';
}

/** One key of a `match`, the same whatever the order its paths were written in. */
function matchKey(match: Record<string, string[]>): string {
  return JSON.stringify(Object.entries(match).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The rules, indexed by their triggers and then by the values their conditions require, the
 * way AWS Event Ruler matches: an event is looked up by its source and name (its listeners),
 * then by the value it holds at each path rules test with `equal` or `in` (an account, a user
 * name), and is evaluated only against the rules that can match it. Its cost follows the rules
 * that can match it, not the rules loaded. Events of the same kind (state, event name and
 * service, log group) share one listener list and its lookups, worked out once.
 *
 * @example
 * const ruleIndex = new RuleIndex(await loadRules('rules'));
 * for (const { rule, error } of await ruleIndex.match(event, { clients }))
 *   console.log(rule.id, error ?? 'fires');
 */
export class RuleIndex {
  readonly rules: readonly CompiledRule[];
  /** Each rule's first position in the pack. */
  private readonly positions = new Map<CompiledRule, number>();
  private readonly ec2States = new Map<string, Listing>();
  /** For calls that succeeded, then for failed calls: by event name, then by `eventSource`. */
  private readonly cloudTrail: readonly [
    Map<string, Map<string, KeyState>>,
    Map<string, Map<string, KeyState>>,
  ] = [new Map(), new Map()];
  private readonly cloudTrailEntries = new Map<
    string,
    { rule: CompiledRule; trigger: CloudTrailTrigger }[]
  >();
  /** Triggers with `events: ['*']`, which every CloudTrail event is checked against. */
  private readonly cloudTrailAnyEvent: { rule: CompiledRule; trigger: CloudTrailTrigger }[] = [];
  private readonly logGroups = new Map<string, LogsTrigger[]>();
  /** Prefix triggers (`/aws/lambda/*`) by prefix length, then by prefix. */
  private readonly logGroupPrefixes = new Map<number, Map<string, LogsTrigger[]>>();
  private readonly logStates = new Map<string, KeyState>();
  /** The listings' narrowings: blocks of key tables, runs of (position, program), programs. */
  private readonly entries = new Words();
  /** The rules' programs (see `ruleProgram`), each once per guard it can leave out. */
  private readonly programs = new Map<string, number[] | null>();
  private readonly testFunctions = new Map<string, (event: StewardEvent) => boolean>();
  private readonly guardKeys = new Map<string, GuardKey>();
  /** The same keys, by number (as a listing's block names them). */
  private readonly keyList: GuardKey[] = [];
  /** Where the entries of one event's rules are merged (used synchronously, then reused). */
  private found = new Int32Array(256);
  /** Each rule's verdict when it fires without an error, by position. */
  private readonly firing: RuleVerdict[] = [];
  /** Each rule's guards: its conditions' (`ruleGuards`), then its scope's. */
  private readonly guardLists = new Map<CompiledRule, readonly RuleGuard[]>();

  constructor(rules: readonly CompiledRule[]) {
    this.rules = rules;
    rules.forEach((rule, position) => {
      if (!this.positions.has(rule)) this.positions.set(rule, position);
    });
    const ec2 = new Map<string, CompiledRule[]>();
    for (const rule of rules) {
      for (const trigger of rule.document.triggers) {
        if (trigger.source === 'ec2-state') {
          for (const state of trigger.states) push(ec2, state, rule);
        } else if (trigger.source === 'cloudtrail') {
          for (const name of trigger.events) {
            if (name === '*') this.cloudTrailAnyEvent.push({ rule, trigger });
            else push(this.cloudTrailEntries, name, { rule, trigger });
          }
        } else {
          const entry: LogsTrigger = { rule, pattern: trigger.filter };
          for (const group of trigger.logGroups) {
            if (group.endsWith('*')) {
              const prefix = group.slice(0, -1);
              let byPrefix = this.logGroupPrefixes.get(prefix.length);
              if (!byPrefix) {
                byPrefix = new Map();
                this.logGroupPrefixes.set(prefix.length, byPrefix);
              }
              push(byPrefix, prefix, entry);
            } else push(this.logGroups, group, entry);
          }
        }
      }
    }
    for (const [state, found] of ec2) this.ec2States.set(state, this.listing(found, true));
  }

  /**
   * The rules that can match the event, each once, in rule-pack order: those whose triggers
   * match it, less those whose scope leaves it out and those needing (with `equal` or `in`) a
   * value the event does not hold. The list may be shared with other events, and is then
   * frozen: copy it to change it.
   */
  candidates(event: StewardEvent): readonly CompiledRule[] {
    return this.candidatesIn(this.listingOf(event, this.keyStateOf(event)), event);
  }

  /** The listing's rules the event can match (see `candidates`). */
  private candidatesIn(listing: Listing, event: StewardEvent): readonly CompiledRule[] {
    if (listing.rules.length === 0) return listing.rules;
    if (!listing.shared) {
      return listing.rules.some((rule) => rule.scope !== undefined)
        ? listing.rules.filter((rule) => rule.scope === undefined || inScope(rule.scope, event))
        : listing.rules;
    }
    const count = this.narrowed(listing, event);
    const entries = this.entries.array;
    const found = this.found;
    const rules: CompiledRule[] = [];
    for (let i = 0; i < count; i++) {
      const rule = this.rules[entries[found[i] as number] as number] as CompiledRule;
      if (rule.scope === undefined || inScope(rule.scope, event)) rules.push(rule);
    }
    return rules;
  }

  /**
   * The verdicts of the rules the event fires, and of those that could not be evaluated (with
   * their error), in pack order: what `evaluateRules` on `candidates(event)` gives, less the
   * rules that evaluate to false. A rule is run as a program that leaves out the guard the
   * event was looked up by, which is known to hold; a rule listening through a trigger that
   * tests the record or line (a `match`, a filter pattern) tests it first, and only once its
   * guards have let it through. A rule that does not fire costs no verdict, which at thousands
   * of rules is a cache miss saved per candidate.
   */
  match(event: StewardEvent, options: EvaluationOptions = {}): Promise<RuleVerdict[]> {
    const state = this.keyStateOf(event);
    const listing = state ? state.folded : this.ec2Listing(event);
    if (listing.rules === noRules.rules) return Promise.resolve([]);
    if (options.explain === true || !listing.shared) {
      // The state already looked up (and, past the cache bounds, built for this event alone).
      const candidates = this.candidatesIn(this.listingOf(event, state), event);
      return evaluateRules(event, candidates, options).then(keepMatches);
    }
    const count = this.narrowed(listing, event);
    if (count === 0) return Promise.resolve([]);
    const evaluation = new EventEvaluation(event, options);
    const entries = this.entries.array;
    const found = this.found;
    // Programs' verdicts that fire, and every other rule's verdict (or its promise), in order.
    const verdicts: (RuleVerdict | Promise<RuleVerdict>)[] = [];
    let others = false;
    for (let slot = 0; slot < count; slot++) {
      const entry = found[slot] as number;
      const position = entries[entry] as number;
      const program = entries[entry + 1] as number;
      try {
        if (program >= 0) {
          if (evaluation.runs(entries, program))
            verdicts.push(this.firing[position] as RuleVerdict);
        } else if (program === noProgram || evaluation.runs(entries, -2 - program)) {
          verdicts.push(evaluation.verdict(this.rules[position] as CompiledRule));
          others = true;
        }
      } catch (error) {
        // Programs are built from conditions that cannot fail, but whatever one rule meets
        // stays that rule's error: the other rules still get their verdicts.
        verdicts.push(failedVerdict(this.rules[position] as CompiledRule, error));
      }
    }
    if (!others) return Promise.resolve(verdicts as RuleVerdict[]);
    return Promise.all(verdicts).then(keepMatches);
  }

  /**
   * Puts the pool offsets of the entries of the rules the event can match into `found`, in
   * pack order, and returns how many there are. `found` is reused by the next event: read it
   * before anything else can narrow.
   */
  private narrowed(listing: Listing, event: StewardEvent): number {
    if (listing.block < 0) listing.block = this.narrowing(listing.rules, listing.tested);
    const entries = this.entries.array;
    const found = this.found;
    const block = listing.block;
    let count = mergeRun(entries, entries[block] as number, found, 0);
    const keys = block + 2 + (entries[block + 1] as number) * 3;
    for (let at = block + 2; at < keys; at += 3) {
      const key = this.keyList[entries[at] as number] as GuardKey;
      const id = key.ids.get(key.read(event));
      if (id === undefined) continue;
      const run = lookUp(entries, entries[at + 1] as number, entries[at + 2] as number, id);
      if (run >= 0) count = mergeRun(entries, run, found, count);
    }
    return count;
  }

  /**
   * The rules whose triggers match the event, each once, in rule-pack order, whatever their
   * scope and conditions (what `steward explain` goes through). Possibly shared and frozen, as
   * above.
   */
  listeners(event: StewardEvent): readonly CompiledRule[] {
    return this.listingOf(event, this.keyStateOf(event)).rules;
  }

  /**
   * The work `match` takes for the event: the guard keys it reads to narrow the rules listening
   * to events of its kind, the rules it then evaluates, and how many of those first run a
   * trigger test on the record or message (a `match`, a filter pattern). An event's cost follows
   * these counts, not the number of rules loaded (`npm run bench:phases` shows both).
   * `listeners` counts the rules whose triggers match the event.
   */
  lookupWork(event: StewardEvent): {
    listeners: number;
    triggerTests: number;
    guardKeys: number;
    candidates: number;
  } {
    const state = this.keyStateOf(event);
    const listeners = this.listingOf(event, state).rules.length;
    const listing = state ? state.folded : this.ec2Listing(event);
    if (!listing.shared || listing.rules === noRules.rules) {
      // `match` then goes through `candidates`, which tests the record against every test.
      return {
        listeners,
        triggerTests: state?.tests.length ?? 0,
        guardKeys: 0,
        candidates: listeners,
      };
    }
    const candidates = this.narrowed(listing, event);
    let triggerTests = 0;
    for (let slot = 0; slot < candidates; slot++) {
      const position = this.entries.array[this.found[slot] as number] as number;
      if (listing.tested?.has(this.rules[position] as CompiledRule)) triggerTests += 1;
    }
    return {
      listeners,
      triggerTests,
      guardKeys: this.entries.array[listing.block + 1] as number,
      candidates,
    };
  }

  /**
   * The state of the event's key (its CloudTrail name, service and outcome, or its log group),
   * whose `folded` listing is what `match` narrows; undefined for an EC2 state change, whose
   * listing is decided by its state alone (`ec2Listing`).
   */
  private keyStateOf(event: StewardEvent): KeyState | undefined {
    if (event.source === 'cloudtrail') return this.cloudTrailState(event);
    return event.source === 'cloudwatch-logs' ? this.logState(event.name) : undefined;
  }

  private ec2Listing(event: StewardEvent): Listing {
    return this.ec2States.get(event.name) ?? noRules;
  }

  /** The rules whose triggers match the event, given its key's state (from `keyStateOf`). */
  private listingOf(event: StewardEvent, state: KeyState | undefined): Listing {
    if (!state) return this.ec2Listing(event);
    if (state.tests.length === 0) return state;
    // Which tests the record or message meets is part of the key: one list per combination.
    const met = testsMet(state.tests, event);
    if (met === 0 || met === '') return state;
    let listing = state.combinations.get(met);
    if (!listing) {
      const added = state.tests.flatMap((test, i) =>
        (typeof met === 'number' ? met & (1 << i) : met.split(',').includes(String(i)))
          ? test.positions
          : [],
      );
      const shared = state.shared && state.combinations.size < maxCachedLists;
      listing = this.listing(
        [...state.rules, ...added.map((position) => this.rules[position] as CompiledRule)],
        shared,
      );
      if (shared) state.combinations.set(met, listing);
    }
    return listing;
  }

  private cloudTrailState(event: StewardEvent): KeyState {
    const failed = event.error !== undefined ? 1 : 0;
    const byName = this.cloudTrail[failed];
    let shared = true;
    let bySource = byName.get(event.name);
    if (!bySource) {
      bySource = new Map();
      if (byName.size < maxCachedLists * 16) byName.set(event.name, bySource);
      else shared = false;
    }
    const eventSource = event.eventSource ?? '';
    let state = bySource.get(eventSource);
    if (!state) {
      if (bySource.size >= maxCachedLists) shared = false;
      state = this.newCloudTrailState(event.name, eventSource, failed, shared);
      if (shared) bySource.set(eventSource, state);
    }
    return state;
  }

  private newCloudTrailState(
    name: string,
    eventSource: string,
    failed: 0 | 1,
    shared: boolean,
  ): KeyState {
    const entries = [...(this.cloudTrailEntries.get(name) ?? []), ...this.cloudTrailAnyEvent];
    const tests = new Map<string, Test>();
    const fixed: CompiledRule[] = [];
    for (const { rule, trigger } of entries) {
      if (trigger.eventSource !== undefined && trigger.eventSource !== eventSource) continue;
      if (failed === 1 && trigger.includeFailedCalls !== true) continue;
      const match = trigger.match;
      if (match === undefined) fixed.push(rule);
      else this.addTest(tests, `match ${matchKey(match)}`, rule, () => recordMatcher(match));
    }
    return this.keyState(this.listing(fixed, shared), tests);
  }

  /** The state of one key: its fixed listing, its tests, and the listing `match` reads. */
  private keyState(fixed: Listing, tests: ReadonlyMap<string, Test>): KeyState {
    const state: KeyState = {
      ...fixed,
      tests: [...tests.values()],
      combinations: new Map(),
      folded: fixed,
    };
    if (tests.size === 0) {
      state.folded = state;
      return state;
    }
    // A rule with a trigger needing no test listens whatever the tests say; the others listen
    // when one of their tests holds.
    const listening = new Set(fixed.rules);
    const tested = new Map<CompiledRule, number[]>();
    for (const [key, test] of tests) {
      const leaf = eventTestLeaf(key, () => test.meets);
      for (const position of test.positions) {
        const rule = this.rules[position] as CompiledRule;
        if (listening.has(rule)) continue;
        const leaves = tested.get(rule);
        if (!leaves) tested.set(rule, [leaf]);
        else if (!leaves.includes(leaf)) leaves.push(leaf);
      }
    }
    state.folded = { ...this.listing([...fixed.rules, ...tested.keys()], fixed.shared), tested };
    return state;
  }

  private logState(group: string): KeyState {
    let state = this.logStates.get(group);
    if (state) return state;
    const entries = [...(this.logGroups.get(group) ?? [])];
    for (const [length, byPrefix] of this.logGroupPrefixes) {
      if (length <= group.length) entries.push(...(byPrefix.get(group.slice(0, length)) ?? []));
    }
    const tests = new Map<string, Test>();
    const fixed: CompiledRule[] = [];
    for (const { rule, pattern } of entries) {
      if (pattern === undefined) fixed.push(rule);
      else
        this.addTest(tests, `filter ${pattern}`, rule, () => {
          const filter = compileLogFilter(pattern);
          return (event) => filter.matches(logMessage(event));
        });
    }
    const shared = this.logStates.size < maxCachedLists * 16;
    state = this.keyState(this.listing(fixed, shared), tests);
    if (shared) this.logStates.set(group, state);
    return state;
  }

  private addTest(
    tests: Map<string, Test>,
    key: string,
    rule: CompiledRule,
    meets: () => (event: StewardEvent) => boolean,
  ): void {
    const position = this.positions.get(rule) ?? 0;
    const test = tests.get(key);
    if (test) test.positions.push(position);
    else {
      // One function per distinct test, shared by every bucket: it stays in the CPU's caches.
      let shared = this.testFunctions.get(key);
      if (!shared) {
        shared = meets();
        this.testFunctions.set(key, shared);
      }
      tests.set(key, { positions: [position], meets: shared });
    }
  }

  /** Each rule once, in rule-pack order, frozen. */
  private listing(found: readonly CompiledRule[], shared: boolean): Listing {
    const unique = [...new Set(found)];
    // Every empty list is the same one, so events no rule listens to are told by a compare.
    if (unique.length === 0) return { ...noRules, shared };
    if (unique.length > 1) {
      unique.sort((a, b) => (this.positions.get(a) ?? 0) - (this.positions.get(b) ?? 0));
    }
    return { rules: Object.freeze(unique), shared, block: -1 };
  }

  private narrowing(
    listeners: readonly CompiledRule[],
    tested?: ReadonlyMap<CompiledRule, readonly number[]>,
  ): number {
    // `found` holds one event's candidates: never more than a listing's listeners.
    if (this.found.length < listeners.length) this.found = new Int32Array(listeners.length * 2);
    // Each rule is filed under its most selective guard: the values fewest rules here share.
    const sharing = new Map<string, number>();
    const keysOf = (guard: RuleGuard) =>
      guard.values.map((value) => `${guard.key}\u0000${typeof value}:${String(value)}`);
    for (const rule of listeners) {
      for (const guard of this.guardsOf(rule)) {
        for (const key of keysOf(guard)) sharing.set(key, (sharing.get(key) ?? 0) + 1);
      }
    }
    const share = (guard: RuleGuard) =>
      keysOf(guard).reduce((sum, key) => sum + (sharing.get(key) ?? 0), 0);
    const mostSelective = (guards: readonly RuleGuard[]) =>
      guards.reduce<RuleGuard | undefined>(
        (best, guard) => (best === undefined || share(guard) < share(best) ? guard : best),
        undefined,
      );
    const chosen = new Map(listeners.map((rule) => [rule, mostSelective(this.guardsOf(rule))]));
    // A key is read and looked up for every event: one that few rules are filed under costs
    // more than evaluating those rules, which then go under another of their guards, or none.
    for (let moved = true; moved;) {
      moved = false;
      const filed = new Map<string, number>();
      for (const guard of chosen.values())
        if (guard) filed.set(guard.key, (filed.get(guard.key) ?? 0) + 1);
      for (const [rule, guard] of chosen) {
        if (!guard || (filed.get(guard.key) ?? 0) >= minRulesPerKey) continue;
        const others = this.guardsOf(rule).filter(
          (other) => (filed.get(other.key) ?? 0) >= minRulesPerKey,
        );
        chosen.set(rule, mostSelective(others));
        moved = true;
      }
    }
    // Runs hold (position, program) pairs; programs are numbered here, placed in the block
    // after the runs, and the pairs then pointed at them.
    const codes: number[][] = [];
    const numbers = new Map<number[], number>();
    const numberOf = (code: number[]) => {
      let number = numbers.get(code);
      if (number === undefined) {
        number = codes.push(code) - 1;
        numbers.set(code, number);
      }
      return number;
    };
    // A rule with trigger tests runs them first: its program gated by them, or (when it does
    // not run as a program) the tests alone, stored as a negative number (see `noProgram`).
    // A scoped rule checks its scope before anything else, so no condition or lazy fact of a
    // rule out of scope runs; filed under a dimension of its scope, it checks only the other.
    const programOf = (rule: CompiledRule, position: number, filedUnder?: RuleGuard) => {
      const code = this.program(rule, position, filedUnder?.child ?? -1);
      const tests = tested?.get(rule);
      const gated = tests ? gatedProgram(tests, code) : code;
      const scope =
        rule.scope && filedUnder && isScopeGuard(filedUnder)
          ? scopeLeft(rule.scope, filedUnder.dimension)
          : rule.scope;
      const scoped = scope ? gatedProgram([scopeLeaf(scope)], gated) : gated;
      if (!scoped) return noProgram;
      return code ? numberOf(scoped) : -2 - numberOf(scoped);
    };
    const everyEvent: number[] = [];
    const keys = new Map<string, { key: GuardKey; byValue: Map<number, number[]> }>();
    for (const [rule, best] of chosen) {
      const position = this.positions.get(rule) ?? 0;
      this.firing[position] = settled(rule, true);
      if (!best) {
        everyEvent.push(position, programOf(rule, position));
        continue;
      }
      let filing = keys.get(best.key);
      if (!filing) {
        filing = { key: this.guardKey(best), byValue: new Map() };
        keys.set(best.key, filing);
      }
      const program = programOf(rule, position, best);
      for (const value of best.values) {
        const id = this.valueId(filing.key, value);
        push(filing.byValue, id, position);
        push(filing.byValue, id, program);
      }
    }
    return this.writeBlock(everyEvent, [...keys.values()], codes);
  }

  /**
   * Appends a listing's narrowing to the pool as one block and returns where it starts: a
   * header (where the every-event run is, then each key and its table), the tables, the runs,
   * then the programs. An event's candidates are then a few nearby cache lines.
   */
  private writeBlock(
    everyEvent: readonly number[],
    filings: readonly { key: GuardKey; byValue: Map<number, number[]> }[],
    codes: readonly number[][],
  ): number {
    const header = 2 + filings.length * 3;
    const tables = filings.map(({ byValue }) => tableSlots(byValue.size));
    const block: number[] = new Array<number>(header).fill(0);
    const base = this.entries.length;
    const tableAt = tables.map((slots) => {
      const at = base + block.length;
      for (let i = 0; i < 2 * slots; i++) block.push(0);
      return at;
    });
    const programSlots: number[] = [];
    const run = (filed: readonly number[]) => {
      const at = base + block.length;
      block.push(filed.length / entryWords);
      for (let i = 0; i < filed.length; i += entryWords) {
        if (filed[i + 1] !== noProgram) programSlots.push(block.length + 1);
        block.push(filed[i] as number, filed[i + 1] as number);
      }
      return at;
    };
    block[0] = run(everyEvent);
    block[1] = filings.length;
    filings.forEach(({ key, byValue }, k) => {
      const slots = tables[k] as number;
      const table = tableAt[k] as number;
      block[2 + 3 * k] = this.keyList.indexOf(key);
      block[3 + 3 * k] = table;
      block[4 + 3 * k] = slots - 1;
      for (const [id, filed] of byValue) {
        const at = run(filed);
        let slot = slotOf(id, slots - 1);
        while (block[table - base + 2 * slot] !== 0) slot = (slot + 1) & (slots - 1);
        block[table - base + 2 * slot] = id + 1;
        block[table - base + 2 * slot + 1] = at;
      }
    });
    const placed = codes.map((code) => {
      const at = base + block.length;
      block.push(...code);
      return at;
    });
    for (const slot of programSlots) {
      const number = block[slot] as number;
      block[slot] = number >= 0 ? (placed[number] as number) : -2 - (placed[-2 - number] as number);
    }
    return this.entries.append(block);
  }

  /**
   * The guards a rule can be filed under. A scoped rule's scope guards hold even when its
   * conditions have none (they read a lazy fact, or can fail): out of scope, it is not evaluated.
   */
  private guardsOf(rule: CompiledRule): readonly RuleGuard[] {
    let guards = this.guardLists.get(rule);
    if (!guards) {
      guards = rule.scope ? [...scopeGuards(rule.scope), ...ruleGuards(rule)] : ruleGuards(rule);
      this.guardLists.set(rule, guards);
    }
    return guards;
  }

  private guardKey(guard: RuleGuard): GuardKey {
    let key = this.guardKeys.get(guard.key);
    if (!key) {
      key = { read: guard.read, ids: new Map() };
      this.guardKeys.set(guard.key, key);
      this.keyList.push(key);
    }
    return key;
  }

  private valueId(key: GuardKey, value: unknown): number {
    let id = key.ids.get(value);
    if (id === undefined) {
      id = key.ids.size;
      key.ids.set(value, id);
    }
    return id;
  }

  /** The rule's program leaving out the guard at `knownTrue`, made once (undefined: none). */
  private program(rule: CompiledRule, position: number, knownTrue: number): number[] | undefined {
    const key = `${position}:${knownTrue}`;
    let code = this.programs.get(key);
    if (code === undefined) {
      code = ruleProgram(rule, knownTrue) ?? null;
      this.programs.set(key, code);
    }
    return code ?? undefined;
  }
}

/** Slots of an open-addressing table for `entries` values: a power of two, at most half full. */
function tableSlots(entries: number): number {
  let slots = 4;
  while (slots < entries * 2) slots *= 2;
  return slots;
}

/** Where value id `id` is first looked for in a table of `mask + 1` slots. */
function slotOf(id: number, mask: number): number {
  const hash = Math.imul(id, 0x9e3779b1);
  return (hash ^ (hash >>> 15)) & mask;
}

/**
 * The run filed under value id `id` in the table at `table` (pairs of id + 1 and run, 0 for an
 * empty slot), or -1.
 */
function lookUp(entries: Int32Array, table: number, mask: number, id: number): number {
  for (let slot = slotOf(id, mask); ; slot = (slot + 1) & mask) {
    const stored = entries[table + 2 * slot] as number;
    if (stored === id + 1) return entries[table + 2 * slot + 1] as number;
    if (stored === 0) return -1;
  }
}

/**
 * Merges the run of entries at `run` into the first `count` of `found` (offsets of entries,
 * ascending by rule position) and returns the new count. A rule is filed under one key and,
 * per event, one value, so the runs share no rule; merging from the back needs no copy.
 */
function mergeRun(entries: Int32Array, run: number, found: Int32Array, count: number): number {
  const length = entries[run] as number;
  let from = run + 1 + (length - 1) * entryWords;
  let at = count - 1;
  for (let to = count + length - 1; from > run; to--) {
    const mine = at >= 0 ? (found[at] as number) : -1;
    if (mine >= 0 && (entries[mine] as number) > (entries[from] as number)) {
      found[to] = mine;
      at--;
    } else {
      found[to] = from;
      from -= entryWords;
    }
  }
  return count + length;
}

function isScopeGuard(guard: RuleGuard): guard is ScopeGuard {
  return 'dimension' in guard;
}

/** The scope as a test programs can run (see `eventTestLeaf`): one leaf per distinct scope. */
function scopeLeaf(scope: RuleScope): number {
  // A dimension the scope leaves out is written `null`: not the `[]` of lists with no member.
  const { accounts, regions } = scope;
  const key = `scope ${JSON.stringify([accounts && [...accounts], regions && [...regions]])}`;
  return eventTestLeaf(key, () => (event) => inScope(scope, event));
}

/** The verdicts that fire or carry an error. */
function keepMatches(verdicts: readonly RuleVerdict[]): RuleVerdict[] {
  return verdicts.filter((verdict) => verdict.fires || verdict.error !== undefined);
}

interface LogsTrigger {
  rule: CompiledRule;
  /** The filter pattern: triggers with the same one are tested once per event. */
  pattern?: string;
}

/** The tests the event meets: a bit per test, or their positions, when over 31, as text. */
function testsMet(tests: readonly Test[], event: StewardEvent): number | string {
  if (tests.length > 31) {
    const met: number[] = [];
    for (let i = 0; i < tests.length; i++) if ((tests[i] as Test).meets(event)) met.push(i);
    return met.join(',');
  }
  let met = 0;
  for (let i = 0; i < tests.length; i++) if ((tests[i] as Test).meets(event)) met |= 1 << i;
  return met;
}
