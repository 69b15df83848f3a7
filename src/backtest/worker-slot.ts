import { Worker } from 'node:worker_threads';
import { messageOf } from '../errors.js';
import type { LogFileRef } from './log-file-ref.js';
import type { BacktestReport } from './report.js';
import type { WorkerReply, WorkerSetup } from './worker-messages.js';

/** How a worker thread is started: its entry and the Node options it runs with. */
export interface WorkerEntry {
  /** A file URL, or, with `eval`, the code to run. */
  script: URL | string;
  eval?: boolean;
}

/** One file's outcome from a worker: its report, and the worker's peak heap so far. */
export interface FileOutcome {
  report: BacktestReport;
  peakHeapBytes: number;
}

/**
 * One worker thread of a backtest, started on first use and restarted after a crash: it
 * evaluates one file at a time. A worker that dies (or cannot start) while on a file fails that
 * file alone: `failed` makes its report, an error naming the file.
 *
 * @example
 * const slot = new WorkerSlot(entry, setup, (ref, message) => failedReport(ref, message));
 * const { report } = await slot.evaluate(ref);
 * await slot.stop();
 */
export class WorkerSlot {
  /** Files this slot was given, and the highest heap its workers reported. */
  files = 0;
  peakHeapBytes = 0;
  private worker?: Worker;
  private pending?: {
    ref: LogFileRef;
    resolve: (outcome: FileOutcome) => void;
  };
  private lastError?: string;

  constructor(
    private readonly entry: WorkerEntry,
    private readonly setup: WorkerSetup,
    private readonly failed: (ref: LogFileRef, message: string) => BacktestReport,
  ) {}

  /** The file's report; never rejects. */
  evaluate(ref: LogFileRef): Promise<FileOutcome> {
    this.files += 1;
    return new Promise((resolve) => {
      this.pending = { ref, resolve };
      this.running().postMessage({ ref });
    });
  }

  /** Ends the worker; a file it was on is not reported. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.pending = undefined;
    await worker?.terminate();
  }

  private running(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(this.entry.script, {
      eval: this.entry.eval === true,
      workerData: this.setup,
    });
    this.lastError = undefined;
    worker.on('message', (reply: WorkerReply) => {
      if (reply.kind === 'failed') {
        this.lastError = `the worker could not start: ${reply.message}`;
        void worker.terminate();
        return;
      }
      this.peakHeapBytes = Math.max(this.peakHeapBytes, reply.peakHeapBytes);
      this.settle({ report: reply.report, peakHeapBytes: reply.peakHeapBytes });
    });
    worker.on('error', (error) => {
      this.lastError = `the worker evaluating it stopped: ${messageOf(error)}`;
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      const pending = this.pending;
      if (pending === undefined) return;
      const message = this.lastError ?? `the worker evaluating it exited (code ${code})`;
      this.settle({ report: this.failed(pending.ref, message), peakHeapBytes: 0 });
    });
    this.worker = worker;
    return worker;
  }

  private settle(outcome: FileOutcome): void {
    const pending = this.pending;
    this.pending = undefined;
    pending?.resolve(outcome);
  }
}
