import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { runPipeline, type PipelineReport } from './pipeline.js';
import { defaultRulePackFile, readRulePack } from './rules/pack.js';
import { createRuntime, type Runtime } from './runtime.js';

/** Thrown after the whole batch was processed, so Lambda retries the invocation and, in the end, its on-failure destination keeps the event. */
export class BatchIncompleteError extends Error {
  constructor(readonly report: PipelineReport) {
    const failing = report.errors.filter((error) => error.kind !== 'action');
    super(
      `${failing.length} event(s) or action(s) could not be completed: ` +
        failing.map((error) => `${error.where}: ${error.message}`).join('; '),
    );
    this.name = 'BatchIncompleteError';
  }
}

/**
 * The rule pack the handlers read: `STEWARD_RULE_PACK`, else `dist/rule-pack.json` of the
 * function package, which `sls package` writes from `rules/` (Lambda and `sls invoke local`
 * both run in the package's root).
 */
export function rulePackFile(env: NodeJS.ProcessEnv = process.env): string {
  return env.STEWARD_RULE_PACK ?? join(process.cwd(), defaultRulePackFile);
}

let runtime: Promise<Runtime> | undefined;

/**
 * The Lambda entry point shared by every handler: the runtime is built on the first event of
 * a container and kept; each invocation runs the one pipeline over its payload. Failed actions
 * are recorded in the ledger and do not fail the invocation; input that cannot be decoded, a
 * rule that cannot be evaluated, or an action whose outcome is unknown does.
 */
export function lambdaHandler(functionName: string) {
  return async (event: unknown, context: Context): Promise<PipelineReport> => {
    runtime ??= createRuntime({ rules: () => readRulePack(rulePackFile()) }).catch(
      (error: unknown) => {
        runtime = undefined;
        throw error;
      },
    );
    const remainingTimeMs =
      typeof context.getRemainingTimeInMillis === 'function'
        ? () => context.getRemainingTimeInMillis()
        : undefined;
    const report = await runPipeline(event, `${functionName} invocation ${context.awsRequestId}`, {
      ...(await runtime),
      remainingTimeMs,
    });
    console.log(
      JSON.stringify({ message: 'steward report', function: functionName, ...summary(report) }),
    );
    if (report.errors.some((error) => error.kind !== 'action'))
      throw new BatchIncompleteError(report);
    return report;
  };
}

function summary(report: PipelineReport) {
  return {
    events: report.events.length,
    matches: report.events.reduce((count, event) => count + event.matches.length, 0),
    errors: report.errors,
  };
}
