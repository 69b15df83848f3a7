import { pathReader } from './conditions/paths.js';
import { eventFacts } from './facts.js';
import type { LoadedRuleFile } from './load.js';
import type { RuleProblem } from './problems.js';
import type { RuleDocument } from './rule.js';
import { testEvents, type EventFileScope } from './rule-tests.js';
import type { PathSegment } from './source-map.js';

/** A condition that reads a fact at a path, and where the path stands in the rule. */
interface PathRead {
  fact: string;
  path: string;
  where: PathSegment[];
}

/** True for a condition that wants its path absent: there, an absent path is the point. */
function wantsAbsent(operator: unknown, value: unknown): boolean {
  return (operator === 'absent' && value !== false) || (operator === 'exists' && value === false);
}

function pathReads(condition: unknown, where: PathSegment[], into: PathRead[]): PathRead[] {
  if (condition === null || typeof condition !== 'object') return into;
  const node = condition as Record<string, unknown>;
  for (const key of ['all', 'any'] as const) {
    const children = node[key];
    if (Array.isArray(children))
      children.forEach((child, index) => pathReads(child, [...where, key, index], into));
  }
  if ('not' in node) pathReads(node.not, [...where, 'not'], into);
  const { fact, path, operator, value } = node;
  if (typeof fact === 'string' && typeof path === 'string' && !wantsAbsent(operator, value))
    into.push({ fact, path, where: [...where, 'path'] });
  return into;
}

function present(value: unknown): boolean {
  return value !== undefined && !(Array.isArray(value) && value.length === 0);
}

/** The reads of `rule` whose fact some test event has but whose path none of them holds. */
async function absentReads(
  rule: RuleDocument,
  file: string,
  scope: EventFileScope,
): Promise<PathRead[]> {
  const reads = pathReads(rule.conditions, ['conditions'], []);
  const observed = new Set<PathRead>();
  const found = new Set<PathRead>();
  for (const test of rule.tests ?? []) {
    // A test whose event does not read is `steward test`'s to report; it proves nothing here.
    const batch = await testEvents(test, file, scope).catch(() => undefined);
    for (const event of batch?.events ?? []) {
      const facts: Record<string, unknown> = { ...eventFacts(event), ...test.facts };
      for (const read of reads) {
        const value = facts[read.fact];
        if (value === undefined) continue;
        observed.add(read);
        if (present(pathReader(read.path)(value))) found.add(read);
      }
    }
  }
  return reads.filter((read) => observed.has(read) && !found.has(read));
}

/**
 * Warnings for conditions whose `path` is present in none of the rule's own test events (or
 * stubbed facts): most often a misspelt path, which makes the condition read nothing. Only
 * rules that loaded without problems are looked at, and only facts the tests provide; a
 * condition that wants its path absent (`absent`, `exists: false`) is left alone.
 *
 * @example
 * for (const warning of await conditionPathWarnings(check.files, await eventFileScope('rules')))
 *   console.error(formatWarning(warning));
 */
export async function conditionPathWarnings(
  files: readonly LoadedRuleFile[],
  scope: EventFileScope,
): Promise<RuleProblem[]> {
  const warnings: RuleProblem[] = [];
  for (const { file, rule, problems, problemAt } of files) {
    if (!rule || problems.length > 0) continue;
    for (const read of await absentReads(rule, file, scope))
      warnings.push(
        problemAt(
          read.where,
          `path "${read.path}" of fact "${read.fact}" is in none of this rule's test events: is it misspelt?`,
        ),
      );
  }
  return warnings;
}
