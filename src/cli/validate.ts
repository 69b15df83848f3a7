import { parseArgs } from 'node:util';
import { formatProblem } from '../rules/problems.js';
import { escapeControls } from './escape.js';
import { type Output } from './output.js';
import { checkRulePaths } from './rule-paths.js';

const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;

/**
 * `steward validate [FILE|DIR]...`: checks the rule files given (`rules/` by default) as one
 * pack; every problem as `file:line:col: message` on stderr, exit 1 if any.
 *
 * @example
 * await validateCommand(['rules/ec2-untagged.yaml', 'rules/cis'], processOutput);
 */
export async function validateCommand(args: string[], output: Output): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const check = await checkRulePaths(positionals);
  for (const problem of check.problems) output.err(escapeControls(formatProblem(problem)));
  const files = plural(check.files.length, 'rule file');
  output.out(
    check.problems.length === 0
      ? `${files} valid`
      : `${plural(check.problems.length, 'problem')} in ${files}`,
  );
  return check.problems.length === 0 ? 0 : 1;
}
