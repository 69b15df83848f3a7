import { Almanac, Engine, type RuleProperties, type TopLevelCondition } from 'json-rules-engine';
import type { AwsClients } from '../aws-clients.js';
import { lazyFacts } from '../facts/catalog.js';
import type { LazyFact } from '../facts/lazy-fact.js';
import { RetriesExhaustedError, withRetries } from '../retry.js';
import type { StewardEvent } from '../sources/steward-event.js';
import { eventFacts } from './facts.js';
import { resolveJsonPath } from './json-path.js';
import {
  baseOperator,
  compilePattern,
  createOperators,
  customOperators,
  preparedOperators,
  globPattern,
  type NamedLists,
} from './operators.js';
import type { CompiledRule } from './rule.js';

/** A rule's verdict on one event. */
export interface RuleVerdict {
  rule: CompiledRule;
  fires: boolean;
  /** Set when a fact could not be read or a condition could not be evaluated. */
  error?: string;
  /** The error was AWS throttling or failing a fact's read: a later delivery may succeed. */
  transient?: boolean;
  /** The condition tree with what each condition saw (`factResult`) and decided (`result`). */
  conditions?: TopLevelCondition;
}

export interface EvaluationOptions {
  /** For lazy facts; without clients, a lazy fact a condition reads must be stubbed. */
  clients?: AwsClients;
  /** Lazy fact values to use instead of AWS calls, by fact name (rule tests, `steward explain`). */
  stubs?: Readonly<Record<string, unknown>>;
  /**
   * Fill in `RuleVerdict.conditions` (what `steward explain` shows) by running every rule
   * through json-rules-engine. Off by default: rules are then evaluated by compiled functions
   * with the same results, and verdicts carry no condition tree.
   */
  explain?: boolean;
}

/** A lazy fact that could not be read: an evaluation error, never a silent non-match. */
export class FactUnavailableError extends Error {
  constructor(
    readonly fact: string,
    reason: string,
    /** AWS throttled or failed the read past its retries: a later try may succeed. */
    readonly transient = false,
  ) {
    super(`fact ${fact} could not be read: ${reason}`);
    this.name = 'FactUnavailableError';
  }
}

/** How long a lazy fact may spend retrying throttled or failed reads. */
const factTimeBudgetMs = 20_000;

const engines = new WeakMap<CompiledRule, Engine>();
const operatorsByLists = new WeakMap<NamedLists, ReturnType<typeof createOperators>>();

function engineFor(rule: CompiledRule): Engine {
  let engine = engines.get(rule);
  if (!engine) {
    const properties: RuleProperties = {
      name: rule.id,
      conditions: rule.document.conditions ?? { all: [] },
      event: { type: rule.id },
    };
    engine = new Engine([properties], { allowUndefinedFacts: false });
    let operators = operatorsByLists.get(rule.lists);
    if (!operators) {
      operators = createOperators(rule.lists);
      operatorsByLists.set(rule.lists, operators);
    }
    for (const operator of operators) engine.addOperator(operator);
    engines.set(rule, engine);
  }
  return engine;
}

/** Lazy fact values of one event: each fetched at most once, whichever rules read it. */
class LazyFactCache {
  private readonly values = new Map<string, Promise<unknown>>();

  constructor(
    private readonly event: StewardEvent,
    private readonly options: EvaluationOptions,
  ) {}

  value(fact: LazyFact): Promise<unknown> {
    let value = this.values.get(fact.name);
    if (!value) {
      value = this.fetch(fact);
      this.values.set(fact.name, value);
    }
    return value;
  }

  private async fetch(fact: LazyFact): Promise<unknown> {
    const { stubs, clients } = this.options;
    if (stubs !== undefined && Object.hasOwn(stubs, fact.name)) return stubs[fact.name];
    if (!clients)
      throw new FactUnavailableError(fact.name, 'it is not stubbed, and no AWS access was given');
    try {
      // JSONPath cannot read into undefined; a fact with nothing to describe is null.
      const { value } = await withRetries(() => fact.fetch(this.event, clients), {
        deadline: Date.now() + factTimeBudgetMs,
      });
      return value ?? null;
    } catch (error) {
      const reason =
        error instanceof RetriesExhaustedError
          ? error.message
          : error instanceof Error
            ? `${error.name}: ${error.message}`
            : String(error);
      const transient = error instanceof RetriesExhaustedError && error.errorClass !== 'permanent';
      throw new FactUnavailableError(fact.name, reason, transient);
    }
  }
}

/** What compiled conditions read: the event's facts, and lazy fact values once fetched. */
class FactScope {
  private eventView?: Record<string, unknown>;
  /** Lazy fact values once fetched, by fact name (made for the first rule that reads one). */
  lazy?: Map<string, unknown>;

  constructor(readonly event: StewardEvent) {}

  /** The `event` fact: the event without `raw`, made only when a condition reads it whole. */
  view(): Record<string, unknown> {
    this.eventView ??= eventFacts(this.event).event as Record<string, unknown>;
    return this.eventView;
  }
}

type Read = (scope: FactScope) => unknown;

/** One step of a JSONPath: a property (or index), or `*`. */
type PathStep = { kind: 'name'; name: string } | { kind: 'wildcard' };

/** The paths compiled to property reads: `$.a.b`, `$.a[0]`, `$.a[*].b`; others go to the engine. */
const simplePath = /^\$((?:\.[A-Za-z_][\w-]*|\[\d+\]|\[\*\]|\.\*)+)$/;

function pathSteps(path: string): PathStep[] | undefined {
  const match = simplePath.exec(path);
  if (!match) return undefined;
  return (match[1]?.match(/\.[A-Za-z_][\w-]*|\[\d+\]|\[\*\]|\.\*/g) ?? []).map((part) => {
    const name = part.startsWith('.') ? part.slice(1) : part.slice(1, -1);
    return name === '*' ? { kind: 'wildcard' } : { kind: 'name', name };
  });
}

interface Found {
  value: unknown;
  /** Reached through a `*`: json-rules-engine then returns a list even for one value. */
  listed: boolean;
}

/**
 * jsonpath-plus with `wrap: false`, as json-rules-engine calls it, for the simple paths: a
 * step follows an own property of a truthy value; `*` walks array elements or object keys
 * (or follows a property literally named `*` after the first step).
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
    for (let i = 0; i < value.length; i++) follow(steps, at + 1, value[i], true, found);
  } else if (value && typeof value === 'object') {
    for (const key of Object.keys(value))
      follow(steps, at + 1, (value as Record<string, unknown>)[key], true, found);
  }
}

/** A reader of one simple path, as `resolvePath` would follow it. */
function pathReader(steps: readonly PathStep[]): (value: unknown) => unknown {
  if (!steps.every((step) => step.kind === 'name')) return (value) => resolvePath(steps, value);
  const names = steps.map((step) => (step as { name: string }).name);
  return (value) => {
    // The almanac applies a path only to objects; any other fact value is used as it is.
    if (value === null || typeof value !== 'object') return value;
    let current: unknown = value;
    for (const name of names) {
      if (!(current && Object.hasOwn(current as object, name))) return undefined;
      current = (current as Record<string, unknown>)[name];
    }
    return current;
  };
}

function resolvePath(steps: readonly PathStep[], value: unknown): unknown {
  // The almanac applies a path only to objects; any other fact value is used as it is.
  if (value === null || typeof value !== 'object') return value;
  const found: Found[] = [];
  follow(steps, 0, value, false, found);
  if (found.length === 0) return undefined;
  if (found.length === 1 && !(found[0] as Found).listed) return (found[0] as Found).value;
  return found.map((item) => item.value);
}

interface CompiledRead {
  read: Read;
  /** The same read straight from the event, for facts the event holds. */
  fromEvent?: (event: StewardEvent) => unknown;
  /** A lazy fact it needs fetched first. */
  lazy?: string;
  /** Same fact and path: one read serves every rule of a plan. */
  key: string;
}

/**
 * Reads by fact and path, shared by every rule that reads the same: thousands of rules read a
 * few dozen paths, and one reader each keeps them in the CPU's caches.
 */
const compiledReads = new Map<string, CompiledRead | null>();

function compileRead(fact: unknown, path: unknown): CompiledRead | undefined {
  if (typeof fact !== 'string') return undefined;
  const hasPath = typeof path === 'string' ? path !== '' : Boolean(path);
  if (hasPath && typeof path !== 'string') return undefined;
  const key = `${fact}\u0000${hasPath ? String(path) : ''}`;
  return remembered(compiledReads, key, () => newRead(fact, hasPath ? String(path) : '', key));
}

/** What `build` gives for `key`, built once (an undefined result too, kept as null). */
function remembered<T>(cache: Map<string, T | null>, key: string, build: () => T | undefined) {
  let value = cache.get(key);
  if (value === undefined) {
    value = build() ?? null;
    cache.set(key, value);
  }
  return value ?? undefined;
}

function newRead(fact: string, path: string, key: string): CompiledRead | undefined {
  const steps = path !== '' ? pathSteps(path) : [];
  if (!steps) return undefined;
  const reader = pathReader(steps);
  if (fact === 'record') {
    return {
      key,
      read: (scope) => reader(scope.event.raw),
      fromEvent: (event) => reader(event.raw),
    };
  }
  if (fact === 'event') {
    const first = steps[0];
    // The event fact is the event without `raw`: a path into any other field reads the event.
    if (first?.kind === 'name' && first.name !== 'raw')
      return { key, read: (scope) => reader(scope.event), fromEvent: reader };
    return {
      key,
      read: (scope) => reader(scope.view()),
      fromEvent: (event) => reader(eventFacts(event).event),
    };
  }
  if (!lazyFacts.has(fact)) return undefined;
  return { key, lazy: fact, read: (scope) => reader(scope.lazy?.get(fact)) };
}

/** An operator as the engine holds it: its fact validator, then its comparison. */
interface EngineOperator {
  evaluate(factValue: unknown, value: unknown): unknown;
}

/** The operators of one set of named lists, as compiled conditions call them. */
interface OperatorLookup {
  /** The engine's own operator (decorated ones too), so compiled conditions compare alike. */
  engine(name: string): EngineOperator | undefined;
  /** The same operator given its condition's value once, when it has no decorator. */
  prepare(name: string, value: unknown): ((factValue: unknown) => unknown) | undefined;
}

/**
 * json-rules-engine's default operators without a fact validator, prepared: the very
 * comparisons its `Operator`s make (`equal` is `a === b`, `in` is `b.indexOf(a) > -1`).
 */
const preparedBuiltIns: Record<string, (value: unknown) => (factValue: unknown) => unknown> = {
  equal: (value) => (fact) => fact === value,
  notEqual: (value) => (fact) => fact !== value,
  in: (value) => (fact) => (value as unknown[]).indexOf(fact) > -1,
  notIn: (value) => (fact) => (value as unknown[]).indexOf(fact) === -1,
};

const lookupsByLists = new WeakMap<NamedLists, OperatorLookup>();

function operatorLookup(lists: NamedLists): OperatorLookup {
  let lookup = lookupsByLists.get(lists);
  if (!lookup) {
    const engine = new Engine([], { allowUndefinedFacts: false });
    for (const operator of createOperators(lists)) engine.addOperator(operator);
    const map = (
      engine as unknown as { operators: { get(name: string): EngineOperator | undefined } }
    ).operators;
    const prepared: Record<string, (value: unknown) => (factValue: unknown) => unknown> = {
      ...preparedBuiltIns,
      ...preparedOperators(lists),
    };
    lookup = {
      engine: (name) => map.get(name),
      prepare: (name, value) => {
        const prepare = Object.hasOwn(prepared, name) ? prepared[name] : undefined;
        try {
          return prepare?.(value);
        } catch {
          // Whatever the value does to the operator, the engine's own will do it per event.
          return undefined;
        }
      },
    };
    lookupsByLists.set(lists, lookup);
  }
  return lookup;
}

/** Operators that return for any fact value; the pattern ones only once their pattern compiles. */
const patternOperators = new Set(['matches', 'notMatches', 'glob']);
const totalOperators = new Set([
  'equal',
  'notEqual',
  'contains',
  'doesNotContain',
  ...customOperators.filter((name) => !patternOperators.has(name)),
]);

function compiles(pattern: string): boolean {
  try {
    compilePattern(pattern);
    return true;
  } catch {
    return false;
  }
}

/** Whether the operator with this condition value returns, never throws, whatever the fact. */
function isTotal(operator: string, value: unknown): boolean {
  const colon = operator.indexOf(':');
  if (colon >= 0) {
    const decorator = operator.slice(0, colon);
    const inner = operator.slice(colon + 1);
    return ['not', 'someFact', 'everyFact'].includes(decorator) && isTotal(inner, value);
  }
  if (totalOperators.has(operator)) return true;
  // Numeric comparisons and `in` over a string convert the fact value, which can throw.
  if (operator === 'in' || operator === 'notIn') return Array.isArray(value);
  if (operator === 'matches' || operator === 'notMatches')
    return typeof value === 'string' && compiles(value);
  if (operator === 'glob') return typeof value === 'string' && compiles(globPattern(value));
  return false;
}

/** An equality a rule needs, so rules can be looked up by the value an event has. */
interface Guard {
  read: CompiledRead;
  values: unknown[];
  /** Its position in the top `all`. */
  child: number;
}

interface CompiledNode {
  evaluate: (scope: FactScope) => unknown;
  lazy: Set<string>;
  total: boolean;
  /** A rough relative cost of evaluating it, to try the cheap conditions first. */
  cost: number;
  /** Appends the node as program code (see `runProgram`); used only for total nodes. */
  emit: (code: number[]) => void;
  /** The children of an `all` or `any`, in the order written. */
  children?: readonly CompiledNode[];
}

/**
 * Program code: each node is `[op, size, ...]`, `size` counting its own words, so a node can be
 * skipped. A leaf is `[leaf, 3, id]` (the id of a shared condition function); `all` and `any`
 * hold their children, cheapest first; `strict` is an `all` or `any` of one child nested in
 * another condition (`child === true`); `not` negates its child; `gate` runs its first child (a
 * trigger's test) and, only when that holds, gives its second's result (true when it has none).
 */
const Op = { True: 0, Leaf: 1, All: 2, Any: 3, Strict: 4, Not: 5, Gate: 6 } as const;
type Op = (typeof Op)[keyof typeof Op];

/** Every compiled condition's function, by id: programs name conditions by these ids. */
const leafFunctions: ((scope: FactScope) => unknown)[] = [];

function emitNode(code: number[], op: Op, children: readonly CompiledNode[]): void {
  const at = code.length;
  code.push(op, 0);
  for (const child of children) child.emit(code);
  code[at + 1] = code.length - at;
}

function byCost(children: readonly CompiledNode[]): CompiledNode[] {
  return [...children].sort((a, b) => a.cost - b.cost);
}

/** Relative costs of the operators: comparisons, then string and list work, then patterns. */
const operatorCosts = new Map<string, number>([
  ['equal', 1],
  ['notEqual', 1],
  ['exists', 1],
  ['absent', 1],
  ['in', 2],
  ['notIn', 2],
  ['startsWith', 2],
  ['endsWith', 2],
  ['inList', 2],
  ['notInList', 2],
  ['contains', 3],
  ['doesNotContain', 3],
  ['olderThan', 4],
  ['newerThan', 4],
  ['inCidr', 6],
  ['cidrOverlaps', 6],
  ['worldOpen', 8],
  ['glob', 10],
  ['matches', 10],
  ['notMatches', 10],
]);

function operatorCost(operator: string): number {
  const base = baseOperator(operator);
  return (operatorCosts.get(base) ?? 5) + (base === operator ? 0 : 2);
}

interface CompiledConditions {
  evaluate: (scope: FactScope) => unknown;
  /** The compiled tree, when it can run as a program: it cannot throw and reads no lazy fact. */
  program?: CompiledNode;
  lazy: string[];
  /** The rule is false, without error, whenever any guard's value is not among its values. */
  guards: Guard[];
}

const has = (node: object, key: string) => Object.hasOwn(node, key);

function isGuardValue(value: unknown): boolean {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && !Number.isNaN(value))
  );
}

/**
 * Compiles a condition the way json-rules-engine evaluates it when no condition sets a
 * priority: every condition of the tree is evaluated, `all`/`any` of one condition is that
 * condition's result, of none is true, of several is whether every/some result is `true`.
 */
function compileNode(
  node: unknown,
  lookup: OperatorLookup,
  nested: boolean,
): CompiledNode | undefined {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
  const condition = node as Record<string, unknown>;
  if (has(condition, 'priority') || has(condition, 'condition')) return undefined;
  const strict = (evaluate: (scope: FactScope) => unknown) =>
    nested ? (scope: FactScope) => evaluate(scope) === true : evaluate;
  for (const kind of ['any', 'all'] as const) {
    if (!has(condition, kind)) continue;
    const list = condition[kind];
    if (!Array.isArray(list)) return undefined;
    const children: CompiledNode[] = [];
    for (const child of list) {
      const compiled = compileNode(child, lookup, true);
      if (!compiled) return undefined;
      children.push(compiled);
    }
    const lazy = new Set(children.flatMap((child) => [...child.lazy]));
    const total = children.every((child) => child.total);
    const cost = children.reduce((sum, child) => sum + child.cost, 1);
    const only = children[0] as CompiledNode;
    const shape = { lazy, total, cost, children };
    if (children.length === 0)
      return { ...shape, evaluate: () => true, emit: (code) => code.push(Op.True, 2) };
    if (children.length === 1) {
      return {
        ...shape,
        evaluate: strict(only.evaluate),
        emit: nested ? (code) => emitNode(code, Op.Strict, children) : only.emit,
      };
    }
    const op = kind === 'all' ? Op.All : Op.Any;
    return {
      ...shape,
      evaluate: combine(kind, children, total),
      emit: (code) => emitNode(code, op, byCost(children)),
    };
  }
  if (has(condition, 'not')) {
    const child = compileNode(condition.not, lookup, true);
    if (!child) return undefined;
    const evaluateChild = child.evaluate;
    return {
      evaluate: (scope) => !evaluateChild(scope),
      lazy: child.lazy,
      total: child.total,
      cost: child.cost,
      emit: (code) => emitNode(code, Op.Not, [child]),
    };
  }
  return compileLeaf(condition, lookup);
}

/**
 * Compiled conditions by their text, per set of operators: the same condition in many rules
 * (`actor.type notEqual AWSService`) is one function, which stays in the CPU's caches.
 */
const compiledLeaves = new WeakMap<OperatorLookup, Map<string, CompiledNode | null>>();

function compileLeaf(
  condition: Record<string, unknown>,
  lookup: OperatorLookup,
): CompiledNode | undefined {
  if (!has(condition, 'fact') || !has(condition, 'operator') || !has(condition, 'value'))
    return undefined;
  let leaves = compiledLeaves.get(lookup);
  if (!leaves) {
    leaves = new Map();
    compiledLeaves.set(lookup, leaves);
  }
  const key = JSON.stringify([
    condition.fact,
    condition.path,
    condition.operator,
    leafValue(condition),
  ]);
  return remembered(leaves, key, () => newLeaf(condition, lookup));
}

/**
 * The condition's value as its leaf is known by: for `in` and `notIn` over plain values, the
 * values sorted and each once, since membership does not depend on their order (the same
 * regions written in another order are the same condition).
 */
function leafValue(condition: Record<string, unknown>): unknown {
  const value = condition.value;
  if (condition.operator !== 'in' && condition.operator !== 'notIn') return value;
  if (!Array.isArray(value) || !value.every(isPlainValue)) return value;
  return [...new Set(value.map((item) => JSON.stringify(item)))].sort();
}

/** A value JSON writes as itself (so two of them are equal exactly when their JSON is). */
function isPlainValue(value: unknown): boolean {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0))
  );
}

function newLeaf(
  condition: Record<string, unknown>,
  lookup: OperatorLookup,
): CompiledNode | undefined {
  if (typeof condition.operator !== 'string') return undefined;
  const operator = lookup.engine(condition.operator);
  const factRead = compileRead(condition.fact, condition.path);
  if (!operator || !factRead) return undefined;
  const value = condition.value;
  const lazy = new Set(factRead.lazy === undefined ? [] : [factRead.lazy]);
  const readFact = factRead.read;
  const cost = operatorCost(condition.operator);
  if (value !== null && typeof value === 'object' && has(value, 'fact')) {
    const reference = value as Record<string, unknown>;
    const valueRead = compileRead(reference.fact, reference.path);
    if (!valueRead) return undefined;
    if (valueRead.lazy !== undefined) lazy.add(valueRead.lazy);
    const readValue = valueRead.read;
    return leaf({
      evaluate: (scope) => operator.evaluate(readFact(scope), readValue(scope)),
      lazy,
      total: false,
      cost,
    });
  }
  const test = lookup.prepare(condition.operator, value);
  return leaf({
    evaluate: test
      ? (scope) => test(readFact(scope))
      : (scope) => operator.evaluate(readFact(scope), value),
    lazy,
    total: factRead.lazy === undefined && isTotal(condition.operator, value),
    cost,
  });
}

/** A compiled condition, given an id so programs can name it. */
function leaf(node: Omit<CompiledNode, 'emit'>): CompiledNode {
  const id = leafFunctions.push(node.evaluate) - 1;
  return { ...node, emit: (code) => code.push(Op.Leaf, 3, id) };
}

/**
 * `all` or `any` of several children, as json-rules-engine decides it. When no child can throw
 * (nor reads a lazy fact, which could fail), evaluating every child only repeats what the first
 * decisive one said: the children then run cheapest first and stop at the first that decides.
 * Otherwise every child runs, so an error is never hidden behind an earlier decision.
 */
function combine(
  kind: 'all' | 'any',
  children: readonly CompiledNode[],
  total: boolean,
): (scope: FactScope) => boolean {
  const decisive = kind === 'any';
  if (total) {
    const ordered = byCost(children).map((child) => child.evaluate);
    return (scope) => {
      for (const evaluateChild of ordered)
        if ((evaluateChild(scope) === true) === decisive) return decisive;
      return !decisive;
    };
  }
  const evaluators = children.map((child) => child.evaluate);
  return (scope) => {
    let result = !decisive;
    for (const evaluateChild of evaluators)
      if ((evaluateChild(scope) === true) === decisive) result = decisive;
    return result;
  };
}

/** The guards of a total rule whose top level is `all`: its `equal` and `in` conditions. */
function guardsOf(conditions: TopLevelCondition): Guard[] {
  if (has(conditions, 'any') || !has(conditions, 'all')) return [];
  const guards: Guard[] = [];
  for (const [position, child] of (conditions as { all: unknown[] }).all.entries()) {
    const condition = child as Record<string, unknown>;
    if (has(condition, 'all') || has(condition, 'any') || has(condition, 'not')) continue;
    const read = compileRead(condition.fact, condition.path);
    if (!read || read.lazy !== undefined) continue;
    if (condition.operator === 'equal' && isGuardValue(condition.value))
      guards.push({ read, values: [condition.value], child: position });
    if (condition.operator === 'in' && Array.isArray(condition.value)) {
      const values = [...new Set(condition.value.filter(isGuardValue))];
      guards.push({ read, values, child: position });
    }
  }
  return guards;
}

/**
 * What evaluation works out once per rule and keeps on the rule itself: its compiled
 * conditions (null when only json-rules-engine can evaluate them) and its two verdicts without
 * an error or an explanation, the same for every event. On the rule, not in a WeakMap: with
 * thousands of rules, the lookup is a cache miss the hot path does not need.
 */
interface RuleState {
  compiled: CompiledConditions | null;
  fires: RuleVerdict;
  quiet: RuleVerdict;
}

const ruleState = Symbol('steward.evaluation');

type RuleWithState = CompiledRule & { [ruleState]?: RuleState };

function stateOf(rule: CompiledRule): RuleState {
  let state = (rule as RuleWithState)[ruleState];
  if (!state) {
    const conditions = rule.document.conditions ?? { all: [] };
    const node =
      has(conditions, 'any') || has(conditions, 'all') || has(conditions, 'not')
        ? compileNode(conditions, operatorLookup(rule.lists), false)
        : undefined;
    state = {
      compiled: node
        ? {
            evaluate: node.evaluate,
            ...(node.total && node.lazy.size === 0 ? { program: node } : {}),
            lazy: [...node.lazy],
            guards: node.total && node.lazy.size === 0 ? guardsOf(conditions) : [],
          }
        : null,
      fires: Object.freeze({ rule, fires: true }),
      quiet: Object.freeze({ rule, fires: false }),
    };
    Object.defineProperty(rule, ruleState, { value: state });
  }
  return state;
}

/** The rule's conditions as functions, or undefined when only json-rules-engine can evaluate them. */
function compiledConditions(rule: CompiledRule): CompiledConditions | undefined {
  return stateOf(rule).compiled ?? undefined;
}

/** The rule's verdict without an error or an explanation: one frozen object per rule and result. */
export function settled(rule: CompiledRule, fires: boolean): RuleVerdict {
  const state = stateOf(rule);
  return fires ? state.fires : state.quiet;
}

/**
 * The rule's conditions as program code (see `runProgram`), or undefined when they can throw or
 * read a lazy fact. With `knownTrue`, the top `all`'s condition at that position is left out:
 * the caller has checked that it holds (a guard the rule index looked the event up by).
 */
export function ruleProgram(rule: CompiledRule, knownTrue = -1): number[] | undefined {
  const node = compiledConditions(rule)?.program;
  if (!node) return undefined;
  const code: number[] = [];
  const children = node.children;
  if (knownTrue < 0 || !children) node.emit(code);
  // What is left is still an `all` of several conditions: each must be exactly `true`.
  else emitNode(code, Op.All, byCost(children.filter((_, position) => position !== knownTrue)));
  return code;
}

/**
 * A test of the event itself (a trigger's `match`, a log filter pattern) as a leaf programs
 * can name: its id, for `gatedProgram`. `key` says what it tests: the same key, the same test.
 */
export function eventTestLeaf(key: string, test: () => (event: StewardEvent) => boolean): number {
  let id = eventTestLeaves.get(key);
  if (id === undefined) {
    const meets = test();
    id = leafFunctions.push((scope) => meets(scope.event)) - 1;
    eventTestLeaves.set(key, id);
  }
  return id;
}

/** The event tests' leaf ids by what they test: every index and listing shares them. */
const eventTestLeaves = new Map<string, number>();

/**
 * Program code that holds when one of the event tests `tests` (from `eventTestLeaf`) holds and
 * then `program` does (from `ruleProgram`; without one, when a test holds): a rule that listens
 * only through triggers with such tests, so the rule index can file it with the rest of its
 * listing and test the event only when the rule's guards have already let it through.
 */
export function gatedProgram(tests: readonly number[], program?: readonly number[]): number[] {
  const code: number[] = [Op.Gate, 0];
  if (tests.length === 1) code.push(Op.Leaf, 3, tests[0] as number);
  else {
    code.push(Op.Any, 2 + 3 * tests.length);
    for (const test of tests) code.push(Op.Leaf, 3, test);
  }
  if (program) code.push(...program);
  code[1] = code.length;
  return code;
}

/** Runs the program at `at`, with json-rules-engine's results (see `compileNode`). */
function runProgram(code: Int32Array, at: number, scope: FactScope): unknown {
  switch (code[at]) {
    case Op.Leaf:
      return (leafFunctions[code[at + 2] as number] as (scope: FactScope) => unknown)(scope);
    case Op.All: {
      const end = at + (code[at + 1] as number);
      for (let child = at + 2; child < end; child += code[child + 1] as number)
        if (runProgram(code, child, scope) !== true) return false;
      return true;
    }
    case Op.Any: {
      const end = at + (code[at + 1] as number);
      for (let child = at + 2; child < end; child += code[child + 1] as number)
        if (runProgram(code, child, scope) === true) return true;
      return false;
    }
    case Op.Strict:
      return runProgram(code, at + 2, scope) === true;
    case Op.Not:
      return !runProgram(code, at + 2, scope);
    case Op.Gate: {
      const test = at + 2;
      if (runProgram(code, test, scope) !== true) return false;
      const program = test + (code[test + 1] as number);
      return program < at + (code[at + 1] as number) ? runProgram(code, program, scope) : true;
    }
    default:
      return true;
  }
}

/** One event's evaluation: its facts, its lazy fact cache, and the engine for what cannot compile. */
export class EventEvaluation {
  readonly scope: FactScope;
  private facts?: Record<string, unknown>;
  private cache?: LazyFactCache;

  constructor(
    readonly event: StewardEvent,
    private readonly options: EvaluationOptions,
  ) {
    this.scope = new FactScope(event);
  }

  private lazyCache(): LazyFactCache {
    this.cache ??= new LazyFactCache(this.event, this.options);
    return this.cache;
  }

  /** Whether the program at `at` in `code` (from `ruleProgram`) holds for this event. */
  runs(code: Int32Array, at: number): boolean {
    return Boolean(runProgram(code, at, this.scope));
  }

  /** The verdict, synchronously when the rule compiled and reads no lazy fact. */
  verdict(rule: CompiledRule): RuleVerdict | Promise<RuleVerdict> {
    let compiled: CompiledConditions | undefined;
    try {
      compiled = this.options.explain === true ? undefined : compiledConditions(rule);
      if (compiled?.lazy.length === 0) return settled(rule, Boolean(compiled.evaluate(this.scope)));
    } catch {
      // The engine reports the failure in its own words.
      return this.withEngine(rule);
    }
    return compiled ? this.withLazyFacts(rule, compiled) : this.withEngine(rule);
  }

  private async withLazyFacts(
    rule: CompiledRule,
    compiled: CompiledConditions,
  ): Promise<RuleVerdict> {
    const cache = this.lazyCache();
    try {
      const values = await Promise.all(
        compiled.lazy.map((name) => cache.value(lazyFacts.get(name) as LazyFact)),
      );
      const known = (this.scope.lazy ??= new Map());
      compiled.lazy.forEach((name, i) => known.set(name, values[i]));
      return settled(rule, Boolean(compiled.evaluate(this.scope)));
    } catch {
      return this.withEngine(rule);
    }
  }

  /** The rule's verdict from json-rules-engine; never rejects: a failure is the verdict's error. */
  async withEngine(rule: CompiledRule): Promise<RuleVerdict> {
    try {
      this.facts ??= eventFacts(this.event);
      const cache = this.lazyCache();
      const almanac = new Almanac({ allowUndefinedFacts: false, pathResolver: resolveJsonPath });
      for (const [name, value] of Object.entries(this.facts)) almanac.addRuntimeFact(name, value);
      for (const fact of lazyFacts.values()) almanac.addFact(fact.name, () => cache.value(fact));
      const { results, failureResults } = await engineFor(rule).run({}, { almanac });
      const result = results[0] ?? failureResults[0];
      const fires = results.length > 0;
      return this.options.explain === true
        ? { rule, fires, conditions: result?.conditions }
        : settled(rule, fires);
    } catch (error) {
      return failedVerdict(rule, error);
    }
  }
}

/**
 * The verdict of a rule whose evaluation threw: it does not fire, and says why. The error stays
 * the rule's, for this event; the other rules are still evaluated.
 *
 * @example
 * try { fires = evaluation.runs(code, at); } catch (error) { verdicts.push(failedVerdict(rule, error)); }
 */
export function failedVerdict(rule: CompiledRule, error: unknown): RuleVerdict {
  return {
    rule,
    fires: false,
    error: error instanceof Error ? error.message : String(error),
    ...(error instanceof FactUnavailableError && error.transient ? { transient: true } : {}),
  };
}

/**
 * An equality a rule needs: the rule is false, without error, for any event whose value at
 * `key` (a fact and path of the event itself) is not one of `values`.
 */
export interface RuleGuard {
  /** The fact and path read: rules with the same key are looked up by one read. */
  key: string;
  values: readonly unknown[];
  read(event: StewardEvent): unknown;
  /** Its position in the top `all` (what `ruleProgram` can leave out). */
  child: number;
}

/**
 * A guard on a field of the event itself, keyed and read as a condition on the `event` fact at
 * `path` is: rules guarded by a condition on `$.account` and rules scoped to accounts share one
 * lookup of the event's account. The guard holds no condition (`child` is -1).
 *
 * @example
 * eventFieldGuard('$.account', ['111122223333']).read(event); // event.account
 */
export function eventFieldGuard(path: string, values: readonly unknown[]): RuleGuard {
  const read = compileRead('event', path);
  if (read?.fromEvent === undefined)
    throw new TypeError(`${path} is not a path into the event's own fields`);
  return { key: read.key, values, read: read.fromEvent, child: -1 };
}

const publicGuards = new WeakMap<CompiledRule, RuleGuard[]>();

/**
 * The guards of a rule: the `equal` and `in` conditions at the top `all` of a rule that reads
 * no lazy fact and whose evaluation cannot fail, so skipping it for an event that misses a
 * guard changes neither its verdict nor an error. The rule index files rules under them.
 */
export function ruleGuards(rule: CompiledRule): readonly RuleGuard[] {
  let guards = publicGuards.get(rule);
  if (!guards) {
    guards = (compiledConditions(rule)?.guards ?? []).map(({ read, values, child }) => ({
      key: read.key,
      values,
      child,
      read: read.fromEvent ?? ((event: StewardEvent) => read.read(new FactScope(event))),
    }));
    publicGuards.set(rule, guards);
  }
  return guards;
}

/**
 * Evaluates the candidate rules of one event with json-rules-engine's semantics. Conditions
 * over the event and the record run as compiled functions calling the engine's own operators;
 * lazy facts are fetched only when a condition reads them, once per event; anything else, any failure and
 * every explanation goes through json-rules-engine itself. A rule whose evaluation fails is
 * reported with its error, never as a silent non-match.
 */
export async function evaluateRules(
  event: StewardEvent,
  rules: readonly CompiledRule[],
  options: EvaluationOptions = {},
): Promise<RuleVerdict[]> {
  if (rules.length === 0) return [];
  const evaluation = new EventEvaluation(event, options);
  const verdicts = new Array<RuleVerdict>(rules.length);
  // Only the rules that need the engine or a lazy fact are awaited, not the whole list.
  let pending: Promise<void>[] | undefined;
  for (let position = 0; position < rules.length; position++) {
    const verdict = evaluation.verdict(rules[position] as CompiledRule);
    if (verdict instanceof Promise) {
      (pending ??= []).push(
        verdict.then((settledVerdict) => {
          verdicts[position] = settledVerdict;
        }),
      );
    } else verdicts[position] = verdict;
  }
  if (pending) await Promise.all(pending);
  return verdicts;
}
