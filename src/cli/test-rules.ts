import { parseArgs } from 'node:util';
import { testCheckedRules, type RuleTestResult } from '../rules/rule-tests.js';
import { defaultRulesDir } from '../rules/rules-dir.js';
import { escapeControls } from './escape.js';
import { UsageError, type Output } from './output.js';
import { checkRulePaths } from './rule-paths.js';

function printResult(result: RuleTestResult, output: Output): void {
  if (result.passed) {
    output.out(escapeControls(`PASS ${result.rule} › ${result.test}`));
    return;
  }
  output.out(escapeControls(`FAIL ${result.rule} › ${result.test} (${result.file})`));
  for (const difference of result.differences) output.out(`  ${escapeControls(difference)}`);
}

/**
 * `steward test [FILE|DIR]... [--rule ID]... [--verbose]`: the tests of the rules given
 * (`rules/` by default), of the rules `--rule` names when given. Prints each failing test with
 * the rule, the test and what differed (`--verbose`: every test with its result), then
 * `N passed, N failed`; exit 1 on any failure or invalid rule file, 2 for a rule id that no
 * rule given has.
 *
 * @example
 * await testCommand(['rules', '--rule', 'ec2-untagged', '--verbose'], processOutput);
 */
export async function testCommand(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      rule: { type: 'string', multiple: true },
      verbose: { type: 'boolean', short: 'v' },
    },
  });
  const check = await checkRulePaths(positionals);
  const only = values.rule === undefined ? undefined : new Set(values.rule);
  if (only) {
    const ids = new Set(check.files.flatMap((file) => (file.rule ? [file.rule.id] : [])));
    const unknown = [...only].filter((id) => !ids.has(id));
    if (unknown.length > 0)
      throw new UsageError(
        `--rule: no rule with id ${unknown.map((id) => `"${id}"`).join(', ')} in ${(positionals.length > 0 ? positionals : [defaultRulesDir()]).join(', ')}`,
      );
  }
  const run = await testCheckedRules(check, only ? { only } : {});
  for (const problem of run.problems) output.err(escapeControls(problem));
  for (const result of run.results)
    if (values.verbose === true || !result.passed) printResult(result, output);
  const passed = run.results.filter((result) => result.passed).length;
  const failed = run.results.length - passed;
  const rulesWithoutTests =
    run.results.length === 0 && run.problems.length === 0
      ? only
        ? ' (the rules named have no tests)'
        : ' (no rule has tests)'
      : '';
  output.out(`${passed} passed, ${failed} failed${rulesWithoutTests}`);
  return failed > 0 || run.problems.length > 0 ? 1 : 0;
}
