import type { RulePack } from '../rules/pack.js';
import type { LogFileRef } from './log-file-ref.js';
import type { BacktestQuery, BacktestReport } from './report.js';

/** What a backtest worker is started with (`workerData`): all it needs to evaluate files. */
export interface WorkerSetup {
  /**
   * The rules, checked once by the main thread: compiling a pack takes a millisecond where
   * loading the rule files (YAML, schema, checks) takes most of a second per worker.
   */
  pack: RulePack;
  /** Where the pack came from, for its errors. */
  rulesDir: string;
  query: BacktestQuery;
  factStubs?: Record<string, unknown>;
}

/** The main thread to a worker: evaluate this file. */
export interface FileRequest {
  ref: LogFileRef;
}

/** A worker to the main thread: a file's report, or why the worker cannot evaluate any. */
export type WorkerReply =
  | { kind: 'report'; report: BacktestReport; peakHeapBytes: number }
  | { kind: 'failed'; message: string };
