import { actionCatalog } from '../actions/catalog.js';
import type { ActionParams } from '../actions/action.js';
import type { NamedLists } from './lists.js';
import type { CompiledRule, RuleDocument } from './rule.js';
import { resolveScope } from './scope.js';

/**
 * A validated rule document, ready to evaluate: its actions resolved from the catalog. Kept
 * apart from the YAML loader so Lambda bundles, which read a rule pack checked at package
 * time, carry neither the YAML parser nor the schema validator.
 */
export function compileRule(
  rule: RuleDocument,
  file: string,
  lists: NamedLists = new Map(),
): CompiledRule {
  const scope = resolveScope(rule.id, rule.scope, lists);
  return {
    id: rule.id,
    file,
    document: rule,
    mode: rule.mode ?? 'dry-run',
    actions: rule.actions.map(({ action, params }) => ({
      definition: actionCatalog.get(action) ?? missingAction(rule.id, action),
      params: (params ?? {}) as ActionParams,
    })),
    sources: new Set(
      rule.triggers.map((trigger) => (trigger.source === 'schedule' ? 'sweep' : trigger.source)),
    ),
    lists,
    ...(scope === undefined ? {} : { scope }),
  };
}

function missingAction(rule: string, name: string): never {
  throw new Error(`rule ${rule} names the action ${name}, which this build of steward lacks`);
}
