import { availableParallelism } from 'node:os';
import { readFactStubs } from '../cli/input-files.js';
import { buildRulePack } from '../rules/pack-build.js';
import { compileRulePack } from '../rules/pack.js';
import { CheckpointError, checkResumable, readCheckpoint } from './checkpoint.js';
import { LogFileEvaluator } from './evaluate-log-file.js';
import { logFileName, type LogFileRef } from './log-file-ref.js';
import { emptyReport } from './merge.js';
import type { BacktestQuery, BacktestReport } from './report.js';
import { ReportStack } from './report-stack.js';
import { sourceWorkerScript } from './source-worker.js';
import { WorkerSlot, type WorkerEntry } from './worker-slot.js';
import type { WorkerSetup } from './worker-messages.js';
import { PoolRun, type RunState } from './pool-run.js';

/** Where a backtest stands, as `onProgress` is told after each file. */
export interface BacktestProgress {
  /** Files read (or failed), this run and, when resumed, before it. */
  filesDone: number;
  /** Files the listing has given so far; the total once `listingDone`. */
  filesListed: number;
  listingDone: boolean;
  /** Bytes of the files done and of those listed, as listed. */
  bytesDone: number;
  bytesListed: number;
  /** Records decoded so far (the report's count). */
  records: number;
  /** Files that could not be read, so far. */
  unreadableFiles: number;
  /** Since this run started. */
  elapsedMs: number;
  /** Records decoded and bytes read in this run (not a resumed checkpoint's): what a rate rests on. */
  recordsThisRun: number;
  bytesThisRun: number;
}

export interface RunBacktestOptions {
  /** The log files, consumed lazily: at most two files per worker are taken ahead. */
  refs: AsyncIterable<LogFileRef> | readonly LogFileRef[];
  rulesDir: string;
  query: BacktestQuery;
  /** A JSON file of lazy fact values (as `steward run --facts` takes). */
  factsFile?: string;
  /** Worker threads; default `os.availableParallelism()`. */
  workers?: number;
  /** Where the checkpoint is written, every few seconds and at the end or interruption. */
  checkpoint?: string;
  /** Continue from `checkpoint` (which must exist, for the same query) instead of starting afresh. */
  resume?: boolean;
  onProgress?: (progress: BacktestProgress) => void;
  /** Stops the run: workers terminated, files in progress left for a resume, checkpoint written. */
  signal?: AbortSignal;
  /**
   * Milliseconds between checkpoint writes (default 5 s), and between a worker's reports: a
   * worker reports the files it read once in a while, not each file, and a checkpoint names
   * only files whose results it holds.
   */
  checkpointEveryMs?: number;
  /** The worker thread's entry; default the backtest worker, bundled or from source. */
  workerEntry?: WorkerEntry;
}

/** A backtest's result: the merged report, and each worker's files and peak heap. */
export interface BacktestRun {
  report: BacktestReport;
  workers: { peakHeapBytes: number; files: number }[];
  /** True when `signal` stopped the run before every file was done. */
  interrupted: boolean;
  /** Files skipped because the resumed checkpoint had them done. */
  resumedFiles: number;
  /** Records read by this run, a resumed checkpoint's not counted. */
  recordsThisRun: number;
  elapsedMs: number;
}

/**
 * The worker entry next to this module: the bundled `backtest-worker.cjs` beside the compiled
 * CLI, or, from source, `worker.ts` loaded through tsx (a worker thread does not inherit the
 * main thread's loader, so it registers tsx itself).
 */
function defaultWorkerEntry(): WorkerEntry {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return { script: new URL('./backtest-worker.cjs', here) };
  return { eval: true, script: sourceWorkerScript(new URL('./worker.ts', here)) };
}

/**
 * Runs a backtest on this machine: the files go to worker threads, each reading them one at a
 * time into one `EvaluationBatch` and posting back its report every checkpoint interval and at
 * the end, and the main thread merges the reports. The listing is consumed as workers free up,
 * so no more than two files per worker are ever taken ahead. A file a worker fails on (or
 * crashes on) is an error naming it; the run goes on. With `checkpoint`, the files done and the
 * report so far are written every
 * few seconds and at the end; `resume` continues from them.
 *
 * @example
 * const { report } = await runBacktest({ refs: new SourceListing(query, { s3 }).refs(), rulesDir: 'rules', query });
 */
export async function runBacktest(options: RunBacktestOptions): Promise<BacktestRun> {
  const started = performance.now();
  const entry = options.workerEntry ?? defaultWorkerEntry();
  const count = Math.max(1, options.workers ?? availableParallelism());
  const slots = Array.from({ length: count }, () => new WorkerSlot(entry));
  // The workers load their modules while the rules are checked here, once: each worker
  // compiles the pack (see WorkerSetup.pack).
  for (const slot of slots) slot.start();
  try {
    return await runOnSlots(options, slots, started);
  } finally {
    await Promise.all(slots.map((slot) => slot.stop()));
  }
}

async function runOnSlots(
  options: RunBacktestOptions,
  slots: readonly WorkerSlot[],
  started: number,
): Promise<BacktestRun> {
  const { query } = options;
  const pack = await buildRulePack(options.rulesDir);
  const rules = compileRulePack(pack, options.rulesDir);
  const factStubs =
    options.factsFile === undefined ? undefined : await readFactStubs(options.factsFile);
  // Made here once to refuse a query that cannot run (a bad time, an unknown rule) before any worker starts.
  new LogFileEvaluator({ rules, query });
  const empty = emptyReport(query, rules);
  const state = await startingState(options, empty);
  const resumedFiles = state.done.size;
  const resumed = state.reports.total().totals;
  const setup: WorkerSetup = {
    pack,
    rulesDir: options.rulesDir,
    query,
    ...(factStubs === undefined ? {} : { factStubs }),
  };
  const failed = (ref: LogFileRef, message: string): BacktestReport => ({
    ...empty,
    totals: { ...empty.totals, unreadableFiles: 1 },
    errors: [{ where: logFileName(ref), message }],
  });
  for (const slot of slots) slot.configure({ setup, failed, empty });
  const run = new PoolRun(options, state, started, resumed);
  await Promise.all(slots.map((slot) => run.drive(slot)));
  if (options.signal?.aborted === true) await run.collectOnStop(slots);
  const report = await run.saveCheckpoint(true);
  return {
    report,
    workers: slots.map((slot) => ({ peakHeapBytes: slot.peakHeapBytes, files: slot.files })),
    interrupted: options.signal?.aborted === true,
    resumedFiles,
    recordsThisRun: report.totals.records - resumed.records,
    elapsedMs: performance.now() - started,
  };
}

async function startingState(
  options: RunBacktestOptions,
  empty: BacktestReport,
): Promise<RunState> {
  if (options.resume !== true) return { done: new Set(), reports: new ReportStack(empty) };
  if (options.checkpoint === undefined)
    throw new CheckpointError('resume: no checkpoint file given');
  const checkpoint = await readCheckpoint(options.checkpoint);
  checkResumable(checkpoint, options.query, options.checkpoint);
  const rulesNow = empty.rules.map((rule) => `${rule.rule} (${rule.mode})`).join(', ');
  const rulesThen = checkpoint.report.rules.map((rule) => `${rule.rule} (${rule.mode})`).join(', ');
  if (rulesNow !== rulesThen)
    throw new CheckpointError(
      `${options.checkpoint}: the rules changed since the checkpoint (then: ${rulesThen}; now: ${rulesNow}); start afresh without --resume`,
    );
  return { done: new Set(checkpoint.done), reports: new ReportStack(checkpoint.report) };
}
