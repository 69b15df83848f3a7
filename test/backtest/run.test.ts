import { describe, expect, it } from 'vitest';
import { runBacktest } from '../../src/backtest/pool.js';
import { SourceListing } from '../../src/backtest/source-listing.js';
import type { BacktestQuery } from '../../src/backtest/report.js';
import { repoPath } from '../support/files.js';
import { organizationTree, scratch, writeTree } from './run-support.js';

const noS3 = () => Promise.reject(new Error('no S3 in this test'));

describe('runBacktest', () => {
  it('evaluates every file of a tree on worker threads and merges their reports', async () => {
    const root = await scratch('backtest-run');
    const files = organizationTree(2);
    await writeTree(root, files);
    const query: BacktestQuery = { sources: [root] };
    const progress: number[] = [];
    const run = await runBacktest({
      refs: new SourceListing(query, { s3: noS3 }).refs(),
      rulesDir: repoPath('rules'),
      query,
      workers: 2,
      onProgress: (p) => progress.push(p.filesDone),
    });
    expect(run.report.totals.files).toBe(files.length);
    expect(run.report.totals.records).toBe(files.length * 12);
    const stopped = run.report.rules.find((rule) => rule.rule === 'cloudtrail-logging-stopped');
    expect(stopped?.matches).toBe(files.length * 3);
    expect(run.workers).toHaveLength(2);
    expect(run.workers.reduce((sum, worker) => sum + worker.files, 0)).toBe(files.length);
    expect(run.workers.every((worker) => worker.peakHeapBytes > 0)).toBe(true);
    expect(progress.at(-1)).toBe(files.length);
  });
});
