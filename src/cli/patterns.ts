import { deployParameters } from '../deploy/parameters.js';
import { eventBridgePatterns } from '../deploy/patterns.js';
import { ruleSchedules } from '../deploy/schedules.js';
import { serverlessRuleConfig } from '../deploy/serverless.js';
import { loadRules } from '../rules/load.js';
import { defaultRulesDir } from '../rules/rules-dir.js';
import { UsageError, type Output } from './output.js';
import { usages } from './usages.js';

/**
 * `steward patterns [DIR]`: what `sls package` subscribes each function to, from the rules
 * alone (no deploy parameters): the EventBridge patterns of `ec2State`, `cloudtrail` and
 * `findings`, the log groups `cloudwatchLogs` subscribes to with their filter patterns
 * (`""`: every line), and the schedules that invoke `sweep`, each with its rule.
 */
export async function patternsCommand(args: string[], output: Output): Promise<number> {
  if (args.length > 1) throw new UsageError(`usage: ${usages.patterns}`);
  const rules = await loadRules(args[0] ?? defaultRulesDir());
  const { events } = serverlessRuleConfig(
    rules,
    deployParameters({}, { service: 'steward', stage: 'dev', region: 'us-east-1' }),
  );
  const subscriptions = events.cloudwatchLogs.flatMap((event) =>
    'cloudwatchLog' in event ? [event.cloudwatchLog] : [],
  );
  output.out(
    JSON.stringify(
      { ...eventBridgePatterns(rules), cloudwatchLogs: subscriptions, sweep: ruleSchedules(rules) },
      null,
      2,
    ),
  );
  return 0;
}
