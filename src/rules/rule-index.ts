import type { StewardEvent } from '../sources/steward-event.js';
import { ruleGuards, type RuleGuard } from './evaluate.js';
import { compileLogFilter } from './log-filter.js';
import { matchesValue } from './match-value.js';
import type { CloudTrailTrigger, CompiledRule } from './rule.js';

/**
 * The rules listening to one kind of event (an EC2 state, an event name from one service, a
 * log group with the filters its message meets), shared by every event of that kind, and how
 * to narrow them by what an event holds (worked out for the first event that needs it).
 */
interface Listing {
  rules: readonly CompiledRule[];
  /** False when the list was made for one event only (a bounded cache was full). */
  shared: boolean;
  narrowing?: Narrowing;
}

/**
 * A listing's rules filed by their guards: each rule with guards under its most selective one
 * (by the value it needs), the others evaluated for every event. Positions are in the pack.
 */
interface Narrowing {
  everyEvent: readonly CompiledRule[];
  everyEventPositions: readonly number[];
  guards: {
    read: (event: StewardEvent) => unknown;
    byValue: Map<unknown, { rules: readonly CompiledRule[]; positions: readonly number[] }>;
  }[];
}

/** Triggers of one bucket that look at more than the key, grouped by what they test. */
interface Test {
  /** The rules (pack positions) the test adds when the event meets it. */
  positions: number[];
  meets(event: StewardEvent): boolean;
}

/**
 * What an event of one kind reaches before its record or message is read: the rules decided by
 * the key alone, the tests that add more, and the lists for each combination of tests met.
 */
interface KeyState {
  fixed: Listing;
  tests: Test[];
  combinations: Map<string, Listing>;
}

/** Bounds each cache of lists: keys come from events, and events come from outside. */
const maxCachedLists = 256;

const noRules: Listing = { rules: Object.freeze([]), shared: true };

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
 * for (const rule of ruleIndex.candidates(event)) console.log(rule.id);
 */
export class RuleIndex {
  readonly rules: readonly CompiledRule[];
  /** Each rule's first position in the pack. */
  private readonly positions = new Map<CompiledRule, number>();
  private readonly ec2States = new Map<string, Listing>();
  /** By event name, then by `eventSource` and whether the call failed. */
  private readonly cloudTrail = new Map<string, Map<string, [KeyState?, KeyState?]>>();
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
  private cachedStates = 0;

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
   * match it, less those needing (with `equal` or `in`) a value the event does not hold. The
   * list may be shared with other events, and is then frozen: copy it to change it.
   */
  candidates(event: StewardEvent): readonly CompiledRule[] {
    const listing = this.listingOf(event);
    if (!listing.shared || listing.rules.length === 0) return listing.rules;
    const narrowing = (listing.narrowing ??= this.narrowing(listing.rules));
    let found = narrowing.everyEvent;
    let positions = narrowing.everyEventPositions;
    for (const guard of narrowing.guards) {
      const hit = guard.byValue.get(guard.read(event));
      if (!hit) continue;
      if (found.length === 0) {
        found = hit.rules;
        positions = hit.positions;
      } else {
        positions = merged(positions, hit.positions);
        found = positions.map((position) => this.rules[position] as CompiledRule);
      }
    }
    return found;
  }

  /**
   * The rules whose triggers match the event, each once, in rule-pack order, whatever their
   * conditions (what `steward explain` goes through). Possibly shared and frozen, as above.
   */
  listeners(event: StewardEvent): readonly CompiledRule[] {
    return this.listingOf(event).rules;
  }

  private listingOf(event: StewardEvent): Listing {
    if (event.source === 'ec2-state') return this.ec2States.get(event.name) ?? noRules;
    const state =
      event.source === 'cloudtrail' ? this.cloudTrailState(event) : this.logState(event.name);
    if (state.tests.length === 0) return state.fixed;
    // Which tests the record or message meets is part of the key: one list per combination.
    let met = '';
    for (let i = 0; i < state.tests.length; i++) {
      if ((state.tests[i] as Test).meets(event)) met += `${i},`;
    }
    if (met === '') return state.fixed;
    let listing = state.combinations.get(met);
    if (!listing) {
      const added = met
        .slice(0, -1)
        .split(',')
        .flatMap((i) => (state.tests[Number(i)] as Test).positions);
      const shared = state.fixed.shared && state.combinations.size < maxCachedLists;
      listing = this.listing(
        [...state.fixed.rules, ...added.map((position) => this.rules[position] as CompiledRule)],
        shared,
      );
      if (shared) state.combinations.set(met, listing);
    }
    return listing;
  }

  private cloudTrailState(event: StewardEvent): KeyState {
    let shared = true;
    let bySource = this.cloudTrail.get(event.name);
    if (!bySource) {
      bySource = new Map();
      if (this.cloudTrail.size < maxCachedLists * 16) this.cloudTrail.set(event.name, bySource);
      else shared = false;
    }
    const eventSource = event.eventSource ?? '';
    let states = bySource.get(eventSource);
    if (!states) {
      states = [undefined, undefined];
      if (bySource.size < maxCachedLists) bySource.set(eventSource, states);
      else shared = false;
    }
    const failed = event.error !== undefined ? 1 : 0;
    return (states[failed] ??= this.newCloudTrailState(event.name, eventSource, failed, shared));
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
      else this.addTest(tests, matchKey(match), rule, () => recordMatcher(match));
    }
    return {
      fixed: this.listing(fixed, shared),
      tests: [...tests.values()],
      combinations: new Map(),
    };
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
        this.addTest(tests, pattern, rule, () => {
          const filter = compileLogFilter(pattern);
          return (event) => filter.matches(logMessage(event));
        });
    }
    const shared = this.logStates.size < maxCachedLists * 16;
    state = {
      fixed: this.listing(fixed, shared),
      tests: [...tests.values()],
      combinations: new Map(),
    };
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
    else tests.set(key, { positions: [position], meets: meets() });
  }

  /** Each rule once, in rule-pack order, frozen. */
  private listing(found: readonly CompiledRule[], shared: boolean): Listing {
    const unique = [...new Set(found)];
    if (unique.length > 1) {
      unique.sort((a, b) => (this.positions.get(a) ?? 0) - (this.positions.get(b) ?? 0));
    }
    return { rules: Object.freeze(unique), shared };
  }

  private narrowing(listeners: readonly CompiledRule[]): Narrowing {
    // Each rule is filed under its most selective guard: the values fewest rules here share.
    const sharing = new Map<string, number>();
    const keysOf = (guard: RuleGuard) =>
      guard.values.map((value) => `${guard.key}\u0000${typeof value}:${String(value)}`);
    for (const rule of listeners) {
      for (const guard of ruleGuards(rule)) {
        for (const key of keysOf(guard)) sharing.set(key, (sharing.get(key) ?? 0) + 1);
      }
    }
    const everyEvent: number[] = [];
    const guards = new Map<
      string,
      { read: (event: StewardEvent) => unknown; byValue: Map<unknown, number[]> }
    >();
    for (const rule of listeners) {
      const position = this.positions.get(rule) ?? 0;
      let best: RuleGuard | undefined;
      let bestShare = Number.POSITIVE_INFINITY;
      for (const guard of ruleGuards(rule)) {
        const shared = keysOf(guard).reduce((sum, key) => sum + (sharing.get(key) ?? 0), 0);
        if (shared < bestShare) {
          best = guard;
          bestShare = shared;
        }
      }
      if (!best) {
        everyEvent.push(position);
        continue;
      }
      let entry = guards.get(best.key);
      if (!entry) {
        entry = { read: best.read, byValue: new Map() };
        guards.set(best.key, entry);
      }
      for (const value of best.values) push(entry.byValue, value, position);
    }
    const rulesAt = (positions: readonly number[]) =>
      Object.freeze(positions.map((position) => this.rules[position] as CompiledRule));
    return {
      everyEvent: rulesAt(everyEvent),
      everyEventPositions: Object.freeze(everyEvent),
      guards: [...guards.values()].map(({ read, byValue }) => ({
        read,
        byValue: new Map(
          [...byValue].map(([value, positions]) => [
            value,
            { rules: rulesAt(positions), positions: Object.freeze(positions) },
          ]),
        ),
      })),
    };
  }
}

interface LogsTrigger {
  rule: CompiledRule;
  /** The filter pattern: triggers with the same one are tested once per event. */
  pattern?: string;
}

/** Two ascending lists of positions, merged (a rule is filed under one value per event). */
function merged(a: readonly number[], b: readonly number[]): number[] {
  const result: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const left = a[i] as number;
    const right = b[j] as number;
    if (left <= right) {
      result.push(left);
      i++;
    } else {
      result.push(right);
      j++;
    }
  }
  while (i < a.length) result.push(a[i++] as number);
  while (j < b.length) result.push(b[j++] as number);
  return result;
}
