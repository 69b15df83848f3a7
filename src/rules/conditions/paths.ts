import { lazyFacts } from '../../facts/catalog.js';
import { eventField, type StewardEvent } from '../../sources/steward-event.js';
import { resolveJsonPath } from '../json-path.js';
import { eventFacts } from '../facts.js';
import type { FactValues } from './fact-values.js';

/** One step of a JSONPath: a member (or index), or `*`. */
type PathStep = { kind: 'name'; name: string } | { kind: 'wildcard' };

/** The paths read by steps: `$.a.b`, `$.a[0]`, `$.a[*].b`; jsonpath-plus reads the others. */
const simplePath = /^\$((?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\*\]|\.\*)+)$/;
const simpleStep = /\.[A-Za-z_][\w-]*|\[\d+\]|\[\*\]|\.\*/g;

function pathSteps(path: string): PathStep[] | undefined {
  const match = simplePath.exec(path);
  if (!match) return undefined;
  return (match[1]?.match(simpleStep) ?? []).map((part) => {
    const name = part.startsWith('.') ? part.slice(1) : part.slice(1, -1);
    return name === '*' ? { kind: 'wildcard' } : { kind: 'name', name };
  });
}

interface Found {
  value: unknown;
  /** Reached through a `*`: jsonpath-plus then gives a list even for one value. */
  listed: boolean;
}

/**
 * jsonpath-plus with `wrap: false`, as json-rules-engine calls it: a step follows an own member
 * of a truthy value (a string's `length` too, unlike a dotted path of `src/json/path.ts`); `*`
 * walks array elements or object keys (or a member literally named `*` after the first step).
 */
function follow(
  steps: readonly PathStep[],
  at: number,
  value: unknown,
  listed: boolean,
  found: Found[],
): void {
  if (at === steps.length) {
    found.push({ value, listed });
    return;
  }
  const step = steps[at] as PathStep;
  if (step.kind === 'name') {
    if (value && Object.hasOwn(value as object, step.name))
      follow(steps, at + 1, (value as Record<string, unknown>)[step.name], listed, found);
    return;
  }
  if (at > 0 && value && Object.hasOwn(value as object, '*')) {
    follow(steps, at + 1, (value as Record<string, unknown>)['*'], listed, found);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) follow(steps, at + 1, item, true, found);
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value))
      follow(steps, at + 1, (value as Record<string, unknown>)[key], true, found);
  }
}

/** A reader of one path as json-rules-engine's almanac applies it to a fact value. */
export type PathReader = (value: unknown) => unknown;

/**
 * The reader of `steps` from `from` on, applied to a value already reached: a member is an own
 * member of a truthy value, `*` walks as in `follow`.
 */
function stepsReader(steps: readonly PathStep[], from: number): PathReader {
  if (!steps.every((step) => step.kind === 'name')) {
    return (value) => {
      const found: Found[] = [];
      follow(steps, from, value, false, found);
      if (found.length === 0) return undefined;
      const [only] = found;
      return found.length === 1 && !only?.listed ? only?.value : found.map((item) => item.value);
    };
  }
  const names = steps.slice(from).map((step) => (step as { name: string }).name);
  return (value) => {
    let current: unknown = value;
    for (const name of names) {
      if (!(current && Object.hasOwn(current as object, name))) return undefined;
      current = (current as Record<string, unknown>)[name];
    }
    return current;
  };
}

/**
 * The reader of a JSONPath: by steps for the simple paths (the hot ones), by jsonpath-plus for
 * the rest. The almanac applies a path only to objects; any other fact value is used as it is.
 *
 * @example
 * pathReader('$.userIdentity.type')(record); // 'IAMUser'
 */
export function pathReader(path: string): PathReader {
  const steps = pathSteps(path);
  if (!steps)
    return (value) =>
      value !== null && typeof value === 'object' ? resolveJsonPath(value, path) : value;
  const read = stepsReader(steps, 0);
  return (value) => (value === null || typeof value !== 'object' ? value : read(value));
}

/** A fact and path compiled to a read. */
export interface FactRead {
  /** Fact and path: conditions with the same key read the same value. */
  key: string;
  read: (values: FactValues) => unknown;
  /** The same read straight from the event, for the facts the event holds. */
  fromEvent?: (event: StewardEvent) => unknown;
  /** The lazy fact it needs fetched first. */
  lazy?: string;
}

/**
 * The read of `fact` at `path` (no path: the whole fact), or undefined for a fact that is not
 * one (json-rules-engine then says so) or a path that is not a string.
 *
 * @example
 * compileRead('record', '$.eventName')?.fromEvent?.(event); // 'StopLogging'
 */
export function compileRead(fact: unknown, path: unknown): FactRead | undefined {
  if (typeof fact !== 'string') return undefined;
  const hasPath = typeof path === 'string' ? path !== '' : Boolean(path);
  if (hasPath && typeof path !== 'string') return undefined;
  const text = hasPath ? String(path) : '';
  const key = `${fact}\u0000${text}`;
  const reader: PathReader = hasPath ? pathReader(text) : (value) => value;
  if (fact === 'record')
    return {
      key,
      read: (values) => reader(values.event.raw),
      fromEvent: (event) => reader(event.raw),
    };
  if (fact === 'event') {
    // The event fact is the event without `raw`: a simple path into another field reads the
    // event, its first step by the field's name (a CloudTrail event works out some fields when
    // they are first read, so they are not own members of it).
    const steps = hasPath ? pathSteps(text) : undefined;
    const first = steps?.[0];
    if (steps && first?.kind === 'name' && first.name !== 'raw') {
      const field = first.name;
      const rest = stepsReader(steps, 1);
      const fromEvent = (event: StewardEvent) => rest(eventField(event, field));
      return { key, read: (values) => fromEvent(values.event), fromEvent };
    }
    return {
      key,
      read: (values) => reader(values.view()),
      fromEvent: (event) => reader(eventFacts(event).event),
    };
  }
  if (!lazyFacts.has(fact)) return undefined;
  return { key, lazy: fact, read: (values) => reader(values.lazy?.get(fact)) };
}
