import type { PipelineReport } from '../pipeline.js';
import { escapeControls } from './escape.js';
import { table } from './output.js';

const count = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Counts as a sentence lists them, largest first: `planned 48, duplicate 2`. */
function tally(counts: ReadonlyMap<string, number>): string {
  return [...counts]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([name, n]) => `${escapeControls(name)} ${count.format(n)}`)
    .join(', ');
}

function add(counts: Map<string, number>, name: string, n = 1): void {
  counts.set(name, (counts.get(name) ?? 0) + n);
}

/**
 * What a `steward run` came to over all its inputs: events read, how many matched, matches by
 * rule, actions by status, errors by kind, and how long it took.
 *
 * @example
 * const summary = new RunSummary();
 * summary.add(report);
 * output.out(summary.describe(4200));
 */
export class RunSummary {
  private inputs = 0;
  private events = 0;
  private matched = 0;
  private readonly rules = new Map<string, number>();
  private readonly actions = new Map<string, number>();
  private readonly errors = new Map<string, number>();

  /** One input's report. */
  add(report: PipelineReport): void {
    this.inputs += 1;
    this.events += report.events.length;
    for (const object of report.objects) this.events += object.unmatched ?? 0;
    for (const event of report.events) {
      if (event.matches.length > 0) this.matched += 1;
      for (const match of event.matches) {
        add(this.rules, match.rule);
        for (const action of match.actions) add(this.actions, action.status);
      }
    }
    for (const error of report.errors) add(this.errors, error.kind);
  }

  /** An input that could not be read at all. */
  addUnreadable(): void {
    this.inputs += 1;
    add(this.errors, 'unreadable input');
  }

  /** The summary's lines, for a run that took `elapsedMs`. */
  describe(elapsedMs: number): string {
    const seconds = elapsedMs / 1000;
    const rate = seconds > 0 ? ` (${count.format(this.events / seconds)} events/s)` : '';
    const inputs = `${count.format(this.inputs)} ${this.inputs === 1 ? 'input' : 'inputs'}`;
    const lines = [
      `${count.format(this.events)} ${this.events === 1 ? 'event' : 'events'} from ${inputs} in ${seconds.toFixed(1)} s${rate}: ` +
        `${count.format(this.matched)} matched a rule, ${count.format(this.events - this.matched)} matched none`,
    ];
    if (this.rules.size > 0) {
      const rows = [...this.rules]
        .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
        .map(([rule, n]) => [`  ${rule}`, count.format(n)]);
      lines.push('matches by rule:', ...table(rows).split('\n'));
    }
    lines.push(`actions by status: ${this.actions.size > 0 ? tally(this.actions) : 'none'}`);
    const errors = [...this.errors.values()].reduce((sum, n) => sum + n, 0);
    lines.push(
      `errors: ${errors === 0 ? 'none' : `${count.format(errors)} (${tally(this.errors)})`}`,
    );
    return lines.join('\n');
  }
}
