import type { StewardEvent } from '../sources/steward-event.js';
import type { NamedLists } from './lists.js';

/**
 * A rule's `scope` as its author wrote it: accounts and regions, each entry a literal (a
 * 12-digit account id, a region name) or the name of a list in the lists file.
 */
export interface ScopeDocument {
  accounts?: string[];
  regions?: string[];
}

/** The accounts and regions a rule applies to, its named lists resolved. */
export interface RuleScope {
  /** Absent: every account. */
  accounts?: ReadonlySet<string>;
  /** Absent: every region. */
  regions?: ReadonlySet<string>;
}

type Dimension = keyof ScopeDocument;

const accountId = /^\d{12}$/;
/** `us-east-1`, `us-gov-west-1`, `cn-northwest-1`, `eusc-de-east-1`. */
const regionName = /^[a-z]{2,4}(?:-[a-z]+)+-\d{1,2}$/;

const literal: Record<Dimension, { test: (entry: string) => boolean; what: string }> = {
  accounts: { test: (entry) => accountId.test(entry), what: 'an account id (12 digits)' },
  regions: { test: (entry) => regionName.test(entry), what: 'a region name (like us-east-1)' },
};

/** Names a list the rule's scope needs that the lists file does not hold. */
export class UnknownScopeListError extends Error {
  constructor(
    readonly rule: string,
    readonly list: string,
  ) {
    super(`rule ${rule} is scoped by the list "${list}", which the named lists do not hold`);
    this.name = 'UnknownScopeListError';
  }
}

/** One thing wrong with a scope entry: which entry, and what. */
export interface ScopeProblem {
  dimension: Dimension;
  index: number;
  message: string;
}

/**
 * Everything wrong with a scope: entries that are neither a literal nor a named list, account
 * ids that are not 12 digits, lists holding something that is not an account id or a region.
 *
 * @example
 * scopeProblems({ accounts: ['12345'] }, new Map());
 * // [{ dimension: 'accounts', index: 0, message: '"12345" is not an account id (12 digits)' }]
 */
export function scopeProblems(scope: ScopeDocument, lists: NamedLists): ScopeProblem[] {
  const problems: ScopeProblem[] = [];
  for (const dimension of ['accounts', 'regions'] as const) {
    const { test, what } = literal[dimension];
    (scope[dimension] ?? []).forEach((entry, index) => {
      const problem = (message: string) => problems.push({ dimension, index, message });
      if (test(entry)) return;
      if (dimension === 'accounts' && /^\d+$/.test(entry)) {
        problem(`${JSON.stringify(entry)} is not ${what}`);
        return;
      }
      const members = lists.get(entry);
      if (members === undefined) {
        const known = [...lists.keys()].join(', ') || 'none';
        problem(
          `${JSON.stringify(entry)} is neither ${what} nor a named list; lists defined: ${known}`,
        );
        return;
      }
      const stray = [...members].find((member) => !test(member));
      if (stray !== undefined)
        problem(
          `list ${JSON.stringify(entry)} holds ${JSON.stringify(stray)}, which is not ${what}`,
        );
    });
  }
  return problems;
}

/**
 * The scope with its named lists resolved to their members, or undefined for a rule without
 * one (it applies everywhere). Throws `UnknownScopeListError` for a list the lists lack, which
 * validation reports before a rule gets here.
 *
 * @example
 * const scope = resolveScope('my-rule', { regions: ['us-east-1', 'eu-regions'] }, lists);
 * scope?.regions?.has('eu-west-1'); // true when the list eu-regions holds it
 */
export function resolveScope(
  rule: string,
  scope: ScopeDocument | undefined,
  lists: NamedLists,
): RuleScope | undefined {
  if (scope === undefined) return undefined;
  const resolved: { -readonly [D in Dimension]?: ReadonlySet<string> } = {};
  for (const dimension of ['accounts', 'regions'] as const) {
    const entries = scope[dimension];
    if (entries === undefined) continue;
    const members = new Set<string>();
    for (const entry of entries) {
      if (literal[dimension].test(entry)) {
        members.add(entry);
        continue;
      }
      const list = lists.get(entry);
      if (list === undefined) throw new UnknownScopeListError(rule, entry);
      for (const member of list) members.add(member);
    }
    resolved[dimension] = members;
  }
  return resolved;
}

/**
 * Why the event is outside the scope, or undefined when it is inside. An event that does not
 * say its account (or region) is outside a scope that names accounts (or regions): a scoped rule
 * acts only where it is known to apply.
 *
 * @example
 * outOfScope({ regions: new Set(['eu-west-1']) }, event);
 * // 'region us-east-1 is not in its scope (eu-west-1)'
 */
export function outOfScope(scope: RuleScope, event: StewardEvent): string | undefined {
  for (const [dimension, value, singular] of [
    ['accounts', event.account, 'account'],
    ['regions', event.region, 'region'],
  ] as const) {
    const allowed = scope[dimension];
    if (allowed === undefined || (value !== undefined && allowed.has(value))) continue;
    const listed = [...allowed].join(', ');
    return value === undefined
      ? `the event names no ${singular}, and its scope names ${dimension} (${listed})`
      : `${singular} ${value} is not in its scope (${listed})`;
  }
  return undefined;
}

/**
 * Whether the event is inside the scope: what `outOfScope` says without building a reason, for
 * the rule index's hot path.
 *
 * @example
 * if (rule.scope && !inScope(rule.scope, event)) continue;
 */
export function inScope(scope: RuleScope, event: StewardEvent): boolean {
  const { accounts, regions } = scope;
  if (accounts !== undefined && (event.account === undefined || !accounts.has(event.account)))
    return false;
  return regions === undefined || (event.region !== undefined && regions.has(event.region));
}

/**
 * What is left of the scope to check once the event is known to meet one of its dimensions (the
 * rule index found the rule by that dimension's index prerequisite): the other dimension, or undefined when nothing is left.
 *
 * @example
 * scopeLeft({ accounts, regions }, 'accounts'); // { regions }
 */
export function scopeLeft(scope: RuleScope, known: Dimension): RuleScope | undefined {
  const other = known === 'accounts' ? 'regions' : 'accounts';
  const left = scope[other];
  return left === undefined ? undefined : { [other]: left };
}
