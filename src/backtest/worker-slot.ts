import { Worker } from 'node:worker_threads';
import { messageOf } from '../errors.js';
import type { FileRead } from './evaluate-log-file.js';
import type { LogFileRef } from './log-file-ref.js';
import type { BacktestReport } from './report.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker-messages.js';

/** How a worker thread is started: its entry and the Node options it runs with. */
export interface WorkerEntry {
  /** A file URL, or, with `eval`, the code to run. */
  script: URL | string;
  eval?: boolean;
  /** The worker's Node options; by default this process's (`process.execArgv`). */
  execArgv?: string[];
}

/**
 * What a slot's call comes to: a file read, or a report and the files it covers (those read
 * since the last report; or, when the worker died on a file, that file alone, failed).
 */
export type SlotOutcome = { kind: 'read'; read: FileRead } | SlotReport;

/** A report from a slot, and the files it covers. */
export interface SlotReport {
  kind: 'report';
  report: BacktestReport;
  files: readonly LogFileRef[];
}

/** A file a worker read but never reported, with what its reading counted. */
export interface UnreportedFile {
  ref: LogFileRef;
  read: FileRead;
}

/** What a slot's workers evaluate with, and how a file they fail on is reported. */
export interface SlotWork {
  setup: WorkerSetup;
  failed: (ref: LogFileRef, message: string) => BacktestReport;
  /** The report of nothing: what a report call comes to when its worker dies. */
  empty: BacktestReport;
}

/**
 * One worker thread of a backtest, started early (`start`, while the rules are checked) or on
 * first use, told what to evaluate with (`configure`), and restarted after a crash. It reads
 * one file at a time into its batch, and reports the batch when asked. A worker that dies (or
 * cannot start) while on a file fails that file alone: `failed` makes its report, an error
 * naming the file. The files it had read but not reported die with it: `takeStranded` gives
 * them back, to be read again.
 *
 * @example
 * const slot = new WorkerSlot(entry);
 * slot.start();
 * slot.configure({ setup, failed: (ref, message) => failedReport(ref, message), empty });
 * await slot.evaluate(ref); // { kind: 'read', read: { records: 2500, ... } }
 * const { report, files } = await slot.report();
 * await slot.stop();
 */
export class WorkerSlot {
  /** Files this slot was given, and the highest heap its workers reported. */
  files = 0;
  peakHeapBytes = 0;
  private worker?: Worker;
  /** The calls waiting for the worker, in the order it answers them: a file (`ref`), or a report. */
  private pending: { ref?: LogFileRef; resolve: (outcome: SlotOutcome) => void }[] = [];
  private unreported: UnreportedFile[] = [];
  private stranded: UnreportedFile[] = [];
  private lastError?: string;
  private work?: SlotWork;

  constructor(private readonly entry: WorkerEntry) {}

  /** Files read since the last report, or being read: what a report now would cover. */
  get unreportedFiles(): number {
    return this.unreported.length + this.pending.filter((call) => call.ref !== undefined).length;
  }

  /** Starts the worker thread now, so that its modules load while the main thread works. */
  start(): void {
    this.running();
  }

  /** What to evaluate with: sent to the worker running, and to any started after. */
  configure(work: SlotWork): void {
    this.work = work;
    this.worker?.postMessage({ kind: 'setup', setup: work.setup } satisfies WorkerRequest);
  }

  /** Reads the file into the worker's batch; never rejects. Call after `configure`. */
  evaluate(ref: LogFileRef): Promise<SlotOutcome> {
    this.files += 1;
    return this.call({ kind: 'file', ref }, ref);
  }

  /** The report of the files read since the last (a file being read finished first); never rejects. */
  report(): Promise<SlotReport> {
    // The worker answers a call for its report with a report, or dies and is given an empty one.
    return this.call({ kind: 'report' }) as Promise<SlotReport>;
  }

  /** The files read but lost with a worker that died since the last call, now forgotten here. */
  takeStranded(): UnreportedFile[] {
    const stranded = this.stranded;
    this.stranded = [];
    return stranded;
  }

  /** Ends the worker; a file it was on is not reported. */
  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.pending = [];
    await worker?.terminate();
  }

  private call(request: WorkerRequest, ref?: LogFileRef): Promise<SlotOutcome> {
    return new Promise((resolve) => {
      this.pending.push({ ...(ref === undefined ? {} : { ref }), resolve });
      this.running().postMessage(request);
    });
  }

  private running(): Worker {
    if (this.worker !== undefined) return this.worker;
    const { script, execArgv } = this.entry;
    const worker = new Worker(script, {
      eval: this.entry.eval === true,
      ...(execArgv === undefined ? {} : { execArgv }),
    });
    if (this.work !== undefined)
      worker.postMessage({ kind: 'setup', setup: this.work.setup } satisfies WorkerRequest);
    this.lastError = undefined;
    worker.on('message', (reply: WorkerReply) => this.replied(worker, reply));
    worker.on('error', (error) => {
      this.lastError = `the worker evaluating it stopped: ${messageOf(error)}`;
    });
    worker.on('exit', (code) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.stranded.push(...this.unreported);
      this.unreported = [];
      const { work } = this;
      if (work === undefined) return;
      const message = this.lastError ?? `the worker evaluating it exited (code ${code})`;
      // The first call was the worker's when it died; those after it go to the next worker.
      const [dying, ...after] = this.pending;
      this.pending = [];
      if (dying !== undefined)
        dying.resolve(
          dying.ref === undefined
            ? { kind: 'report', report: work.empty, files: [] }
            : { kind: 'report', report: work.failed(dying.ref, message), files: [dying.ref] },
        );
      for (const call of after) {
        if (call.ref === undefined) call.resolve({ kind: 'report', report: work.empty, files: [] });
        else void this.call({ kind: 'file', ref: call.ref }, call.ref).then(call.resolve);
      }
    });
    this.worker = worker;
    return worker;
  }

  private replied(worker: Worker, reply: WorkerReply): void {
    if (reply.kind === 'failed') {
      this.lastError = `the worker could not start: ${reply.message}`;
      void worker.terminate();
      return;
    }
    this.peakHeapBytes = Math.max(this.peakHeapBytes, reply.peakHeapBytes);
    const call = this.pending.shift();
    if (reply.kind === 'read') {
      if (call?.ref !== undefined) this.unreported.push({ ref: call.ref, read: reply.read });
      call?.resolve({ kind: 'read', read: reply.read });
      return;
    }
    const files = this.unreported.map((file) => file.ref);
    this.unreported = [];
    call?.resolve({ kind: 'report', report: reply.report, files });
  }
}
