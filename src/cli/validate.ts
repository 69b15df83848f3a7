import { parseArgs } from 'node:util';
import { dirname } from 'node:path';
import { stat } from 'node:fs/promises';
import { conditionPathWarnings } from '../rules/condition-paths.js';
import { formatProblem, formatWarning } from '../rules/problems.js';
import { eventFileScope } from '../rules/rule-tests.js';
import { defaultRulesDir } from '../rules/rules-dir.js';
import { escapeControls } from './escape.js';
import { type Output } from './output.js';
import { checkRulePaths } from './rule-paths.js';

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/** The rules directory whose project the rules' test events are read from. */
async function rulesDirOf(path: string): Promise<string> {
  return (await stat(path)).isDirectory() ? path : dirname(path);
}

/**
 * `steward validate [FILE|DIR]...`: checks the rule files given (`rules/` by default) as one
 * pack; every problem as `file:line:col: message` on stderr, exit 1 if any. Warnings
 * (`file:line:col: warning: …`) do not change the exit code.
 *
 * @example
 * await validateCommand(['rules/ec2-untagged.yaml', 'rules/cis'], processOutput);
 */
export async function validateCommand(args: string[], output: Output): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const check = await checkRulePaths(positionals);
  for (const problem of check.problems) output.err(escapeControls(formatProblem(problem)));
  const scope = await eventFileScope(await rulesDirOf(positionals[0] ?? defaultRulesDir()));
  const warnings = await conditionPathWarnings(check.files, scope);
  for (const warning of warnings) output.err(escapeControls(formatWarning(warning)));
  const files = plural(check.files.length, 'rule file');
  output.out(
    check.problems.length === 0
      ? `${files} valid`
      : `${plural(check.problems.length, 'problem')} in ${files}`,
  );
  return check.problems.length === 0 ? 0 : 1;
}
