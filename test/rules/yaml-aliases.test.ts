import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadLists } from '../../src/rules/lists.js';
import { parseRuleText } from '../../src/rules/load.js';
import { formatProblem } from '../../src/rules/problems.js';
import { steward } from '../cli/support.js';

const ruleHead = `id: alias-rule
description: A rule whose file uses YAML aliases.
kind: audit
severity: info
triggers:
  - source: cloudtrail
    events: [CreateBucket]
actions:
  - action: audit.record
`;

/** Nine levels of nine aliases each: a few hundred bytes that expand to 9^9 strings. */
function billionLaughs(indent: string): string {
  const names = 'abcdefghi';
  return [...names]
    .map((name, level) => {
      const items = level === 0 ? Array(9).fill('"lol"') : Array(9).fill(`*${names[level - 1]}`);
      return `${indent}${name}: &${name} [${items.join(',')}]\n`;
    })
    .join('');
}

const problemsOf = (text: string) =>
  parseRuleText(text, 'rules/sample.yaml').problems.map(formatProblem);

describe('YAML aliases in rule files', () => {
  it('report an alias bomb with file, line and column, where the aliases pass the bound', () => {
    const text = `${ruleHead}laughs:\n${billionLaughs('  ')}`;
    // Levels a..d add 90 + 819 + 7,380 nodes; the first *d of level e passes 10,000.
    expect(problemsOf(text)).toEqual([
      'rules/sample.yaml:15:10: YAML: the aliases up to *d expand to more than 10000 nodes; this looks like an alias bomb ("billion laughs")',
    ]);
  });

  it('report an alias without an anchor, and an alias inside the node it names, where they stand', () => {
    expect(problemsOf(`${ruleHead}tests: [*missing]\n`)).toEqual([
      'rules/sample.yaml:10:9: YAML: alias *missing has no anchor &missing before it',
    ]);
    expect(problemsOf(`${ruleHead}references: &self [a, *self]\n`)).toEqual([
      'rules/sample.yaml:10:23: YAML: alias *self is inside the node it names',
    ]);
  });

  it('still resolve ordinary aliases, even more than a hundred of them', () => {
    const conditions = Array.from(
      { length: 150 },
      () => '    - { fact: event, path: $.region, operator: equal, value: *region }',
    );
    const text = `${ruleHead}references: [&region us-east-1]\nconditions:\n  any:\n${conditions.join('\n')}\n`;
    const loaded = parseRuleText(text, 'rules/sample.yaml');
    expect(loaded.problems).toEqual([]);
    const any = (loaded.rule?.conditions as { any: { value: unknown }[] }).any;
    expect(any).toHaveLength(150);
    expect(new Set(any.map((condition) => condition.value))).toEqual(new Set(['us-east-1']));
  });
});

describe('YAML aliases in the lists file', () => {
  async function listsFile(text: string): Promise<string> {
    const file = join(await mkdtemp(join(tmpdir(), 'steward-lists-')), 'lists.yaml');
    await writeFile(file, text);
    return file;
  }

  it('report an alias bomb with file, line and column', async () => {
    const file = await listsFile(`lists:\n${billionLaughs('  ')}`);
    const { lists, problems } = await loadLists(file);
    expect(lists.size).toBe(0);
    expect(problems.map(formatProblem)).toEqual([
      `${file}:6:10: YAML: the aliases up to *d expand to more than 10000 nodes; this looks like an alias bomb ("billion laughs")`,
    ]);
  });

  it('resolve ordinary aliases, and still refuse a list that is not of strings', async () => {
    const file = await listsFile(
      'shared: &roles [arn:aws:iam::1:role/a]\nlists:\n  a: &a [x, y]\n  b: *a\n  c: *roles\n  d: [*a]\n',
    );
    const { lists, problems } = await loadLists(file);
    expect([...lists].map(([name, members]) => [name, [...members]])).toEqual([
      ['a', ['x', 'y']],
      ['b', ['x', 'y']],
      ['c', ['arn:aws:iam::1:role/a']],
    ]);
    expect(problems.map(formatProblem)).toEqual([
      `${file}:6:3: list "d" must be a list of strings`,
    ]);
  });
});

describe('steward validate on a billion-laughs rule file', () => {
  it('prints the problem as file:line:col: message and exits 1, without a stack trace', async () => {
    const root = await mkdtemp(join(tmpdir(), 'steward-laughs-'));
    await mkdir(join(root, 'rules'));
    const file = join(root, 'rules', 'laughs.yaml');
    await writeFile(file, `${ruleHead}laughs:\n${billionLaughs('  ')}`);
    expect(await steward('validate', join(root, 'rules'))).toEqual({
      code: 1,
      stdout: '1 problem in 1 rule file\n',
      stderr: `${file}:15:10: YAML: the aliases up to *d expand to more than 10000 nodes; this looks like an alias bomb ("billion laughs")\n`,
    });
  });
});
