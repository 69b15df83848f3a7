import { readPath } from '../../json/path.js';
import type { StewardEvent } from '../../sources/steward-event.js';
import type { ConditionPack } from '../conditions/pack.js';
import { compileLogFilter } from '../log-filter.js';
import { BoundedMemo } from '../memo.js';
import type { CloudTrailTrigger, CompiledRule } from '../rule.js';
import { Narrowing } from './narrowing.js';
import { recordMatcher } from './record-match.js';

/** A test of the event beyond its kind: a trigger's `match` on the record, a filter pattern. */
export type TriggerTest = (event: StewardEvent) => boolean;

/** A rule listening to one kind of event, and the trigger tests it listens through, if any. */
export interface ListedRule {
  rule: CompiledRule;
  /** Its position in the pack: listings and candidates keep pack order. */
  position: number;
  /** The rule listens when one of these holds; absent when a trigger needs no test. */
  tests?: readonly TriggerTest[];
}

/**
 * The rules listening to one kind of event (an EC2 state, an event name from one service and
 * outcome, a log group), in pack order, each once; shared by every event of that kind, with
 * its narrowing by index prerequisites built for the first event that needs it.
 *
 * @example
 * const listing = listings.of(event);
 * listing.narrowed(pack).candidates(event); // the rules worth evaluating
 */
export class Listing {
  private narrowing?: Narrowing;

  constructor(readonly rules: readonly ListedRule[]) {}

  /** The listing narrowed by the values its rules require, built once. */
  narrowed(pack: ConditionPack): Narrowing {
    this.narrowing ??= new Narrowing(this.rules, pack);
    return this.narrowing;
  }

  /** The rules whose triggers match the event: those without tests, and those a test of holds. */
  listeners(event: StewardEvent): CompiledRule[] {
    return this.rules.filter(({ tests }) => listens(tests, event)).map(({ rule }) => rule);
  }
}

/**
 * Whether a rule with these trigger tests listens to the event: untested, or one test holds.
 *
 * @example
 * listens(candidate.tests, event); // true for a rule whose trigger needs no test
 */
export function listens(tests: readonly TriggerTest[] | undefined, event: StewardEvent): boolean {
  if (tests === undefined) return true;
  for (const test of tests) if (test(event)) return true;
  return false;
}

function logMessage(event: StewardEvent): string {
  const message = readPath(event.raw, ['message']);
  return typeof message === 'string' ? message : '';
}

interface Listener {
  rule: CompiledRule;
  position: number;
  /** The trigger's test, by its key; none when the trigger's kind decides alone. */
  test?: string;
  /** For a CloudTrail trigger: what its kind needs beyond the event name. */
  trigger?: CloudTrailTrigger;
}

/** An eventbridge trigger's key for one of its (source, detail-type) pairs. */
function awsEventKey(source: string, detailType: string): string {
  return JSON.stringify([source, detailType]);
}

/**
 * The rules by their triggers: for each event, the listing of its kind, made for the first
 * event of the kind and kept (a bounded number of kinds: event names come from outside).
 * Each trigger test is one function, shared by every listing that runs it.
 *
 * @example
 * const listings = new TriggerListings(rules);
 * listings.of(event).listeners(event); // what `steward explain` walks through
 */
export class TriggerListings {
  private readonly ec2 = new Map<string, Listener[]>();
  private readonly cloudTrail = new Map<string, Listener[]>();
  private readonly logGroups = new Map<string, Listener[]>();
  private readonly logPrefixes: { prefix: string; listener: Listener }[] = [];
  private readonly awsEvents = new Map<string, Listener[]>();
  private readonly tests = new Map<string, TriggerTest>();
  /**
   * A sweep's events by the rule that swept and the kind it swept: each is seen by that rule
   * alone, never by another rule sweeping the same kind.
   */
  private readonly sweeps = new Map<string, Listing>();
  /** The listing of an event no rule listens to. */
  private readonly noListeners = new Listing([]);
  /**
   * Listings by event name (for CloudTrail, then by service, then by outcome). Keyed by the
   * strings the event holds, whose hashes are kept, rather than a key built per event.
   */
  private readonly ec2Listings = new BoundedMemo<string, Listing>('ec2 listings', 64);
  private readonly logListings = new BoundedMemo<string, Listing>('log group listings', 4096);
  private readonly awsEventListings = new BoundedMemo<string, BoundedMemo<string, Listing>>(
    'eventbridge listings',
    256,
  );
  private readonly cloudTrailListings = new BoundedMemo<
    string,
    BoundedMemo<string, [Listing | undefined, Listing | undefined]>
  >('cloudtrail listings', 4096);

  constructor(rules: readonly CompiledRule[]) {
    const seen = new Set<CompiledRule>();
    rules.forEach((rule, position) => {
      // A rule given twice listens once, at its first position.
      if (seen.has(rule)) return;
      seen.add(rule);
      for (const trigger of rule.document.triggers) {
        if (trigger.source === 'ec2-state') {
          for (const state of trigger.states) add(this.ec2, state, { rule, position });
        } else if (trigger.source === 'cloudtrail') {
          const test = this.matchTest(trigger.match);
          for (const name of trigger.events)
            add(this.cloudTrail, name, { rule, position, trigger, test });
        } else if (trigger.source === 'schedule') {
          const key = sweepKey(rule.id, trigger.resources);
          if (!this.sweeps.has(key)) this.sweeps.set(key, new Listing([{ rule, position }]));
        } else if (trigger.source === 'cloudwatch-logs') {
          const { filter } = trigger;
          const test =
            filter === undefined
              ? undefined
              : this.test(`filter ${filter}`, () => logFilterTest(filter));
          for (const group of trigger.logGroups) {
            const listener = { rule, position, test };
            if (group.endsWith('*'))
              this.logPrefixes.push({ prefix: group.slice(0, -1), listener });
            else add(this.logGroups, group, listener);
          }
        } else if (trigger.source === 'eventbridge') {
          const test = this.matchTest(trigger.match);
          for (const source of trigger.sources)
            for (const detailType of trigger.detailTypes)
              add(this.awsEvents, awsEventKey(source, detailType), { rule, position, test });
        }
      }
    });
  }

  /** The listing of the event's kind. */
  of(event: StewardEvent): Listing {
    if (event.source === 'sweep')
      return (
        (event.sweep && this.sweeps.get(sweepKey(event.sweep.rule, event.name))) ?? this.noListeners
      );
    if (event.source === 'ec2-state') return this.ec2Listings.get(event.name, this.make, event);
    if (event.source === 'cloudwatch-logs')
      return this.logListings.get(event.name, this.make, event);
    if (event.source === 'eventbridge') {
      return this.awsEventListings
        .get(event.eventSource ?? '', newDetailTypeMemo)
        .get(event.name, this.make, event);
    }
    // Most calls of a trail are ones no rule names: one lookup of the name, and no memo
    // entry, whatever their service and outcome.
    if (!this.cloudTrail.has(event.name) && !this.cloudTrail.has('*')) return this.noListeners;
    const byOutcome = this.cloudTrailListings
      .get(event.name, newServiceMemo)
      .get(event.eventSource ?? '', noOutcomes);
    const failed = event.error === undefined ? 0 : 1;
    return (byOutcome[failed] ??= this.make('', event));
  }

  /** The listing of the event's kind, made (one method, not a closure per event). */
  private readonly make = (_key: string, event: StewardEvent): Listing =>
    this.listing(this.listenersOf(event));

  /** Counts of the listings' memos, for `npm run bench`. */
  memos() {
    return [
      this.ec2Listings.counts(),
      this.logListings.counts(),
      this.cloudTrailListings.counts(),
      this.awsEventListings.counts(),
    ];
  }

  private listenersOf(event: StewardEvent): Listener[] {
    if (event.source === 'ec2-state') return this.ec2.get(event.name) ?? [];
    if (event.source === 'cloudwatch-logs') {
      const prefixed = this.logPrefixes.filter(({ prefix }) => event.name.startsWith(prefix));
      return [
        ...(this.logGroups.get(event.name) ?? []),
        ...prefixed.map(({ listener }) => listener),
      ];
    }
    if (event.source === 'eventbridge')
      return this.awsEvents.get(awsEventKey(event.eventSource ?? '', event.name)) ?? [];
    const failed = event.error !== undefined;
    return [...(this.cloudTrail.get(event.name) ?? []), ...(this.cloudTrail.get('*') ?? [])].filter(
      ({ trigger }) =>
        (trigger?.eventSource === undefined || trigger.eventSource === event.eventSource) &&
        (!failed || trigger?.includeFailedCalls === true),
    );
  }

  /** Each rule once, in pack order; a rule with a trigger needing no test listens untested. */
  private listing(listeners: readonly Listener[]): Listing {
    const byPosition = new Map<number, { rule: CompiledRule; tests?: string[] }>();
    for (const { rule, position, test } of listeners) {
      const listed = byPosition.get(position);
      if (!listed)
        byPosition.set(position, test === undefined ? { rule } : { rule, tests: [test] });
      else if (test === undefined) delete listed.tests;
      else if (listed.tests && !listed.tests.includes(test)) listed.tests.push(test);
    }
    const rules = [...byPosition]
      .sort(([a], [b]) => a - b)
      .map(([position, { rule, tests }]) => ({
        rule,
        position,
        ...(tests ? { tests: tests.map((key) => this.tests.get(key) as TriggerTest) } : {}),
      }));
    return new Listing(rules);
  }

  /** The key of a trigger's `match` test, the same for every trigger with that `match`. */
  private matchTest(match: Record<string, string[]> | undefined): string | undefined {
    return match === undefined
      ? undefined
      : this.test(`match ${matchKey(match)}`, () => recordMatcher(match));
  }

  private test(key: string, make: () => TriggerTest): string {
    if (!this.tests.has(key)) this.tests.set(key, make());
    return key;
  }
}

function newDetailTypeMemo(): BoundedMemo<string, Listing> {
  return new BoundedMemo('eventbridge listings by detail-type', 256);
}

function sweepKey(rule: string, kind: string): string {
  return `${rule}\u0000${kind}`;
}

function newServiceMemo(): BoundedMemo<string, [Listing | undefined, Listing | undefined]> {
  return new BoundedMemo('cloudtrail listings by service', 256);
}

function noOutcomes(): [Listing | undefined, Listing | undefined] {
  return [undefined, undefined];
}

function add(map: Map<string, Listener[]>, key: string, listener: Listener): void {
  const list = map.get(key);
  if (list) list.push(listener);
  else map.set(key, [listener]);
}

/** One key per `match`, the same whatever the order its paths were written in. */
function matchKey(match: Record<string, string[]>): string {
  return JSON.stringify(Object.entries(match).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function logFilterTest(pattern: string): TriggerTest {
  const filter = compileLogFilter(pattern);
  return (event) => filter.matches(logMessage(event));
}
