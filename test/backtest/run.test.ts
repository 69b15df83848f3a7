import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCheckpoint } from '../../src/backtest/checkpoint.js';
import type { LogFileRef } from '../../src/backtest/log-file-ref.js';
import { runBacktest } from '../../src/backtest/pool.js';
import { sourceWorkerScript } from '../../src/backtest/source-worker.js';
import type { BacktestQuery } from '../../src/backtest/report.js';
import { SourceListing } from '../../src/backtest/source-listing.js';
import { repoPath } from '../support/files.js';
import { organizationTree, scratch, writeTree } from './run-support.js';

/** A worker that reads without evaluating, and dies on a file whose name says `crash`. */
const crashingWorker = {
  eval: true,
  script: sourceWorkerScript(new URL('./fixtures/crashing-worker.ts', import.meta.url)),
};

/** A worker that counts, as each file's records, the files sent to it while it read that one. */
const queueProbingWorker = {
  eval: true,
  script: sourceWorkerScript(new URL('./fixtures/queue-probing-worker.ts', import.meta.url)),
};

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

describe('runBacktest, stopped and resumed', () => {
  it('gives the report of one uninterrupted run', async () => {
    const root = await scratch('backtest-resume');
    const files = organizationTree(3);
    await writeTree(root, files);
    const query: BacktestQuery = { sources: [root], since: '2026-10-02T00:00:00.000Z' };
    const refs = () => new SourceListing(query, { s3: noS3 }).refs();
    const rulesDir = repoPath('rules');
    const whole = await runBacktest({ refs: refs(), rulesDir, query, workers: 2 });

    const checkpoint = join(await scratch('backtest-checkpoint'), 'backtest.checkpoint.json');
    const stop = new AbortController();
    const first = await runBacktest({
      refs: refs(),
      rulesDir,
      query,
      workers: 2,
      checkpoint,
      signal: stop.signal,
      onProgress: (progress) => {
        if (progress.filesDone >= 3) stop.abort();
      },
    });
    expect(first.interrupted).toBe(true);
    const saved = await readCheckpoint(checkpoint);
    expect(saved.done.length).toBeGreaterThanOrEqual(3);
    expect(saved.done.length).toBeLessThan((files.length * 2) / 3);
    expect(saved.query).toEqual(query);

    const resumed = await runBacktest({
      refs: refs(),
      rulesDir,
      query,
      workers: 2,
      checkpoint,
      resume: true,
    });
    expect(resumed.interrupted).toBe(false);
    expect(resumed.resumedFiles).toBe(saved.done.length);
    expect(resumed.report).toEqual(whole.report);
    // The day folders before --since are not listed: 2 of the tree's 3 days.
    expect(resumed.report.totals.files).toBe((files.length * 2) / 3);
    expect((await readCheckpoint(checkpoint)).done).toHaveLength((files.length * 2) / 3);
  });

  it('refuses a checkpoint of another query, saying what differs', async () => {
    const root = await scratch('backtest-refuse');
    await writeTree(root, organizationTree(1));
    const query: BacktestQuery = { sources: [root] };
    const checkpoint = join(root, 'backtest.checkpoint.json');
    const rulesDir = repoPath('rules');
    await runBacktest({ refs: [], rulesDir, query, workers: 1, checkpoint });
    await expect(
      runBacktest({
        refs: [],
        rulesDir,
        query: { ...query, regions: ['eu-west-1'] },
        workers: 1,
        checkpoint,
        resume: true,
      }),
    ).rejects.toThrow(
      `${checkpoint}: the checkpoint is of another backtest (regions null); resume it with the same sources and options`,
    );
  });

  it('refuses a file that is not a checkpoint', async () => {
    const root = await scratch('backtest-not-checkpoint');
    const checkpoint = join(root, 'x.json');
    await writeFile(checkpoint, '{"version": 2}');
    await expect(
      runBacktest({
        refs: [],
        rulesDir: repoPath('rules'),
        query: { sources: [root] },
        checkpoint,
        resume: true,
      }),
    ).rejects.toThrow(`${checkpoint}: not a backtest checkpoint of this version of steward`);
    await expect(
      runBacktest({
        refs: [],
        rulesDir: repoPath('rules'),
        query: { sources: [root] },
        checkpoint: join(root, 'missing.json'),
        resume: true,
      }),
    ).rejects.toThrow(`${join(root, 'missing.json')}: no such checkpoint`);
  });
});

/** Files under `logs/` that the crashing worker never opens. */
function logFiles(names: readonly string[]): LogFileRef[] {
  return names.map((name) => ({ kind: 'file', path: `logs/${name}`, bytes: 10 }));
}

describe('runBacktest, faults', () => {
  it('fails the file a worker crashes on, and only that file', async () => {
    const query: BacktestQuery = { sources: ['logs/'] };
    const refs = logFiles(['a.json', 'crash.json', 'b.json', 'c.json']);
    const run = await runBacktest({
      refs,
      rulesDir: repoPath('rules'),
      query,
      workers: 2,
      workerEntry: crashingWorker,
    });
    expect(run.report.totals.files).toBe(3);
    expect(run.report.totals.unreadableFiles).toBe(1);
    expect(run.report.errors).toEqual([
      { where: 'logs/crash.json', message: 'the worker evaluating it exited (code 3)' },
    ]);
  });

  it('reads again the files a crashed worker had read but not reported yet', async () => {
    const query: BacktestQuery = { sources: ['logs/'] };
    const refs = logFiles(['a.json', 'b.json', 'crash.json', 'c.json']);
    const filesDone: number[] = [];
    const run = await runBacktest({
      refs,
      rulesDir: repoPath('rules'),
      query,
      workers: 1,
      workerEntry: crashingWorker,
      onProgress: (progress) => filesDone.push(progress.filesDone),
    });
    // a and b die unreported with the worker that crashes on the third file: read once more.
    expect(filesDone).toEqual([1, 2, 3, 2, 1, 2, 3, 4]);
    expect(run.report.totals.files).toBe(3);
    expect(run.report.totals.unreadableFiles).toBe(1);
    expect(run.workers[0]?.files).toBe(6);
  });

  it('sends a worker its next file while it reads one, and no more', async () => {
    const query: BacktestQuery = { sources: ['logs/'] };
    const behind: number[] = [];
    let records = 0;
    await runBacktest({
      refs: logFiles(['a.json', 'b.json', 'c.json', 'd.json']),
      rulesDir: repoPath('rules'),
      query,
      workers: 1,
      workerEntry: queueProbingWorker,
      onProgress: (progress) => {
        behind.push(progress.records - records);
        records = progress.records;
      },
    });
    // One file waits behind each but the last: the worker never waits for the next one.
    expect(behind).toEqual([1, 1, 1, 0]);
  });

  it('reports a file that cannot be read among good ones, and reads the others', async () => {
    const root = await scratch('backtest-unreadable');
    const files = organizationTree(1);
    const paths = await writeTree(root, files);
    await writeFile(paths[1] as string, 'not gzip, not JSON');
    const query: BacktestQuery = { sources: [root] };
    const run = await runBacktest({
      refs: new SourceListing(query, { s3: noS3 }).refs(),
      rulesDir: repoPath('rules'),
      query,
      workers: 2,
    });
    expect(run.report.totals.files).toBe(files.length - 1);
    expect(run.report.totals.unreadableFiles).toBe(1);
    expect(run.report.errors.map((error) => error.where)).toEqual([paths[1]]);
  });
});
