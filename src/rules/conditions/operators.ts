import { parseTime } from '../../json/time.js';
import { parseDuration } from '../duration.js';
import {
  coversEveryAddress,
  parseIpRange,
  rangeContains,
  rangesOverlap,
  type IpRange,
} from '../../net/ip-range.js';
import type { NamedLists } from '../lists.js';
import { globPattern, PatternMatcher } from './patterns.js';

/** The operators json-rules-engine provides. */
export const builtInOperators = [
  'equal',
  'notEqual',
  'in',
  'notIn',
  'contains',
  'doesNotContain',
  'lessThan',
  'lessThanInclusive',
  'greaterThan',
  'greaterThanInclusive',
] as const;

/** steward's operators; each is documented in docs/rules.md. */
export const customOperators = [
  'matches',
  'notMatches',
  'glob',
  'startsWith',
  'endsWith',
  'inCidr',
  'cidrOverlaps',
  'worldOpen',
  'exists',
  'absent',
  'olderThan',
  'newerThan',
  'inList',
  'notInList',
] as const;

/** An undecorated operator's name. */
export type OperatorName = (typeof builtInOperators)[number] | (typeof customOperators)[number];

/** json-rules-engine's operator decorators, usable as `everyFact:equal`, `not:matches` and the like. */
export const decorators = ['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not'];

/** Every operator name a condition may use, decorated ones too. */
export const operatorNames: ReadonlySet<string> = new Set(
  [...builtInOperators, ...customOperators].flatMap((operator) => [
    operator,
    ...decorators.map((decorator) => `${decorator}:${operator}`),
  ]),
);

/**
 * The operator a possibly decorated name (`not:matches`) applies in the end.
 *
 * @example
 * baseOperator('everyFact:inCidr'); // 'inCidr'
 */
export function baseOperator(name: string): string {
  return name.slice(name.lastIndexOf(':') + 1);
}

/** A comparison given its condition's value: true when the fact value passes. */
export type FactTest = (factValue: unknown) => boolean;

type Prepare = (value: unknown) => FactTest;

const numeric = (factValue: unknown) => Number.parseFloat(factValue as string).toString() !== 'NaN';

/** json-rules-engine's default operators, each with its fact validator, as it documents them. */
const builtIns: Record<(typeof builtInOperators)[number], Prepare> = {
  equal: (value) => (fact) => fact === value,
  notEqual: (value) => (fact) => fact !== value,
  in: (value) => (fact) => (value as unknown[]).indexOf(fact) > -1,
  notIn: (value) => (fact) => (value as unknown[]).indexOf(fact) === -1,
  contains: (value) => (fact) => Array.isArray(fact) && fact.indexOf(value) > -1,
  doesNotContain: (value) => (fact) => Array.isArray(fact) && fact.indexOf(value) === -1,
  lessThan: (value) => (fact) => numeric(fact) && (fact as number) < (value as number),
  lessThanInclusive: (value) => (fact) => numeric(fact) && (fact as number) <= (value as number),
  greaterThan: (value) => (fact) => numeric(fact) && (fact as number) > (value as number),
  greaterThanInclusive: (value) => (fact) => numeric(fact) && (fact as number) >= (value as number),
};

/** A fact value that is a list (a path with `[*]`) satisfies a steward operator when any element does. */
const some =
  (test: FactTest): FactTest =>
  (fact) =>
    Array.isArray(fact) ? fact.some(test) : test(fact);
const none =
  (test: FactTest): FactTest =>
  (fact) =>
    !some(test)(fact);
const never: FactTest = () => false;

function present(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

function ageOf(value: unknown): number | undefined {
  const time = parseTime(value);
  return time === undefined ? undefined : Date.now() - time;
}

/** Relative costs, to try cheap conditions first: comparisons, string and list work, patterns. */
const costs: Partial<Record<OperatorName, number>> = {
  equal: 1,
  notEqual: 1,
  exists: 1,
  absent: 1,
  in: 2,
  notIn: 2,
  startsWith: 2,
  endsWith: 2,
  inList: 2,
  notInList: 2,
  contains: 3,
  doesNotContain: 3,
  olderThan: 4,
  newerThan: 4,
  inCidr: 6,
  cidrOverlaps: 6,
  worldOpen: 8,
  glob: 10,
  matches: 10,
  notMatches: 10,
};

/** Operators whose comparison returns for any fact value (patterns: once they compile). */
const totalOperators = new Set<string>([
  'equal',
  'notEqual',
  'contains',
  'doesNotContain',
  ...customOperators.filter((name) => !['matches', 'notMatches', 'glob'].includes(name)),
]);

/**
 * The ranges of a fact or condition value: a CIDR text or address, or a list of them; what is
 * not one is left out. Parsed every time, not remembered: an event's address is new with
 * nearly every CloudTrail record, and a memo's miss cost five times the parse (BENCHMARKS.md).
 */
function rangesOf(value: unknown): IpRange[] {
  const ranges: IpRange[] = [];
  for (const text of Array.isArray(value) ? value : [value]) {
    const range = typeof text === 'string' ? parseIpRange(text) : undefined;
    if (range) ranges.push(range);
  }
  return ranges;
}

/**
 * The undecorated operators of one rule pack, bound to its named lists, with the pack's memos
 * of compiled patterns and pattern results. Compiled conditions and
 * json-rules-engine (see `engine.ts`) both compare through it, so they cannot disagree.
 *
 * @example
 * const operators = new Operators(lists);
 * operators.prepare('inCidr', ['10.0.0.0/8'])?.('10.1.2.3'); // true
 */
export class Operators {
  readonly patterns = new PatternMatcher();
  private readonly custom: Record<(typeof customOperators)[number], Prepare>;

  constructor(readonly lists: NamedLists) {
    this.custom = this.customOperators();
  }

  /** The comparison of `name` (undecorated) given its condition's value; undefined if unknown. */
  prepare(name: string, value: unknown): FactTest | undefined {
    if (Object.hasOwn(builtIns, name)) return builtIns[name as keyof typeof builtIns](value);
    if (Object.hasOwn(this.custom, name))
      return this.custom[name as keyof typeof this.custom](value);
    return undefined;
  }

  /** Whether `name` is an undecorated operator this pack compares with. */
  knows(name: string): boolean {
    return Object.hasOwn(builtIns, name) || Object.hasOwn(this.custom, name);
  }

  /** steward's operator `name` on a fact value and a condition value, as json-rules-engine calls it. */
  compare(name: (typeof customOperators)[number], factValue: unknown, value: unknown): boolean {
    return this.custom[name](value)(factValue);
  }

  /** Whether the operator (undecorated) with this condition value returns, never throws, whatever the fact. */
  isTotal(name: string, value: unknown): boolean {
    if (totalOperators.has(name)) return true;
    // Numeric comparisons and `in` over a string convert the fact value, which can throw.
    if (name === 'in' || name === 'notIn') return Array.isArray(value);
    if (name === 'matches' || name === 'notMatches')
      return typeof value === 'string' && this.patterns.compiles(value);
    if (name === 'glob')
      return typeof value === 'string' && this.patterns.compiles(globPattern(value));
    return false;
  }

  /** A rough relative cost of the operator, to run cheap conditions first. */
  cost(name: string): number {
    return costs[name as OperatorName] ?? 5;
  }

  /** steward's operators, prepared: what depends on the condition value alone is worked out once. */
  private customOperators(): Record<(typeof customOperators)[number], Prepare> {
    const inList = (listName: unknown): FactTest => {
      const list =
        (typeof listName === 'string' ? this.lists.get(listName) : undefined) ?? new Set();
      return (item) => typeof item === 'string' && list.has(item);
    };
    const matcher = (pattern: unknown): FactTest => this.patterns.matcher(pattern);
    const text = (prefix: unknown, test: (item: string, text: string) => boolean) =>
      typeof prefix === 'string'
        ? some((item) => typeof item === 'string' && test(item, prefix))
        : never;
    const wanted = (expected: unknown, holds: FactTest): FactTest => {
      const want = expected !== false;
      return (fact) => holds(fact) === want;
    };
    const age = (duration: unknown, test: (age: number | undefined, limit: number) => boolean) => {
      const limit = parseDuration(duration);
      return limit === undefined ? never : some((item) => test(ageOf(item), limit));
    };
    return {
      matches: (pattern) => some(matcher(pattern)),
      notMatches: (pattern) => none(matcher(pattern)),
      glob: (glob) => (typeof glob === 'string' ? some(matcher(globPattern(glob))) : never),
      startsWith: (prefix) => text(prefix, (item, start) => item.startsWith(start)),
      endsWith: (suffix) => text(suffix, (item, end) => item.endsWith(end)),
      inCidr: (cidrs) => {
        const outer = rangesOf(cidrs);
        return (fact) =>
          rangesOf(fact).some((inner) => outer.some((range) => rangeContains(range, inner)));
      },
      cidrOverlaps: (cidrs) => {
        const other = rangesOf(cidrs);
        return (fact) =>
          rangesOf(fact).some((range) => other.some((each) => rangesOverlap(range, each)));
      },
      worldOpen: (expected) => wanted(expected, (fact) => rangesOf(fact).some(coversEveryAddress)),
      exists: (expected) => wanted(expected, present),
      absent: (expected) => wanted(expected, (fact) => !present(fact)),
      olderThan: (duration) => age(duration, (itemAge, limit) => (itemAge ?? -Infinity) > limit),
      newerThan: (duration) => age(duration, (itemAge, limit) => (itemAge ?? Infinity) < limit),
      inList: (listName) => some(inList(listName)),
      notInList: (listName) => none(inList(listName)),
    };
  }
}
