import { Operator } from 'json-rules-engine';
import { RE2JS } from 're2js';
import { parseTime } from '../json/time.js';
import { parseDuration } from './duration.js';
import {
  coversEveryAddress,
  parseIpRange,
  rangeContains,
  rangesOverlap,
  type IpRange,
} from '../net/ip-range.js';

/** Named lists from the lists file: list name → members. */
export type NamedLists = ReadonlyMap<string, ReadonlySet<string>>;

/** The operators json-rules-engine provides. */
const builtInOperators = [
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
];

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

/** json-rules-engine's operator decorators, usable as `everyFact:equal`, `not:matches` and the like. */
const decorators = ['someFact', 'someValue', 'everyFact', 'everyValue', 'swap', 'not'];

export const operatorNames: ReadonlySet<string> = new Set(
  [...builtInOperators, ...customOperators].flatMap((operator) => [
    operator,
    ...decorators.map((decorator) => `${decorator}:${operator}`),
  ]),
);

/** The operator a possibly decorated name (`not:matches`) applies in the end. */
export function baseOperator(name: string): string {
  return name.slice(name.lastIndexOf(':') + 1);
}

/** Regular expressions run on attacker-controlled strings: RE2 matches in linear time, and inputs are capped. */
const maxMatchInput = 1024 * 1024;
const compiledPatterns = new Map<string, RE2JS>();

/** Compiles (and caches) a regular expression; throws with RE2's message when it does not compile. */
export function compilePattern(pattern: string): RE2JS {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    compiled = RE2JS.compile(pattern);
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}

const globPatterns = new Map<string, string>();

/** `*` any run of characters, `?` one character; everything else literal. Anchored at both ends. */
export function globPattern(glob: string): string {
  let pattern = globPatterns.get(glob);
  if (pattern === undefined) {
    pattern = `^${[...glob].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : RE2JS.quote(char))).join('')}$`;
    globPatterns.set(glob, pattern);
  }
  return pattern;
}

/**
 * Recent results of each pattern by input. The same principals, agents and addresses come back
 * event after event, and RE2's linear-time matcher, written in JavaScript, costs microseconds
 * per input: a repeated input is a lookup. Bounded, since inputs come from outside.
 */
const recentResults = new Map<string, Map<string, boolean>>();
const maxRememberedInput = 512;
const maxRememberedResults = 1024;

function patternMatches(value: unknown, pattern: unknown): boolean {
  if (typeof value !== 'string' || typeof pattern !== 'string') return false;
  if (value.length > maxRememberedInput) {
    const input = value.length > maxMatchInput ? value.slice(0, maxMatchInput) : value;
    return compilePattern(pattern).test(input);
  }
  let results = recentResults.get(pattern);
  if (!results) {
    results = new Map();
    recentResults.set(pattern, results);
  }
  let result = results.get(value);
  if (result === undefined) {
    result = compilePattern(pattern).test(value);
    if (results.size >= maxRememberedResults) results.clear();
    results.set(value, result);
  }
  return result;
}

/** A fact value that is a list (a path with `[*]`) satisfies a steward operator when any element does. */
function anyOf(value: unknown, test: (item: unknown) => boolean): boolean {
  return Array.isArray(value) ? value.some(test) : test(value);
}

/** Parsed ranges by their text: rule values repeat on every event, and parsing is the cost. */
const parsedRanges = new Map<string, IpRange | undefined>();

function rangeOf(text: string): IpRange | undefined {
  if (!parsedRanges.has(text)) {
    // Bounded: fact values are attacker-controlled and must not grow the cache without end.
    if (parsedRanges.size > 10_000) parsedRanges.clear();
    parsedRanges.set(text, parseIpRange(text));
  }
  return parsedRanges.get(text);
}

function rangesOf(value: unknown): IpRange[] {
  const ranges: IpRange[] = [];
  for (const text of Array.isArray(value) ? value : [value]) {
    const range = typeof text === 'string' ? rangeOf(text) : undefined;
    if (range) ranges.push(range);
  }
  return ranges;
}

function ageOf(value: unknown): number | undefined {
  const time = parseTime(value);
  return time === undefined ? undefined : Date.now() - time;
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null && !(Array.isArray(value) && value.length === 0);
}

export type OperatorFunction = (factValue: unknown, value: unknown) => boolean;

/**
 * An operator given its condition's value once: what depends on the value alone (a compiled
 * pattern, parsed ranges, a duration, a list) is worked out then, not for every event.
 */
export type PreparedOperator = (value: unknown) => (factValue: unknown) => boolean;

/** The custom operators, prepared by condition value, bound to the named lists they consult. */
export function preparedOperators(
  lists: NamedLists,
): Record<(typeof customOperators)[number], PreparedOperator> {
  const members = (listName: unknown) =>
    (typeof listName === 'string' ? lists.get(listName) : undefined) ?? new Set<string>();
  const inList = (listName: unknown) => {
    const list = members(listName);
    return (item: unknown) => typeof item === 'string' && list.has(item);
  };
  const matcher = (pattern: unknown) => (item: unknown) => patternMatches(item, pattern);
  // Whether the fact (or, for a list, any of its items) passes the prepared test, or none does.
  const some = (test: (item: unknown) => boolean) => (fact: unknown) => anyOf(fact, test);
  const none = (test: (item: unknown) => boolean) => (fact: unknown) => !anyOf(fact, test);
  const never = () => false;
  return {
    matches: (pattern) => some(matcher(pattern)),
    notMatches: (pattern) => none(matcher(pattern)),
    glob: (glob) => (typeof glob === 'string' ? some(matcher(globPattern(glob))) : never),
    startsWith: (prefix) =>
      typeof prefix === 'string'
        ? some((item) => typeof item === 'string' && item.startsWith(prefix))
        : never,
    endsWith: (suffix) =>
      typeof suffix === 'string'
        ? some((item) => typeof item === 'string' && item.endsWith(suffix))
        : never,
    inCidr: (cidrs) => {
      const outer = rangesOf(cidrs);
      return (fact) =>
        rangesOf(fact).some((inner) => outer.some((range) => rangeContains(range, inner)));
    },
    cidrOverlaps: (cidrs) => {
      const other = rangesOf(cidrs);
      return (fact) =>
        rangesOf(fact).some((range) => other.some((candidate) => rangesOverlap(range, candidate)));
    },
    worldOpen: (expected) => {
      const open = expected !== false;
      return (fact) => rangesOf(fact).some(coversEveryAddress) === open;
    },
    exists: (expected) => {
      const wanted = expected !== false;
      return (fact) => present(fact) === wanted;
    },
    absent: (expected) => {
      const wanted = expected !== false;
      return (fact) => !present(fact) === wanted;
    },
    olderThan: (duration) => {
      const limit = parseDuration(duration);
      return limit === undefined ? never : some((item) => (ageOf(item) ?? -Infinity) > limit);
    },
    newerThan: (duration) => {
      const limit = parseDuration(duration);
      return limit === undefined ? never : some((item) => (ageOf(item) ?? Infinity) < limit);
    },
    inList: (listName) => some(inList(listName)),
    notInList: (listName) => none(inList(listName)),
  };
}

/**
 * The custom operators as plain functions, bound to the named lists they may consult (what
 * json-rules-engine calls). Each remembers what it prepared for the values it was given: a
 * condition passes the same value on every event.
 */
export function operatorFunctions(
  lists: NamedLists,
): Record<(typeof customOperators)[number], OperatorFunction> {
  const prepared = preparedOperators(lists);
  return Object.fromEntries(
    customOperators.map((name) => {
      const byObject = new WeakMap<object, (fact: unknown) => boolean>();
      const byValue = new Map<unknown, (fact: unknown) => boolean>();
      const preparedFor = (value: unknown) => {
        const object = typeof value === 'object' && value !== null;
        let test = object ? byObject.get(value) : byValue.get(value);
        if (!test) {
          test = prepared[name](value);
          if (object) byObject.set(value, test);
          else {
            // Bounded: a condition may take its value from a fact, which comes from outside.
            if (byValue.size >= 1024) byValue.clear();
            byValue.set(value, test);
          }
        }
        return test;
      };
      return [name, (fact: unknown, value: unknown) => preparedFor(value)(fact)];
    }),
  ) as Record<(typeof customOperators)[number], OperatorFunction>;
}

/** The custom operators as json-rules-engine operators. */
export function createOperators(lists: NamedLists): Operator[] {
  return Object.entries(operatorFunctions(lists)).map(
    ([name, evaluate]) => new Operator(name, evaluate),
  );
}

/**
 * What is wrong with a condition's `value` for its operator, checked when rules load so a bad
 * pattern, range, duration or list name is a validation error rather than a silent non-match.
 */
export function operatorValueProblem(
  operator: string,
  value: unknown,
  lists: NamedLists,
): string | undefined {
  switch (baseOperator(operator)) {
    case 'matches':
    case 'notMatches':
      if (typeof value !== 'string') return `${operator} needs a regular expression as its value`;
      try {
        compilePattern(value);
        return undefined;
      } catch (error) {
        return `the regular expression does not compile: ${error instanceof Error ? error.message : String(error)}`;
      }
    case 'glob':
    case 'startsWith':
    case 'endsWith':
      return typeof value === 'string' ? undefined : `${operator} needs a string as its value`;
    case 'inCidr':
    case 'cidrOverlaps': {
      const texts = Array.isArray(value) ? value : [value];
      const bad = texts.find(
        (text) => typeof text !== 'string' || parseIpRange(text) === undefined,
      );
      return texts.length > 0 && bad === undefined
        ? undefined
        : `${operator} needs CIDR ranges as its value; ${JSON.stringify(bad)} is not one`;
    }
    case 'worldOpen':
    case 'exists':
    case 'absent':
      return typeof value === 'boolean'
        ? undefined
        : `${operator} needs true or false as its value`;
    case 'olderThan':
    case 'newerThan':
      return parseDuration(value) !== undefined
        ? undefined
        : `${operator} needs a duration such as 90d, 12h, 30m as its value`;
    case 'inList':
    case 'notInList':
      if (typeof value === 'string' && lists.has(value)) return undefined;
      return `unknown list ${JSON.stringify(value)}; lists defined: ${[...lists.keys()].join(', ') || 'none'}`;
    default:
      return undefined;
  }
}
