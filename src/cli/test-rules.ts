import { runRuleTests } from '../rules/rule-tests.js';
import { defaultRulesDir } from '../runtime.js';
import { escapeControls } from './escape.js';
import { UsageError, type Output } from './output.js';

/**
 * `steward test [DIR]`: every rule's tests. Prints each failing test with the rule, the test
 * and what differed, then `N passed, N failed`; exit 1 on any failure or invalid rule file.
 */
export async function testCommand(args: string[], output: Output): Promise<number> {
  if (args.length > 1) throw new UsageError('usage: steward test [DIR]');
  const run = await runRuleTests(args[0] ?? defaultRulesDir());
  for (const problem of run.problems) output.err(escapeControls(problem));
  for (const result of run.results.filter((item) => !item.passed)) {
    output.out(escapeControls(`FAIL ${result.rule} › ${result.test} (${result.file})`));
    for (const difference of result.differences) output.out(`  ${escapeControls(difference)}`);
  }
  const passed = run.results.filter((result) => result.passed).length;
  const failed = run.results.length - passed;
  const rulesWithoutTests =
    run.results.length === 0 && run.problems.length === 0 ? ' (no rule has tests)' : '';
  output.out(`${passed} passed, ${failed} failed${rulesWithoutTests}`);
  return failed > 0 || run.problems.length > 0 ? 1 : 0;
}
