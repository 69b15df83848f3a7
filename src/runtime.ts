import { clientPoolFromEnv } from './client-pool.js';
import {
  connectLedger,
  positiveNumber,
  runningInLambda,
  type LedgerConnection,
} from './ledger/connect.js';
import { currentOwner } from './ledger/owner.js';
import type { EvaluationContext, PipelineContext } from './pipeline.js';
import type { CompiledRule } from './rules/rule.js';
import { RuleIndex } from './rules/rule-index.js';
import { SourceTrust } from './sources/trust.js';
import { tracingFromEnv } from './telemetry/tracing.js';

export interface Runtime extends PipelineContext {
  connection: LedgerConnection;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /**
   * The rules: the CLI loads YAML files (`loadRules`), the handlers the rule pack written at
   * package time (`readRulePack`), so Lambda bundles carry no YAML parser or schema validator.
   */
  rules: () => Promise<readonly CompiledRule[]>;
  live?: boolean;
  readObjects?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** True when an S3 endpoint is reachable: in Lambda, or where one is configured for local servers. */
function s3Reachable(env: NodeJS.ProcessEnv): boolean {
  return (
    runningInLambda(env) ||
    env.AWS_ENDPOINT_URL_S3 !== undefined ||
    env.AWS_ENDPOINT_URL !== undefined
  );
}

/**
 * What evaluating events and planning their actions needs, without a ledger (a what-if): the
 * rules loaded and indexed, the AWS clients of every account and region (each created on first
 * use), the log groups believed as CloudTrail's (`STEWARD_CLOUDTRAIL_LOG_GROUPS`) and the
 * tracing (`STEWARD_TRACING`: X-Ray of the clients' calls and of each action). Live in
 * Lambda or when `STEWARD_LIVE=true`; anywhere else enforced rules only plan their actions.
 *
 * @example
 * const report = await planBatch(batch, await createEvaluation({ rules: () => loadRules('rules') }));
 */
export async function createEvaluation(options: RuntimeOptions): Promise<EvaluationContext> {
  const env = options.env ?? process.env;
  const trust = SourceTrust.fromEnv(env);
  const rules = await options.rules();
  const live = options.live ?? (runningInLambda(env) || env.STEWARD_LIVE === 'true');
  const tracing = await tracingFromEnv(env);
  return {
    ruleIndex: new RuleIndex(rules),
    clients: clientPoolFromEnv(
      env,
      positiveNumber(env.STEWARD_AWS_TIMEOUT_MS, 'STEWARD_AWS_TIMEOUT_MS'),
      tracing,
    ),
    tracing,
    live,
    readObjects: options.readObjects ?? (live || s3Reachable(env)),
    trust,
  };
}

/**
 * Everything the pipeline needs, built once: `createEvaluation`'s, and the ledger connected.
 *
 * @example
 * const runtime = await createRuntime({ rules: () => loadRules('rules') });
 * try { await processBatch(batch, runtime); } finally { await runtime.close(); }
 */
export async function createRuntime(options: RuntimeOptions): Promise<Runtime> {
  const env = options.env ?? process.env;
  const evaluation = await createEvaluation(options);
  const connection = await connectLedger(env, evaluation.tracing);
  return {
    ...evaluation,
    ledger: connection.ledger,
    findingRetentionDays: positiveNumber(
      env.STEWARD_FINDING_RETENTION_DAYS,
      'STEWARD_FINDING_RETENTION_DAYS',
    ),
    ...(runningInLambda(env) ? {} : { owner: currentOwner() }),
    connection,
    close: () => connection.close(),
  };
}
