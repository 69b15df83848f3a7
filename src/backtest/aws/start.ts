import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { StewardError } from '../../errors.js';
import type { BacktestQuery } from '../report.js';
import type { S3Location } from '../s3-listing.js';
import type { BacktestRunInput } from './messages.js';
import { newRunId, reportKeys, runPrefix } from './result-keys.js';
import type { BacktestStack } from './stack.js';

/** A backtest started on AWS: its execution, and where its report will be. */
export interface StartedBacktest {
  runId: string;
  executionArn: string;
  input: BacktestRunInput;
  /** `s3://results-bucket/runs/<run>/report.json` and `.html`, once the reducer has run. */
  report: { bucket: string; json: string; html: string };
}

/** What `startBacktestOnAws` starts. */
export interface StartBacktestOptions {
  sfn: SFNClient;
  stack: BacktestStack;
  source: S3Location;
  query: BacktestQuery;
  /** The Distributed Map's MaxConcurrency: batches evaluated at once. */
  maxConcurrency: number;
  now?: Date;
}

/**
 * The source is not in the bucket the stack was deployed to read: its roles could not list it.
 *
 * @example
 * throw new TrailBucketMismatchError('other-bucket', stack);
 */
export class TrailBucketMismatchError extends StewardError {
  constructor(bucket: string, stack: BacktestStack) {
    super(
      `${stack.stackName} may read s3://${stack.trailBucket ?? ''} only, not s3://${bucket}: ` +
        `deploy it again with --param="trailBucket=${bucket}"`,
    );
    this.name = 'TrailBucketMismatchError';
  }
}

/**
 * Starts a backtest on the deployed stack's state machine: one execution, named by a new run
 * id, whose Distributed Map lists the source's prefix.
 *
 * @example
 * const started = await startBacktestOnAws({ sfn, stack, source: { bucket: 'trail', prefix: 'AWSLogs/' }, query, maxConcurrency: 1000 });
 */
export async function startBacktestOnAws(options: StartBacktestOptions): Promise<StartedBacktest> {
  const { stack, source } = options;
  if (stack.trailBucket !== undefined && stack.trailBucket !== source.bucket)
    throw new TrailBucketMismatchError(source.bucket, stack);
  const runId = newRunId(options.now);
  const resultsPrefix = runPrefix(runId);
  const input: BacktestRunInput = {
    runId,
    bucket: source.bucket,
    prefix: source.prefix,
    query: options.query,
    resultsPrefix,
    maxConcurrency: options.maxConcurrency,
  };
  const { executionArn } = await options.sfn.send(
    new StartExecutionCommand({
      stateMachineArn: stack.stateMachineArn,
      name: runId,
      input: JSON.stringify(input),
    }),
  );
  if (executionArn === undefined)
    throw new StewardError('StartExecution returned no execution ARN');
  const keys = reportKeys(resultsPrefix);
  return {
    runId,
    executionArn,
    input,
    report: {
      bucket: stack.resultsBucket,
      json: keys.json,
      html: keys.html,
    },
  };
}
