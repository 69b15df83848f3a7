import { AwsClients } from '../../aws-clients.js';
import { rulePackFile } from '../../lambda.js';
import { readRulePack } from '../../rules/pack.js';
import { BacktestReducer, type ReducedRun } from './reducer.js';
import { BacktestBatchWorker, type BatchSummary } from './worker.js';

/** A Lambda entry of the backtest stack: the event in, a small JSON result out. */
export type BacktestHandler<Result> = (event: unknown) => Promise<Result>;

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
  const clients = new AwsClients(env.AWS_REGION);
  const worker = new BacktestBatchWorker({
    rules: () => readRulePack(rulePackFile(env)),
    s3: () => clients.s3(),
  });
  return (event) => worker.run(event);
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
  const clients = new AwsClients(env.AWS_REGION);
  const reducer = new BacktestReducer({
    rules: () => readRulePack(rulePackFile(env)),
    s3: () => clients.s3(),
  });
  return (event) => reducer.run(event);
}
