import { describe, expect, it } from 'vitest';
import type { BacktestProgress } from '../../src/backtest/pool.js';
import {
  BacktestProgressLine,
  describeBacktestProgress,
} from '../../src/backtest/progress-line.js';

const progress: BacktestProgress = {
  filesDone: 120,
  filesListed: 400,
  listingDone: true,
  bytesDone: 1_000_000,
  bytesListed: 4_000_000,
  records: 2_400_000,
  unreadableFiles: 0,
  elapsedMs: 10_000,
  recordsThisRun: 2_400_000,
  bytesThisRun: 1_000_000,
};

describe('describeBacktestProgress', () => {
  it('gives files of the total, records, the rate and an ETA from the bytes left', () => {
    expect(describeBacktestProgress(progress)).toBe(
      'files 120/400, 2,400,000 records, 240,000 records/s, ETA 30s',
    );
  });

  it('gives no total and no ETA while the listing goes on, and counts unreadable files', () => {
    expect(describeBacktestProgress({ ...progress, listingDone: false, unreadableFiles: 2 })).toBe(
      'files 120 (400 listed so far), 2,400,000 records, 240,000 records/s, 2 unreadable',
    );
  });

  it('rates a resumed run on its own records and bytes', () => {
    expect(
      describeBacktestProgress({ ...progress, recordsThisRun: 100_000, bytesThisRun: 500_000 }),
    ).toBe('files 120/400, 2,400,000 records, 10,000 records/s, ETA 1m00s');
  });
});

describe('BacktestProgressLine', () => {
  it('stays quiet before its interval, then prints at most a line per interval and a last one', () => {
    let now = 0;
    const lines: string[] = [];
    const line = new BacktestProgressLine(
      { kind: 'lines', line: (text) => lines.push(text) },
      5_000,
      { now: () => now },
    );
    line.update({ ...progress, filesDone: 1 });
    now = 5_000;
    line.update({ ...progress, filesDone: 2 });
    now = 6_000;
    line.update({ ...progress, filesDone: 3 });
    line.end();
    expect(lines.map((text) => text.split(',')[0])).toEqual(['files 2/400', 'files 3/400']);
  });

  it('draws at once when asked, and clears a terminal line at the end', () => {
    const drawn: string[] = [];
    const line = new BacktestProgressLine(
      { kind: 'redraw', draw: (text) => drawn.push(text), clear: () => drawn.push('') },
      250,
      { immediate: true, now: () => 0 },
    );
    line.update(progress);
    line.end();
    expect(drawn).toEqual([describeBacktestProgress(progress), '']);
  });
});
