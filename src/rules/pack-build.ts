import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkRuleDirectory } from './load.js';
import { defaultRulePackFile, rulePackFormat, type RulePack } from './pack.js';
import { RuleLoadError } from './problems.js';

export { defaultRulePackFile };

/**
 * The rule pack of `rulesDir`: every rule file parsed and checked as `steward validate` does;
 * throws a `RuleLoadError` listing every problem, so a broken rule never reaches a package.
 */
export async function buildRulePack(rulesDir: string, listsFile?: string): Promise<RulePack> {
  const { files, lists, problems } = await checkRuleDirectory(rulesDir, listsFile);
  if (problems.length > 0) throw new RuleLoadError(problems);
  return {
    format: rulePackFormat,
    rules: files.flatMap(({ file, rule }) => (rule ? [{ file, document: rule }] : [])),
    lists: Object.fromEntries([...lists].map(([name, items]) => [name, [...items]])),
  };
}

/** Writes the rule pack of `rulesDir` to `file`; returns how many rules it holds. */
export async function writeRulePack(
  rulesDir: string,
  file: string,
  listsFile?: string,
): Promise<number> {
  const pack = await buildRulePack(rulesDir, listsFile);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${JSON.stringify(pack)}\n`);
  return pack.rules.length;
}
