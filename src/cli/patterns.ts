import { eventBridgePatterns } from '../deploy/patterns.js';
import { loadRules } from '../rules/load.js';
import { defaultRulesDir } from '../runtime.js';
import { UsageError, type Output } from './output.js';

/** `steward patterns [DIR]`: the EventBridge patterns `sls package` puts into the template, per function. */
export async function patternsCommand(args: string[], output: Output): Promise<number> {
  if (args.length > 1) throw new UsageError('usage: steward patterns [DIR]');
  output.out(
    JSON.stringify(eventBridgePatterns(await loadRules(args[0] ?? defaultRulesDir())), null, 2),
  );
  return 0;
}
