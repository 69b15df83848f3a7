import { AwsClients } from '../../aws-clients.js';
import { rulePackFile } from '../../lambda.js';
import { readRulePack } from '../../rules/pack.js';
import type { CompiledRule } from '../../rules/rule.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { BacktestReducer, type ReducedRun } from './reducer.js';
import { BacktestBatchWorker, type BatchSummary } from './worker.js';

/** A Lambda entry of the backtest stack: the event in, a small JSON result out. */
export type BacktestHandler<Result> = (event: unknown) => Promise<Result>;

/** What both functions read with: the package's rule pack and an S3 client of their region. */
interface FunctionParts {
  rules: () => Promise<readonly CompiledRule[]>;
  s3: () => Promise<S3Client>;
}

function handlerOf<Result>(
  env: NodeJS.ProcessEnv,
  make: (parts: FunctionParts) => { run(event: unknown): Promise<Result> },
): BacktestHandler<Result> {
  const clients = new AwsClients(env.AWS_REGION);
  const runner = make({ rules: () => readRulePack(rulePackFile(env)), s3: () => clients.s3() });
  return (event) => runner.run(event);
}

/**
 * The worker function's entry: its rule pack (`dist/rule-pack.json` of the package, or
 * `STEWARD_RULE_PACK`) read on the first batch of a container, and one S3 client of the
 * function's region.
 *
 * @example
 * export const handler = middy().handler(backtestWorkerHandler());
 */
export function backtestWorkerHandler(
  env: NodeJS.ProcessEnv = process.env,
): BacktestHandler<BatchSummary> {
  return handlerOf(env, (parts) => new BacktestBatchWorker(parts));
}

/**
 * The reducer function's entry, read with the same rule pack as the worker.
 *
 * @example
 * export const handler = middy().handler(backtestReducerHandler());
 */
export function backtestReducerHandler(
  env: NodeJS.ProcessEnv = process.env,
): BacktestHandler<ReducedRun> {
  return handlerOf(env, (parts) => new BacktestReducer(parts));
}
