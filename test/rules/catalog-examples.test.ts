import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { actionCatalog } from '../../src/actions/catalog.js';
import { factCatalog } from '../../src/facts/catalog.js';
import { operatorCatalog } from '../../src/rules/conditions/operator-catalog.js';
import { parseRuleText } from '../../src/rules/load.js';
import { formatProblem } from '../../src/rules/problems.js';

/** The lists the operator examples name, as a rules directory's config/lists.yaml would give them. */
const lists = new Map([
  ['quarantined-instances', new Set(['i-0123456789abcdef0'])],
  ['break-glass-roles', new Set(['arn:aws:iam::123456789012:role/BreakGlass'])],
]);

/**
 * A whole rule around an example: the header every rule needs, a trigger unless the example
 * brings its own, and an action unless it does.
 */
function ruleAround(example: string): string {
  const keys = new Set(Object.keys(parseDocument(example).toJS() as Record<string, unknown>));
  return [
    'id: catalog-example',
    'description: A catalog entry example.',
    'kind: audit',
    'severity: low',
    ...(keys.has('triggers')
      ? []
      : ['triggers:', '  - source: ec2-state', '    states: [running]']),
    ...(keys.has('actions') ? [] : ['actions:', '  - action: audit.record']),
    example,
    '',
  ].join('\n');
}

function problemsOf(example: string, where: string): string[] {
  return parseRuleText(ruleAround(example), where, lists).problems.map(formatProblem);
}

describe('catalog examples', () => {
  it('each action example is a valid rule fragment that uses the action', () => {
    for (const action of actionCatalog.values()) {
      expect(problemsOf(action.example, action.name)).toEqual([]);
      expect(action.example).toContain(`- action: ${action.name}`);
    }
  });

  it('each operator example is a valid condition with that operator', () => {
    for (const operator of operatorCatalog.values()) {
      expect(problemsOf(operator.example, operator.name)).toEqual([]);
      expect(operator.example).toContain(`operator: ${operator.name},`);
    }
  });

  it('each fact example is a valid condition that reads the fact', () => {
    for (const fact of factCatalog.values()) {
      expect(problemsOf(fact.example, fact.name)).toEqual([]);
      expect(fact.example).toContain(`- fact: ${fact.name}\n`);
    }
  });

  it('would catch an example the loader refuses', () => {
    expect(
      problemsOf('actions:\n  - action: ec2.terminate-instances', 'terminate-without-opt-in'),
    ).toEqual([
      'terminate-without-opt-in:9:13: "ec2.terminate-instances" is destructive: the rule must set allowDestructive: true to use it',
    ]);
  });
});
