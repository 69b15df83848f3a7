import { escapeControls } from './escape.js';

/**
 * Where progress goes. `redraw` replaces the line last drawn (a terminal); `line` adds a line
 * of its own (a log, a test).
 */
export type ProgressSink =
  | { kind: 'redraw'; draw(text: string): void; clear(): void }
  | { kind: 'lines'; line(text: string): void };

/** One input of a run, as progress names and weighs it. */
export interface ProgressInput {
  name: string;
  /** Its size, when known before it is read: what the ETA of the inputs after it rests on. */
  bytes?: number;
}

export interface ProgressOptions {
  sink: ProgressSink;
  /** Milliseconds; the run's clock. */
  now?: () => number;
  /** Nothing is shown before the run has taken this long: a short run stays silent. */
  delayMs: number;
  /** At most one update per this many milliseconds. */
  intervalMs: number;
  /**
   * Calls `update` every `intervalMs` while the run goes on, so a slow read still shows;
   * returns how to stop. Default: an unref'd `setInterval`.
   */
  every?: (intervalMs: number, update: () => void) => () => void;
}

const wholeNumber = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/**
 * A duration in seconds as people read an ETA.
 *
 * @example
 * formatEta(185); // '3m05s'
 */
export function formatEta(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * The progress of a run over its inputs: the input being read, the records done of it (of how
 * many, once it is decoded), the rate, and an ETA when the work left is known (the records left
 * of this input, and the sizes of the inputs after it). Shown only once the run has taken
 * `delayMs`; updated at most every `intervalMs`, on each record done and on a timer.
 *
 * @example
 * const progress = new Progress([{ name: 'trail.json.gz', bytes: 5_000_000 }], { sink, delayMs: 1000, intervalMs: 250 });
 * progress.startInput(0); progress.setTotal(20_000);
 * for (const event of events) { await run(event); progress.tick(); }
 * progress.end();
 */
export class Progress {
  private readonly now: () => number;
  private readonly started: number;
  private readonly stopTimer: () => void;
  private current = -1;
  private total: number | undefined;
  private doneInInput = 0;
  private doneInRun = 0;
  private bytesBefore = 0;
  private lastDrawn = Number.NEGATIVE_INFINITY;
  private drawn = false;
  private readonly inputs: ProgressInput[];

  constructor(
    inputs: readonly ProgressInput[],
    private readonly options: ProgressOptions,
  ) {
    this.inputs = inputs.map((input) => ({ ...input }));
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
    const every = options.every ?? repeat;
    this.stopTimer = every(options.intervalMs, () => this.update());
  }

  /** The run moves on to input `index`, not yet decoded. */
  startInput(index: number): void {
    if (this.current >= 0) this.bytesBefore += this.inputs[this.current]?.bytes ?? 0;
    this.current = index;
    this.total = undefined;
    this.doneInInput = 0;
    this.update();
  }

  /** The current input is decoded and holds `records` events; for stdin, also its size. */
  setTotal(records: number, bytes?: number): void {
    this.total = records;
    const input = this.inputs[this.current];
    if (input && bytes !== undefined) input.bytes ??= bytes;
  }

  /** One record of the current input is done. */
  tick(): void {
    this.doneInInput += 1;
    this.doneInRun += 1;
    this.update();
  }

  /** Takes the drawn line away before other output is printed; the next update draws it again. */
  pause(): void {
    if (this.options.sink.kind === 'redraw' && this.drawn) this.options.sink.clear();
    this.drawn = false;
  }

  /**
   * The run is over: the timer stops, and the line is taken away from a terminal; where lines
   * were printed, a last one says where the run ended.
   */
  end(): void {
    this.stopTimer();
    if (this.options.sink.kind === 'lines' && this.lastDrawn > Number.NEGATIVE_INFINITY)
      this.options.sink.line(this.describe());
    this.pause();
  }

  /** The progress line as it stands now. */
  describe(): string {
    const elapsedS = (this.now() - this.started) / 1000;
    const input = this.inputs[this.current];
    const of = this.inputs.length > 1 ? `${this.current + 1}/${this.inputs.length} ` : '';
    const name = escapeControls(input?.name ?? '');
    if (this.total === undefined) return `${of}${name}: reading`;
    const parts = [
      `${of}${name}: ${wholeNumber.format(this.doneInInput)} of ${wholeNumber.format(this.total)} records`,
    ];
    if (elapsedS > 0 && this.doneInRun > 0)
      parts.push(`${wholeNumber.format(this.doneInRun / elapsedS)} records/s`);
    const eta = this.etaSeconds(elapsedS);
    if (eta !== undefined) parts.push(`ETA ${formatEta(eta)}`);
    return parts.join(', ');
  }

  /**
   * The work done and left, weighed in bytes (the current input's done in proportion to its
   * records), extrapolated at the pace so far; undefined while any input's size is unknown.
   */
  private etaSeconds(elapsedS: number): number | undefined {
    const sizes = this.inputs.map((input) => input.bytes);
    if (this.total === undefined || sizes.some((size) => size === undefined)) return undefined;
    const all = sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0);
    const current = this.inputs[this.current]?.bytes ?? 0;
    const done =
      this.bytesBefore + (this.total === 0 ? current : (current * this.doneInInput) / this.total);
    if (done <= 0) return undefined;
    return (elapsedS * (all - done)) / done;
  }

  private update(): void {
    const now = this.now();
    if (this.current < 0 || now - this.started < this.options.delayMs) return;
    if (now - this.lastDrawn < this.options.intervalMs) return;
    this.lastDrawn = now;
    const text = this.describe();
    if (this.options.sink.kind === 'redraw') this.options.sink.draw(text);
    else this.options.sink.line(text);
    this.drawn = true;
  }
}

function repeat(intervalMs: number, update: () => void): () => void {
  const timer = setInterval(update, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
