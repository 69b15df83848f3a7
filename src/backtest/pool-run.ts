import { CheckpointError, writeCheckpoint, type Checkpoint } from './checkpoint.js';
import { logFileName, type LogFileRef } from './log-file-ref.js';
import type { BacktestReport, BacktestTotals } from './report.js';
import type { ReportStack } from './report-stack.js';
import type { SlotOutcome, SlotReport, WorkerSlot } from './worker-slot.js';
import type { BacktestProgress, RunBacktestOptions } from './pool.js';

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

/** The files done and their reports: none, or a resumed checkpoint's. */
export interface RunState {
  done: Set<string>;
  reports: ReportStack;
}

/** One run's hand-out of files to the workers, its merging, progress and checkpoints. */
export class PoolRun {
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
