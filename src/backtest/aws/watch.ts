import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  ListMapRunsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';

/** How far a backtest on AWS has got, as Step Functions reports it. */
export interface AwsBacktestProgress {
  /** The execution's status: `RUNNING`, then `SUCCEEDED`, `FAILED`, `TIMED_OUT` or `ABORTED`. */
  status: string;
  /** The map run's objects (log files): all, done (succeeded, failed or given up), failed. */
  items?: { total: number; done: number; failed: number };
  /** Its child executions (batches), likewise. */
  batches?: { total: number; done: number; failed: number };
}

/** A backtest execution that has ended. */
export interface FinishedBacktest {
  status: string;
  /** What the reducer returned (`ReducedRun`), for a run that succeeded. */
  output?: unknown;
  error?: string;
  cause?: string;
}

/** What `waitForBacktest` polls with. */
export interface WaitOptions {
  sfn: SFNClient;
  executionArn: string;
  onProgress?: (progress: AwsBacktestProgress) => void;
  /** Between polls (default 5 s): DescribeExecution is throttled at a few calls a second. */
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Polls a backtest's execution until it ends, reporting progress from `DescribeExecution`
 * and, once the Distributed Map has started, its map run (`ListMapRuns`, `DescribeMapRun`).
 *
 * @example
 * const finished = await waitForBacktest({ sfn, executionArn, onProgress: (p) => draw(p) });
 */
export async function waitForBacktest(options: WaitOptions): Promise<FinishedBacktest> {
  const { sfn, executionArn } = options;
  const pollMs = options.pollMs ?? 5_000;
  const sleep = options.sleep ?? ((ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let mapRunArn: string | undefined;
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const status = execution.status ?? 'UNKNOWN';
    mapRunArn ??= await firstMapRun(sfn, executionArn);
    const progress: AwsBacktestProgress = {
      status,
      ...(mapRunArn === undefined ? {} : await mapRunCounts(sfn, mapRunArn)),
    };
    options.onProgress?.(progress);
    if (status !== 'RUNNING' && status !== 'PENDING_REDRIVE')
      return {
        status,
        ...(execution.output === undefined ? {} : { output: JSON.parse(execution.output) }),
        ...(execution.error === undefined ? {} : { error: execution.error }),
        ...(execution.cause === undefined ? {} : { cause: execution.cause }),
      };
    await sleep(pollMs);
  }
}

async function firstMapRun(sfn: SFNClient, executionArn: string): Promise<string | undefined> {
  const { mapRuns } = await sfn.send(new ListMapRunsCommand({ executionArn }));
  return mapRuns?.[0]?.mapRunArn;
}

async function mapRunCounts(
  sfn: SFNClient,
  mapRunArn: string,
): Promise<Pick<AwsBacktestProgress, 'items' | 'batches'>> {
  const { itemCounts, executionCounts } = await sfn.send(new DescribeMapRunCommand({ mapRunArn }));
  return {
    ...(itemCounts === undefined ? {} : { items: counted(itemCounts) }),
    ...(executionCounts === undefined ? {} : { batches: counted(executionCounts) }),
  };
}

function counted(counts: {
  total?: number;
  succeeded?: number;
  failed?: number;
  timedOut?: number;
  aborted?: number;
  failuresNotRedrivable?: number;
}): { total: number; done: number; failed: number } {
  const failed = (counts.failed ?? 0) + (counts.timedOut ?? 0) + (counts.aborted ?? 0);
  return { total: counts.total ?? 0, done: (counts.succeeded ?? 0) + failed, failed };
}
