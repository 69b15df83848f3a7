import { mergeReports } from './merge.js';
import type { BacktestReport } from './report.js';

/**
 * Partial reports merged as a binary counter merges: a report joins one of its own weight (in
 * files), the two make one of twice the weight, and so on. A report that grows with every file
 * (thousands of distinct resources) is then copied about log2(files) times, not once per file,
 * which keeps the main thread's merging from competing with the workers. `mergeReports` being
 * commutative and associative, the total is the report of merging one by one.
 *
 * @example
 * const stack = new ReportStack(emptyReport(query, rules));
 * for (const part of parts) stack.add(part);
 * stack.total(); // the same as parts.reduce(mergeReports, emptyReport(query, rules))
 */
export class ReportStack {
  /** `levels[i]`: the merge of 2^i reports, or nothing. */
  private readonly levels: (BacktestReport | undefined)[] = [];

  constructor(private readonly base: BacktestReport) {}

  add(report: BacktestReport): void {
    let carry = report;
    let level = 0;
    for (let held = this.levels[level]; held !== undefined; held = this.levels[level]) {
      carry = mergeReports(held, carry);
      this.levels[level] = undefined;
      level += 1;
    }
    this.levels[level] = carry;
  }

  /** Everything added, merged onto the base report. */
  total(): BacktestReport {
    let total = this.base;
    for (const report of this.levels) if (report !== undefined) total = mergeReports(total, report);
    return total;
  }
}
