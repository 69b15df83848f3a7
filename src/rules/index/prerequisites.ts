import type { StewardEvent } from '../../sources/steward-event.js';
import type { ConditionPack } from '../conditions/pack.js';
import { compileRead } from '../conditions/paths.js';
import type { CompiledRule } from '../rule.js';
import type { RuleScope } from '../scope.js';

/**
 * An index prerequisite: a value a rule needs the event to hold at a fact and path, or the rule
 * is false without error (an `equal`, `in` or `startsWith` condition at the top `all` of a rule
 * that cannot fail, or a dimension of its scope). The rule index files rules under one prerequisite each
 * and looks an event up by the value it holds. Not to be confused with the ledger's guards.
 */
export interface IndexPrerequisite {
  /** The fact and path read: prerequisites with the same key are looked up by one read. */
  key: string;
  values: readonly unknown[];
  /** The values are prefixes (a `startsWith`): the event's value must start with one. */
  prefixes?: true;
  read: (event: StewardEvent) => unknown;
  /** Its position in the top `all`, which the rule then need not evaluate; -1 for a scope. */
  child: number;
  /** For a scope prerequisite, the dimension it holds the rule to. */
  dimension?: 'accounts' | 'regions';
}

/** A value an index can be keyed by (compared with `===` as `equal` and `in` compare). */
function isKeyValue(value: unknown): boolean {
  return (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && !Number.isNaN(value))
  );
}

/** A prerequisite on a field of the event itself, read and keyed as a condition on `event` is. */
function eventField(
  path: string,
  values: readonly unknown[],
  dimension: 'accounts' | 'regions',
): IndexPrerequisite {
  const read = compileRead('event', path);
  if (read?.fromEvent === undefined) throw new TypeError(`${path} is not a path into the event`);
  return { key: read.key, values, read: read.fromEvent, child: -1, dimension };
}

/**
 * The prerequisites of a rule's scope: an event whose account (region) is not among them, or
 * that names none, does not reach the rule. They hold whatever the conditions read, since a
 * rule out of scope is never evaluated; rules guarded by `$.account` conditions share the read.
 *
 * @example
 * scopePrerequisites({ regions: new Set(['eu-west-1']) }); // one on event $.region
 */
export function scopePrerequisites(scope: RuleScope): IndexPrerequisite[] {
  const found: IndexPrerequisite[] = [];
  if (scope.accounts !== undefined)
    found.push(eventField('$.account', [...scope.accounts], 'accounts'));
  if (scope.regions !== undefined)
    found.push(eventField('$.region', [...scope.regions], 'regions'));
  return found;
}

/**
 * The prerequisites of a rule's conditions: the `equal`, `in` and `startsWith` conditions at the top `all`
 * of a rule whose compiled conditions cannot fail and read no lazy fact, so skipping it for an
 * event that misses one changes neither its verdict nor an error.
 *
 * @example
 * conditionPrerequisites(rule, pack); // [{ key: 'event\u0000$.account', values: ['1111…'], … }]
 */
export function conditionPrerequisites(
  rule: CompiledRule,
  pack: ConditionPack,
): IndexPrerequisite[] {
  const compiled = pack.of(rule).compiled;
  const tree = rule.document.conditions as Record<string, unknown> | undefined;
  if (!compiled?.total || compiled.lazy.size > 0 || !tree || !Array.isArray(tree.all)) return [];
  if (Object.hasOwn(tree, 'any')) return [];
  const compiler = pack.compiler(rule.lists);
  const found: IndexPrerequisite[] = [];
  tree.all.forEach((child: unknown, position) => {
    const condition = child as Record<string, unknown>;
    if (['all', 'any', 'not'].some((kind) => Object.hasOwn(condition, kind))) return;
    const read = compiler.read(condition.fact, condition.path);
    if (!read || read.lazy !== undefined) return;
    const eventRead = read.fromEvent;
    if (!eventRead) return;
    if (condition.operator === 'equal' && isKeyValue(condition.value))
      found.push({ key: read.key, values: [condition.value], read: eventRead, child: position });
    if (condition.operator === 'in' && Array.isArray(condition.value)) {
      const values = [...new Set(condition.value.filter(isKeyValue))];
      found.push({ key: read.key, values, read: eventRead, child: position });
    }
    if (condition.operator === 'startsWith' && typeof condition.value === 'string')
      found.push({
        key: `${read.key}\u0000startsWith`,
        values: [condition.value],
        prefixes: true,
        read: eventRead,
        child: position,
      });
  });
  return found;
}
