import type { RulePack } from '../rules/pack.js';
import type { FileRead } from './evaluate-log-file.js';
import type { LogFileRef } from './log-file-ref.js';
import type { BacktestQuery, BacktestReport } from './report.js';

/**
 * What a backtest worker evaluates with, sent as its first message: workers start (loading
 * their modules) while the main thread checks the rules, and are told them once checked.
 */
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

/**
 * The main thread to a worker: what to evaluate with (first), then each file to read, and now
 * and then a call for the report of the files read since the last one.
 */
export type WorkerRequest =
  { kind: 'setup'; setup: WorkerSetup } | { kind: 'file'; ref: LogFileRef } | { kind: 'report' };

/**
 * A worker to the main thread: a file read (its counts, for progress), the report of the files
 * read since the last report, or why the worker cannot evaluate any.
 */
export type WorkerReply =
  | { kind: 'read'; read: FileRead; peakHeapBytes: number }
  | { kind: 'report'; report: BacktestReport; peakHeapBytes: number }
  | { kind: 'failed'; message: string };
