import { conditionPathWarnings } from '../rules/condition-paths.js';
import { checkRuleDirectory } from '../rules/load.js';
import { formatProblem, formatWarning } from '../rules/problems.js';
import { eventFileScope } from '../rules/rule-tests.js';
import { defaultRulesDir } from '../runtime.js';
import { escapeControls } from './escape.js';
import { UsageError, type Output } from './output.js';

/**
 * `steward validate [DIR]`: every problem as `file:line:col: message`; exit 1 if any. Warnings
 * (`file:line:col: warning: …`) do not change the exit code.
 */
export async function validateCommand(args: string[], output: Output): Promise<number> {
  if (args.length > 1) throw new UsageError('usage: steward validate [DIR]');
  const dir = args[0] ?? defaultRulesDir();
  let check;
  try {
    check = await checkRuleDirectory(dir);
  } catch (error) {
    throw new UsageError(
      `${dir}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  for (const problem of check.problems) output.err(escapeControls(formatProblem(problem)));
  const warnings = await conditionPathWarnings(check.files, await eventFileScope(dir));
  for (const warning of warnings) output.err(escapeControls(formatWarning(warning)));
  const count = check.files.length;
  output.out(
    check.problems.length === 0
      ? `${count} rule file${count === 1 ? '' : 's'} valid`
      : `${check.problems.length} problem${check.problems.length === 1 ? '' : 's'} in ${count} rule file${count === 1 ? '' : 's'}`,
  );
  return check.problems.length === 0 ? 0 : 1;
}
