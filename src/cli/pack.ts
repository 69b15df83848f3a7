import { parseArgs } from 'node:util';
import { defaultRulePackFile } from '../rules/pack.js';
import { writeRulePack } from '../rules/pack-build.js';
import { formatProblem, RuleLoadError } from '../rules/problems.js';
import { defaultRulesDir } from '../rules/rules-dir.js';
import { escapeControls } from './escape.js';
import { UsageError, type Output } from './output.js';
import { usages } from './usages.js';

/**
 * `steward pack [DIR] [--out FILE]`: the rules of DIR checked and written as the JSON rule pack
 * the handlers read (`sls package` does the same); every problem as `file:line:col`, exit 1.
 */
export async function packCommand(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { out: { type: 'string' } },
  });
  if (positionals.length > 1) throw new UsageError(`usage: ${usages.pack}`);
  const dir = positionals[0] ?? defaultRulesDir();
  const file = values.out ?? defaultRulePackFile;
  try {
    const count = await writeRulePack(dir, file);
    output.out(`${count} rule${count === 1 ? '' : 's'} of ${dir} packed into ${file}`);
    return 0;
  } catch (error) {
    if (!(error instanceof RuleLoadError)) throw error;
    for (const problem of error.problems) output.err(escapeControls(formatProblem(problem)));
    output.out(
      `${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}: ${file} not written`,
    );
    return 1;
  }
}
