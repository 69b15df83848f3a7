/**
 * The backtest's evaluation on one thread, without the pool: `LogFileEvaluator` over every file
 * of the corpus in turn, counted in one `EvaluationBatch` and reported once, as a worker of the
 * pool does with its share. Set beside the single-threaded floor, it separates what evaluation costs from
 * what the pool adds.
 */
import { getHeapStatistics } from 'node:v8';
import type { S3Client } from '@aws-sdk/client-s3';
import { LogFileEvaluator } from '../src/backtest/evaluate-log-file.js';
import type { LogFileRef } from '../src/backtest/log-file-ref.js';
import { logFileChunks } from '../src/backtest/read-log-file.js';
import { isSourceError } from '../src/sources/batch.js';
import { decodeCloudTrailLogStream } from '../src/sources/record-stream.js';
import type { BacktestQuery, BacktestReport } from '../src/backtest/report.js';
import type { CompiledRule } from '../src/rules/rule.js';
import { startClock, type Elapsed } from './backtest-clock.js';
import type { CorpusFile } from './backtest-corpus.js';

/** One single-threaded pass of the evaluator over the corpus. */
export interface SingleThreadPass extends Elapsed {
  recordsPerSecond: number;
  /** The largest heap seen, sampled after each file. */
  peakHeapBytes: number;
  report: BacktestReport;
}

/** The corpus is local: a request for S3 is a mistake of the benchmark's. */
const noS3 = (): Promise<S3Client> => Promise.reject(new Error('the corpus has no S3 objects'));

/**
 * Evaluates every file of the corpus with the rules, on this thread, one file at a time.
 *
 * @example
 * const { recordsPerSecond, report } = await evaluateOnThisThread(corpus.files, rules, query);
 */
export async function evaluateOnThisThread(
  files: readonly CorpusFile[],
  rules: readonly CompiledRule[],
  query: BacktestQuery,
): Promise<SingleThreadPass> {
  const clock = startClock();
  const evaluator = new LogFileEvaluator({ rules, query });
  const batch = evaluator.batch();
  let peakHeapBytes = 0;
  for (const file of files) {
    const ref: LogFileRef = { kind: 'file', path: file.path, bytes: file.gzipBytes };
    await batch.add(ref, logFileChunks(ref, noS3));
    peakHeapBytes = Math.max(peakHeapBytes, getHeapStatistics().used_heap_size);
  }
  const report = await batch.report();
  const elapsed = clock.stop();
  return {
    ...elapsed,
    recordsPerSecond: report.totals.records / elapsed.seconds,
    peakHeapBytes,
    report,
  };
}

/** One single-threaded pass of the decoder alone over the corpus. */
export interface DecodePass extends Elapsed {
  records: number;
  recordsPerSecond: number;
}

/**
 * Decodes every file of the corpus into StewardEvents, on this thread, one file at a time, and
 * evaluates nothing: the decode path's share of the evaluator's time.
 *
 * @example
 * const { recordsPerSecond } = await decodeOnThisThread(corpus.files);
 */
export async function decodeOnThisThread(files: readonly CorpusFile[]): Promise<DecodePass> {
  const clock = startClock();
  let records = 0;
  for (const file of files) {
    const ref: LogFileRef = { kind: 'file', path: file.path, bytes: file.gzipBytes };
    for await (const result of decodeCloudTrailLogStream(logFileChunks(ref, noS3), file.path, {
      delivery: 'direct',
    })) {
      if (isSourceError(result)) throw new Error(`${result.where}: ${result.message}`);
      records += 1;
    }
  }
  const elapsed = clock.stop();
  return { ...elapsed, records, recordsPerSecond: records / elapsed.seconds };
}

/**
 * Matches over every rule of a report.
 *
 * @example
 * matchesOf(report); // 1234
 */
export function matchesOf(report: BacktestReport): number {
  return report.rules.reduce((sum, rule) => sum + rule.matches, 0);
}
