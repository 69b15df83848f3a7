import { availableParallelism } from 'node:os';
import { readFactStubs } from '../cli/input-files.js';
import { buildRulePack } from '../rules/pack-build.js';
import { compileRulePack } from '../rules/pack.js';
import {
  CheckpointError,
  checkResumable,
  readCheckpoint,
  writeCheckpoint,
  type Checkpoint,
} from './checkpoint.js';
import { LogFileEvaluator } from './evaluate-log-file.js';
import { logFileName, type LogFileRef } from './log-file-ref.js';
import { emptyReport } from './merge.js';
import type { BacktestQuery, BacktestReport, BacktestTotals } from './report.js';
import { ReportStack } from './report-stack.js';
import { sourceWorkerScript } from './source-worker.js';
import { WorkerSlot, type SlotOutcome, type SlotReport, type WorkerEntry } from './worker-slot.js';
import type { WorkerSetup } from './worker-messages.js';

/**
 * How long a stopped run waits for its workers' last reports: a worker finishes the file it
 * is on before it reports, and a stop should not wait for a large file.
 */
const stopGraceMs = 2_000;

/**
 * Files sent to a worker before it has read the one it is on: two, so it goes on to the next
 * without waiting for this thread to hear it finished (its files still come one at a time).
 */
const filesAhead = 2;

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

/** The files done and their reports: none, or a resumed checkpoint's. */
interface RunState {
  done: Set<string>;
  reports: ReportStack;
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

/** One run's hand-out of files to the workers, its merging, progress and checkpoints. */
class PoolRun {
  private readonly files: AsyncIterator<LogFileRef> | Iterator<LogFileRef>;
  private readonly progress: BacktestProgress;
  private readonly skipDone: ReadonlySet<string>;
  /** Settles when the run is stopped, so a worker's file in progress is not waited for. */
  private readonly aborted: Promise<undefined>;
  private writeError?: unknown;
  private taking: Promise<LogFileRef | undefined> = Promise.resolve(undefined);
  private lastCheckpoint: number;
  private writing: Promise<void> = Promise.resolve();
  /** Files to read again, before any other: a worker died before reporting them. */
  private readonly again: LogFileRef[] = [];

  constructor(
    private readonly options: RunBacktestOptions,
    private readonly state: RunState,
    private readonly started: number,
    resumed: BacktestTotals,
  ) {
    const { refs } = options;
    this.files =
      Symbol.asyncIterator in refs ? refs[Symbol.asyncIterator]() : refs[Symbol.iterator]();
    this.skipDone = new Set(state.done);
    this.lastCheckpoint = started;
    const { signal } = options;
    this.aborted = new Promise((resolve) => {
      if (signal?.aborted === true) resolve(undefined);
      signal?.addEventListener('abort', () => resolve(undefined), { once: true });
    });
    this.progress = {
      filesDone: state.done.size,
      filesListed: 0,
      listingDone: false,
      bytesDone: resumed.bytes,
      bytesListed: 0,
      records: resumed.records,
      unreadableFiles: resumed.unreadableFiles,
      elapsedMs: 0,
      recordsThisRun: 0,
      bytesThisRun: 0,
    };
  }

  /**
   * Feeds one worker until the files run out or the run is stopped, asking for its report
   * every checkpoint interval and once it has no file left. The worker is sent its next file
   * while it reads one (`filesAhead`), so it starts on it without waiting for a round trip
   * through this thread; it still reads one file at a time.
   */
  async drive(slot: WorkerSlot): Promise<void> {
    let reportedAt = performance.now();
    const sent: { ref: LogFileRef; outcome: Promise<SlotOutcome> }[] = [];
    for (;;) {
      while (sent.length < filesAhead) {
        const ref = await this.next();
        if (ref === undefined || this.stopped()) break;
        sent.push({ ref, outcome: slot.evaluate(ref) });
      }
      if (this.stopped()) return;
      const file = sent.shift();
      if (file === undefined) {
        if (slot.unreportedFiles === 0) return;
        // A worker dying on its report gives its files back, for this loop or another to read.
        await this.collect(slot);
        continue;
      }
      const outcome = await Promise.race([file.outcome, this.aborted]);
      if (outcome === undefined || this.stopped()) return;
      if (outcome.kind === 'read')
        this.read(file.ref, outcome.read.records, outcome.read.unreadable);
      else {
        this.read(file.ref, outcome.report.totals.records, true);
        this.record(outcome);
      }
      this.requeue(slot);
      if (performance.now() - reportedAt >= this.everyMs()) {
        await this.collect(slot);
        reportedAt = performance.now();
      }
    }
  }

  /** The worker's report of the files it read since its last, merged. */
  private async collect(slot: WorkerSlot): Promise<void> {
    this.record(await slot.report());
    this.requeue(slot);
  }

  /**
   * After a stop, each worker's report of what it read, a file it was on finished first if
   * that takes less than `stopGraceMs`: what it does not cover is read again on resume.
   */
  async collectOnStop(slots: readonly WorkerSlot[]): Promise<void> {
    const grace = new Promise<undefined>((resolve) => {
      setTimeout(resolve, stopGraceMs, undefined).unref();
    });
    await Promise.all(
      slots.map(async (slot) => {
        if (slot.unreportedFiles === 0) return;
        const outcome = await Promise.race([slot.report(), grace]);
        if (outcome !== undefined) this.record(outcome);
      }),
    );
  }

  /** Files lost with a worker that died, read again: taken out of the progress, listed anew. */
  private requeue(slot: WorkerSlot): void {
    for (const { ref, read } of slot.takeStranded()) {
      this.read(ref, read.records, read.unreadable, -1);
      this.again.push(ref);
    }
  }

  private everyMs(): number {
    return this.options.checkpointEveryMs ?? 5_000;
  }

  private stopped(): boolean {
    return this.options.signal?.aborted === true;
  }

  /** The next file not done yet; one taker at a time, as the listing is one iterator. */
  private next(): Promise<LogFileRef | undefined> {
    const taken = this.taking.then(async () => {
      const again = this.again.shift();
      if (again !== undefined) return again;
      for (;;) {
        if (this.progress.listingDone) return undefined;
        const step = await this.files.next();
        if (step.done === true) {
          this.progress.listingDone = true;
          return undefined;
        }
        const ref = step.value;
        const name = logFileName(ref);
        this.progress.filesListed += 1;
        this.progress.bytesListed += ref.bytes;
        if (!this.skipDone.has(name)) return ref;
      }
    });
    this.taking = taken.then(
      () => undefined,
      () => undefined,
    );
    return taken;
  }

  /** A file read (or, with `sign` -1, one to be read again), told to `onProgress`. */
  private read(ref: LogFileRef, records: number, unreadable: boolean, sign: 1 | -1 = 1): void {
    const { progress } = this;
    progress.filesDone += sign;
    progress.bytesDone += sign * ref.bytes;
    progress.records += sign * records;
    progress.recordsThisRun += sign * records;
    progress.bytesThisRun += sign * ref.bytes;
    progress.unreadableFiles += unreadable ? sign : 0;
    progress.elapsedMs = performance.now() - this.started;
    this.options.onProgress?.({ ...progress });
  }

  /** A worker's report merged: its files are done, and a checkpoint may name them. */
  private record({ report, files }: SlotReport): void {
    const { state } = this;
    state.reports.add(report);
    for (const ref of files) state.done.add(logFileName(ref));
    if (performance.now() - this.lastCheckpoint >= this.everyMs()) void this.saveCheckpoint();
  }

  /**
   * Writes the checkpoint, after any write still going, so the last one written is the latest;
   * returns the report it holds. A write that fails during the run is thrown by the last one,
   * at the end.
   */
  async saveCheckpoint(final = false): Promise<BacktestReport> {
    const report = this.state.reports.total();
    const file = this.options.checkpoint;
    if (file === undefined) return report;
    this.lastCheckpoint = performance.now();
    const checkpoint: Checkpoint = {
      version: 1,
      query: this.options.query,
      done: [...this.state.done],
      report,
    };
    this.writing = this.writing
      .then(() => writeCheckpoint(file, checkpoint))
      .catch((error: unknown) => {
        this.writeError ??= error;
      });
    await this.writing;
    if (final && this.writeError !== undefined)
      throw new CheckpointError(`${file}: the checkpoint could not be written`, {
        cause: this.writeError,
      });
    return report;
  }
}
