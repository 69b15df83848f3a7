import { describe, expect, it } from 'vitest';
import { emptyReport, mergeReports } from '../../src/backtest/merge.js';
import type { BacktestQuery, BacktestReport } from '../../src/backtest/report.js';
import { ReportStack } from '../../src/backtest/report-stack.js';

const query: BacktestQuery = { sources: ['trail/'] };
const rules = [
  { id: 'a', mode: 'enforce' },
  { id: 'b', mode: 'dry-run' },
];
const empty = emptyReport(query, rules);

/** The report of file `n`: one file, n records, n matches of rule a on a day of its own. */
function fileReport(n: number): BacktestReport {
  const [a, b] = empty.rules;
  if (a === undefined || b === undefined) throw new Error('two rules expected');
  const day = `2026-10-${String((n % 28) + 1).padStart(2, '0')}`;
  return {
    ...empty,
    totals: { ...empty.totals, files: 1, records: n, events: n, matchedEvents: n },
    rules: [{ ...a, matches: n, perDay: { [day]: n }, plannedActions: { 'audit.record': n } }, b],
    errors: n % 3 === 0 ? [{ where: `trail/${n}.json.gz`, message: 'bad record' }] : [],
  };
}

describe('ReportStack', () => {
  it('totals what merging one report after another totals, whatever the count', () => {
    for (const count of [0, 1, 2, 7, 64, 100]) {
      const parts = Array.from({ length: count }, (_, index) => fileReport(index + 1));
      const stack = new ReportStack(empty);
      for (const part of parts) stack.add(part);
      expect(stack.total()).toEqual(parts.reduce(mergeReports, empty));
    }
  });

  it('merges onto a resumed report', () => {
    const resumed = [fileReport(1), fileReport(2)].reduce(mergeReports, empty);
    const stack = new ReportStack(resumed);
    stack.add(fileReport(3));
    expect(stack.total().totals).toMatchObject({ files: 3, records: 6 });
    expect(stack.total().rules[0]?.matches).toBe(6);
  });
});
