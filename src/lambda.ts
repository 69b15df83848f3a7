import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { messageOf } from './errors.js';
import { describeSidecarFacts, offlineFacts, type SidecarFacts } from './facts/sidecar.js';
import { invocationOf } from './lambda-context.js';
import { runningInLambda } from './ledger/connect.js';
import { mustRedeliver, runPipeline, type PipelineReport } from './pipeline.js';
import { defaultRulePackFile, readRulePack } from './rules/pack.js';
import { createRuntime, type Runtime } from './runtime.js';
import { FunctionTelemetry, type TelemetryOptions } from './telemetry/function-telemetry.js';

/** How many of a batch's errors the error message lists; the rest are counted. */
const errorsListed = 20;

/**
 * Thrown after the whole batch was processed, when an event must be delivered again (see
 * `mustRedeliver`), so Lambda retries the invocation and, in the end, its on-failure
 * destination keeps the event. What was done is in the ledger: a redelivery finds it there.
 */
export class BatchIncompleteError extends Error {
  constructor(readonly report: PipelineReport) {
    const failing = report.errors.filter(mustRedeliver);
    const listed = failing
      .slice(0, errorsListed)
      .map((error) => `${error.where}: ${error.message}`);
    if (failing.length > errorsListed) listed.push(`and ${failing.length - errorsListed} more`);
    super(`${failing.length} event(s) or action(s) must be delivered again: ${listed.join('; ')}`);
    this.name = 'BatchIncompleteError';
    // Not a crash: the message says all there is, and `sls invoke local` prints the stack.
    this.stack = `${this.name}: ${this.message}`;
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

/** What a handler is made with beside its function's name: the defaults in Lambda. */
export interface HandlerOptions {
  /** Where its log lines and metric documents go, and the environment they are set from. */
  telemetry?: TelemetryOptions;
}

/**
 * The Lambda entry point shared by every handler: the runtime is built on the first event of
 * a container and kept; each invocation runs the one pipeline over its payload. Failed actions
 * are recorded in the ledger and do not fail the invocation; input that cannot be decoded, an
 * outcome that is unknown, a ledger out of reach or a fact AWS would not give does, after the
 * rest of the batch was processed. Each invocation writes its log lines and, at its end (also
 * when it fails), its summary line and metrics.
 *
 * @example
 * export const handler = middy().handler(lambdaHandler('ec2State'));
 */
export function lambdaHandler(functionName: string, options: HandlerOptions = {}) {
  const telemetry = new FunctionTelemetry(functionName, options.telemetry);
  return async (event: unknown, context: Context): Promise<PipelineReport> => {
    const where = `${functionName} invocation ${context.awsRequestId}`;
    let built: Runtime;
    try {
      built = await containerRuntime();
    } catch (error) {
      const failed = telemetry.begin(context);
      failed.invocationFailed(error, 'internal', where);
      failed.end();
      throw error;
    }
    const { account, remainingTimeMs } = invocationOf(context);
    if (account !== undefined) built.clients.knowHomeAccount(account);
    const observer = telemetry.begin(context, { account, region: built.clients.region });
    const stopTiming = built.connection.timing.listen((ms) => observer.ledgerCall(ms));
    try {
      const sidecar = await localSidecarFacts(built);
      const report = await runPipeline(event, where, {
        ...built,
        remainingTimeMs,
        observer,
        ...(sidecar ? { factStubs: sidecar.facts } : {}),
      });
      if (report.errors.some(mustRedeliver)) throw new BatchIncompleteError(report);
      return report;
    } catch (error) {
      // A batch's errors have their lines already; anything else is told here.
      if (!(error instanceof BatchIncompleteError))
        observer.invocationFailed(error, 'internal', where);
      throw error;
    } finally {
      stopTiming();
      observer.end();
    }
  };
}

/** The container's runtime, built on its first invocation; built again after a failure. */
function containerRuntime(): Promise<Runtime> {
  runtime ??= createRuntime({ rules: () => readRulePack(rulePackFile()) }).catch(
    (error: unknown) => {
      runtime = undefined;
      throw error;
    },
  );
  return runtime;
}

/**
 * `sls invoke local` names the event file it read in `STEWARD_EVENT_FILE` (see
 * deploy/invoke-local-plugin.cjs): without AWS credentials, the lazy facts come from that file's
 * sidecar. Never in Lambda. A sidecar that cannot be used is logged, and the facts are then read
 * as they would be without it.
 */
async function localSidecarFacts(
  runtime: Runtime,
  env: NodeJS.ProcessEnv = process.env,
): Promise<SidecarFacts | undefined> {
  const eventFile = env.STEWARD_EVENT_FILE;
  if (eventFile === undefined || runningInLambda(env)) return undefined;
  try {
    const sidecar = await offlineFacts(eventFile, runtime.clients.home);
    if (sidecar)
      console.log(JSON.stringify({ message: `steward ${describeSidecarFacts(sidecar)}` }));
    return sidecar;
  } catch (error) {
    console.log(
      JSON.stringify({ message: 'steward fact sidecar unusable', error: messageOf(error) }),
    );
    return undefined;
  }
}
