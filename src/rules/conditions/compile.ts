import { BoundedMemo } from '../memo.js';
import type { FactValues } from './fact-values.js';
import type { FactTest, Operators } from './operators.js';
import { compileRead, type FactRead } from './paths.js';

/**
 * A condition tree compiled to a closure that gives json-rules-engine's result for it, when no
 * condition sets a priority: every condition is evaluated; `all`/`any` of one condition is that
 * condition's result, of none is true, of several is whether every/some result is `true`.
 */
export interface CompiledCondition {
  /** Its number in its compiler: conditions with the same children share one closure. */
  id: number;
  evaluate: (values: FactValues) => unknown;
  /** The lazy facts it reads, fetched before it runs. */
  lazy: ReadonlySet<string>;
  /**
   * It cannot throw, whatever the event and the lazy facts it reads once they are fetched: its
   * first decisive child may decide alone. (A fact that cannot be fetched is the rule's error
   * before any condition runs, as in json-rules-engine, which fetches every fact a rule reads.)
   */
  total: boolean;
  /** A rough relative cost, to run cheap conditions first. */
  cost: number;
  /** The children of an `all` or `any` of several, in the order written. */
  children?: readonly CompiledCondition[];
}

const has = (node: object, key: string) => Object.hasOwn(node, key);

/** A value JSON writes as itself (so two of them are equal exactly when their JSON is). */
function isPlainValue(value: unknown): boolean {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value) && !Object.is(value, -0))
  );
}

/**
 * The condition's value as its memo knows it: for `in` and `notIn` over plain values, sorted
 * and each once, since membership does not depend on order (the same regions written in
 * another order are the same condition, one closure).
 */
function leafValue(condition: Record<string, unknown>): unknown {
  const value = condition.value;
  if (condition.operator !== 'in' && condition.operator !== 'notIn') return value;
  if (!Array.isArray(value) || !value.every(isPlainValue)) return value;
  return [...new Set(value.map((item) => JSON.stringify(item)))].sort();
}

/** A compiled condition's closure. */
export type Evaluate = (values: FactValues) => unknown;

function cheapestFirst(children: readonly CompiledCondition[]): Evaluate[] {
  return [...children].sort((a, b) => a.cost - b.cost).map((child) => child.evaluate);
}

/**
 * What conditions that cannot fail decide together, the first decisive one deciding: as an
 * `any` (`decisive` true: whether one is `true`) or an `all` (false: whether none is not).
 *
 * @example
 * decides(checks, false, values); // every check holds
 */
export function decides(
  ordered: readonly Evaluate[],
  decisive: boolean,
  values: FactValues,
): boolean {
  for (const evaluate of ordered) if ((evaluate(values) === true) === decisive) return decisive;
  return !decisive;
}

/**
 * `all` (or `any`) of `children`. When none can throw, evaluating every child only repeats
 * what the first decisive one said: the cheapest then run first and the first decisive one
 * decides. Otherwise every child runs, so an error is never hidden behind an earlier decision.
 */
function combine(
  kind: 'all' | 'any',
  children: readonly CompiledCondition[],
  total: boolean,
): (values: FactValues) => boolean {
  const decisive = kind === 'any';
  if (total) {
    const ordered = cheapestFirst(children);
    return (values) => decides(ordered, decisive, values);
  }
  const evaluators = children.map((child) => child.evaluate);
  return (values) => {
    let result = !decisive;
    for (const evaluate of evaluators)
      if ((evaluate(values) === true) === decisive) result = decisive;
    return result;
  };
}

/**
 * Compiles the conditions of one rule pack, sharing what rules share: a fact and path is read
 * by one closure, and the same condition in many rules (`actor.type notEqual AWSService`) is
 * one closure too, which stays in the CPU's caches.
 *
 * @example
 * const compiler = new ConditionCompiler(new Operators(lists));
 * compiler.compile(rule.document.conditions)?.evaluate(new FactValues(event)); // true or false
 */
export class ConditionCompiler {
  readonly reads = new BoundedMemo<string, FactRead | undefined>('fact reads', 4096);
  readonly leaves = new BoundedMemo<string, CompiledCondition | undefined>('conditions', 65_536);
  /** `all`/`any` closures by their children: thousands of rules combine the same few conditions. */
  readonly groups = new BoundedMemo<string, (values: FactValues) => boolean>('groups', 65_536);
  private count = 0;

  constructor(readonly operators: Operators) {}

  /** The read of a fact and path, shared by every condition that reads it. */
  read(fact: unknown, path: unknown): FactRead | undefined {
    if (typeof fact !== 'string' || (path !== undefined && typeof path !== 'string'))
      return compileRead(fact, path);
    return this.reads.get(`${fact}\u0000${path ?? ''}`, () => compileRead(fact, path));
  }

  /**
   * The tree compiled, or undefined when only json-rules-engine can evaluate it (priorities,
   * condition references, decorated or unknown operators, a fact that is not one).
   */
  compile(tree: object): CompiledCondition | undefined {
    if (!['all', 'any', 'not'].some((kind) => has(tree, kind))) return undefined;
    return this.node(tree, false);
  }

  private node(node: unknown, nested: boolean): CompiledCondition | undefined {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) return undefined;
    const condition = node as Record<string, unknown>;
    if (has(condition, 'priority') || has(condition, 'condition')) return undefined;
    for (const kind of ['any', 'all'] as const) {
      if (has(condition, kind)) return this.group(kind, condition[kind], nested);
    }
    if (has(condition, 'not')) {
      const child = this.node(condition.not, true);
      if (!child) return undefined;
      const evaluate = child.evaluate;
      return {
        ...child,
        id: this.count++,
        children: undefined,
        evaluate: (values) => !evaluate(values),
      };
    }
    return this.leaf(condition);
  }

  private group(
    kind: 'all' | 'any',
    list: unknown,
    nested: boolean,
  ): CompiledCondition | undefined {
    if (!Array.isArray(list)) return undefined;
    const children: CompiledCondition[] = [];
    for (const child of list) {
      const compiled = this.node(child, true);
      if (!compiled) return undefined;
      children.push(compiled);
    }
    const lazy = new Set(children.flatMap((child) => [...child.lazy]));
    const total = children.every((child) => child.total);
    const cost = children.reduce((sum, child) => sum + child.cost, 1);
    const shape = { id: this.count++, lazy, total, cost };
    if (children.length === 0) return { ...shape, evaluate: () => true };
    if (children.length === 1) {
      const only = (children[0] as CompiledCondition).evaluate;
      // Nested, the group's result is compared with `true`; at the top, the engine takes it as it is.
      return { ...shape, evaluate: nested ? (values) => only(values) === true : only };
    }
    return { ...shape, children, evaluate: this.combined(kind, children, total) };
  }

  private leaf(condition: Record<string, unknown>): CompiledCondition | undefined {
    if (!has(condition, 'fact') || !has(condition, 'operator') || !has(condition, 'value'))
      return undefined;
    const key = JSON.stringify([
      condition.fact,
      condition.path,
      condition.operator,
      leafValue(condition),
    ]);
    return this.leaves.get(key, () => this.newLeaf(condition));
  }

  private newLeaf(condition: Record<string, unknown>): CompiledCondition | undefined {
    const { operator, value } = condition;
    if (typeof operator !== 'string') return undefined;
    const factRead = this.read(condition.fact, condition.path);
    if (!factRead) return undefined;
    const readFact = factRead.read;
    const lazy = new Set(factRead.lazy === undefined ? [] : [factRead.lazy]);
    const cost = this.operators.cost(operator);
    if (value !== null && typeof value === 'object' && has(value, 'fact')) {
      const reference = value as Record<string, unknown>;
      const valueRead = this.read(reference.fact, reference.path);
      if (!valueRead || !this.operators.knows(operator)) return undefined;
      if (valueRead.lazy !== undefined) lazy.add(valueRead.lazy);
      const readValue = valueRead.read;
      const operators = this.operators;
      return {
        evaluate: (values) => operators.prepare(operator, readValue(values))?.(readFact(values)),
        id: this.count++,
        lazy,
        total: false,
        cost,
      };
    }
    let test: FactTest | undefined;
    try {
      test = this.operators.prepare(operator, value);
    } catch {
      // Whatever the value does to the operator, json-rules-engine does per event, in its words.
      return undefined;
    }
    if (!test) return undefined;
    const total = this.operators.isTotal(operator, value);
    return { id: this.count++, evaluate: (values) => test(readFact(values)), lazy, total, cost };
  }

  /**
   * A condition that cannot fail as checks that must all hold (see `decides`): the children
   * of its top `all` less the one at `known`, which the caller knows holds (the index
   * prerequisite the rule index found the rule by), cheapest first; or the condition whole.
   * The rule index runs them without a closure of the rule's own between it and them.
   *
   * @example
   * decides(compiler.checks(compiled, 0), false, values); // the other conditions of the top `all`
   */
  checks(compiled: CompiledCondition, known: number): readonly Evaluate[] {
    const children = compiled.children;
    if (known < 0 || !children || !compiled.total) return [compiled.evaluate];
    return cheapestFirst(children.filter((_, position) => position !== known));
  }

  /** `combine`, one closure for every group of the same kind and children. */
  private combined(
    kind: 'all' | 'any',
    children: readonly CompiledCondition[],
    total: boolean,
  ): (values: FactValues) => boolean {
    const key = `${kind} ${total} ${children.map((child) => child.id).join(' ')}`;
    return this.groups.get(key, () => combine(kind, children, total));
  }
}
