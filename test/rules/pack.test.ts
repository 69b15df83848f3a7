import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { loadRules, ruleFiles } from '../../src/rules/load.js';
import { compileRulePack, readRulePack, RulePackError } from '../../src/rules/pack.js';
import { buildRulePack, writeRulePack } from '../../src/rules/pack-build.js';
import { RuleLoadError } from '../../src/rules/problems.js';
import { repoPath } from '../support/files.js';

const brokenRule =
  'id: bad-rule\ndescription: x\nkind: audit\nseverity: low\ntriggers:\n  - source: ec2-state\n    states: [running]\nactions:\n  - action: ec2.nuke\n';

let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'steward-pack-test-'));
  await mkdir(join(scratch, 'broken'));
  await writeFile(join(scratch, 'broken', 'bad.yaml'), brokenRule);
});

describe('the rule pack', () => {
  it('holds the same rules, documents, files and lists as the YAML it was built from', async () => {
    const file = join(scratch, 'shipped.json');
    expect(await writeRulePack(repoPath('rules'), file)).toBe(
      (await ruleFiles(repoPath('rules'))).length,
    );
    const fromPack = await readRulePack(file);
    const fromYaml = await loadRules(repoPath('rules'));
    expect(fromPack.map((rule) => [rule.id, rule.file, rule.mode])).toEqual(
      fromYaml.map((rule) => [rule.id, rule.file, rule.mode]),
    );
    expect(fromPack.map((rule) => rule.document)).toEqual(fromYaml.map((rule) => rule.document));
    expect(fromPack.map((rule) => rule.actions.map((action) => action.definition.name))).toEqual(
      fromYaml.map((rule) => rule.actions.map((action) => action.definition.name)),
    );
    const lists = (rules: typeof fromPack) =>
      [...(rules[0]?.lists ?? new Map())].map(([name, items]) => [name, [...items].sort()]);
    expect(lists(fromPack)).toEqual(lists(fromYaml));
    expect(lists(fromPack).length).toBeGreaterThan(0);
  });

  it('is never written from rules with problems, which it lists as file:line:col', async () => {
    const built = buildRulePack(join(scratch, 'broken'));
    await expect(built).rejects.toBeInstanceOf(RuleLoadError);
    await expect(built).rejects.toThrow(/bad\.yaml:9:13: unknown action "ec2\.nuke"/);
  });

  it('refuses a file that is not a pack, naming the file and what is wrong', async () => {
    expect(() => compileRulePack({ rules: [] }, 'p.json')).toThrow(
      'rule pack p.json: not a steward-rule-pack/1 file; rebuild it with steward pack',
    );
    const format = 'steward-rule-pack/1';
    expect(() => compileRulePack({ format, rules: {}, lists: {} }, 'p.json')).toThrow(
      '"rules" must be a list',
    );
    expect(() => compileRulePack({ format, rules: [], lists: { a: 'x' } }, 'p.json')).toThrow(
      '"lists" must map names to lists',
    );
    expect(() =>
      compileRulePack({ format, rules: [{ file: 'a.yaml' }], lists: {} }, 'p.json'),
    ).toThrow('rules[0] is not a rule of a pack');
    const unknownAction = {
      format,
      lists: {},
      rules: [
        {
          file: 'a.yaml',
          document: { id: 'a', triggers: [], actions: [{ action: 'ec2.nuke' }] },
        },
      ],
    };
    expect(() => compileRulePack(unknownAction, 'p.json')).toThrow(
      'rule a names the action ec2.nuke, which this build of steward lacks',
    );
    const missing = join(scratch, 'missing.json');
    await expect(readRulePack(missing)).rejects.toThrow(`rule pack ${missing}: not found`);
    const invalid = join(scratch, 'invalid.json');
    await writeFile(invalid, '{"format":');
    const read = readRulePack(invalid);
    await expect(read).rejects.toBeInstanceOf(RulePackError);
    await expect(read).rejects.toThrow(/invalid\.json: invalid JSON/);
  });

  it('is written by steward pack, which exits 1 without writing for broken rules', async () => {
    const lines: string[] = [];
    const output = {
      out: (text: string) => lines.push(text),
      err: (text: string) => lines.push(text),
    };
    const file = join(scratch, 'cli', 'pack.json');
    expect(await main(['pack', repoPath('rules'), '--out', file], output)).toBe(0);
    const count = (await ruleFiles(repoPath('rules'))).length;
    expect(lines.at(-1)).toBe(`${count} rules of ${repoPath('rules')} packed into ${file}`);
    expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({
      format: 'steward-rule-pack/1',
    });
    const brokenFile = join(scratch, 'cli', 'broken.json');
    expect(await main(['pack', join(scratch, 'broken'), '--out', brokenFile], output)).toBe(1);
    expect(lines.at(-2)).toMatch(/bad\.yaml:9:13: unknown action "ec2\.nuke"/);
    expect(lines.at(-1)).toBe(`1 problem: ${brokenFile} not written`);
    await expect(readFile(brokenFile)).rejects.toThrow(/ENOENT/);
  });
});
