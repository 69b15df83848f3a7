import { describe, expect, it } from 'vitest';
import { parseRuleText } from '../../src/rules/load.js';
import { checkSweepFilters, SweepFilterError } from '../../src/sweep/filters.js';

function problemsOf(resources: string, filters: string): string[] {
  const text = `id: swept\ndescription: test\nkind: audit\nseverity: low\ntriggers:\n  - source: schedule\n    schedule: rate(1 day)\n    resources: ${resources}\n    filters:\n${filters}\nactions:\n  - action: audit.record\n`;
  return parseRuleText(text, 'swept.yaml').problems.map(
    (problem) => `${problem.line}:${problem.column}: ${problem.message}`,
  );
}

describe("a schedule trigger's filters", () => {
  it('may be any EC2 filter for instances and security groups', () => {
    expect(problemsOf('ec2-instances', "      tag-key: [Owner]\n      'tag:Team': [a, b]")).toEqual(
      [],
    );
    expect(problemsOf('security-groups', '      vpc-id: [vpc-1]')).toEqual([]);
    expect(problemsOf('log-groups', '      logGroupNamePrefix: [/app/]')).toEqual([]);
  });

  it('that the describe call does not take are a problem of the rule, where they are written', () => {
    expect(problemsOf('log-groups', '      tag-key: [Owner]')).toEqual([
      '10:7: filter "tag-key": a sweep of log-groups cannot filter by it (it takes "logGroupNamePrefix")',
    ]);
    expect(problemsOf('trails', '      name: [org]')).toEqual([
      '10:7: filter "name": a sweep of trails cannot filter by it (it takes none)',
    ]);
    expect(problemsOf('log-groups', '      logGroupNamePrefix: [/a/, /b/]')).toEqual([
      '10:7: filter "logGroupNamePrefix" of log-groups: takes one value, got 2',
    ]);
  });

  it('with no value are refused when checked directly', () => {
    expect(() => checkSweepFilters('ec2-instances', { 'tag-key': [] })).toThrow(
      new SweepFilterError('filter "tag-key" of ec2-instances: no value given'),
    );
  });
});
