import { formatEta, type ProgressSink } from '../cli/progress.js';
import type { BacktestProgress } from './pool.js';

const wholeNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * A backtest's progress as one line: files done (of the total once the listing is over),
 * records, records per second and, once the total is known, an ETA from the bytes left at the
 * pace so far.
 *
 * @example
 * describeBacktestProgress(progress); // 'files 120/400, 2,400,000 records, 310,000 records/s, ETA 12s'
 */
export function describeBacktestProgress(progress: BacktestProgress): string {
  const files = progress.listingDone
    ? `files ${wholeNumber.format(progress.filesDone)}/${wholeNumber.format(progress.filesListed)}`
    : `files ${wholeNumber.format(progress.filesDone)} (${wholeNumber.format(progress.filesListed)} listed so far)`;
  const parts = [files, `${wholeNumber.format(progress.records)} records`];
  const seconds = progress.elapsedMs / 1000;
  if (seconds > 0 && progress.recordsThisRun > 0)
    parts.push(`${wholeNumber.format(progress.recordsThisRun / seconds)} records/s`);
  if (progress.listingDone && progress.bytesThisRun > 0) {
    const left = progress.bytesListed - progress.bytesDone;
    parts.push(`ETA ${formatEta((seconds * left) / progress.bytesThisRun)}`);
  }
  if (progress.unreadableFiles > 0)
    parts.push(`${wholeNumber.format(progress.unreadableFiles)} unreadable`);
  return parts.join(', ');
}

/**
 * Shows a backtest's progress on a sink: redrawn in place on a terminal at most every
 * `intervalMs`, or one line every `intervalMs` when lines are printed. Nothing shows before
 * `intervalMs` has passed, so a short run stays quiet, unless `immediate` asks for the first
 * file's progress at once. The last state is drawn again on a timer, so a slow file still
 * shows.
 *
 * @example
 * const line = new BacktestProgressLine(sink, 2000);
 * await runBacktest({ ...options, onProgress: (p) => line.update(p) });
 * line.end();
 */
export class BacktestProgressLine {
  private last?: BacktestProgress;
  private lastShown: number;
  private shown = false;
  private readonly timer: ReturnType<typeof setInterval>;
  private readonly now: () => number;

  constructor(
    private readonly sink: ProgressSink,
    private readonly intervalMs: number,
    options: { immediate?: boolean; now?: () => number } = {},
  ) {
    this.now = options.now ?? (() => performance.now());
    this.lastShown = options.immediate === true ? Number.NEGATIVE_INFINITY : this.now();
    this.timer = setInterval(() => this.show(false), intervalMs);
    this.timer.unref();
  }

  update(progress: BacktestProgress): void {
    this.last = progress;
    this.show(false);
  }

  /** Takes the line away from a terminal before other output; a last line where lines are printed. */
  end(): void {
    clearInterval(this.timer);
    if (this.sink.kind === 'lines') {
      if (this.shown) this.show(true);
    } else if (this.shown) this.sink.clear();
  }

  private show(force: boolean): void {
    if (this.last === undefined) return;
    const now = this.now();
    if (!force && now - this.lastShown < this.intervalMs) return;
    this.lastShown = now;
    this.shown = true;
    const text = describeBacktestProgress(this.last);
    if (this.sink.kind === 'redraw') this.sink.draw(text);
    else this.sink.line(text);
  }
}
