/**
 * The local backtest against its floor: `runBacktest` (worker threads, the shipped rules, no
 * facts file) over a generated organization trail archive (`bench/backtest-corpus.ts`), against
 * gunzip + `JSON.parse` of the same files on as many worker threads, measured in the same run
 * before and after the backtest (`bench/backtest-floor.ts`). Then, on one thread, the floor,
 * the decoder alone and `LogFileEvaluator` alone on the same files (`bench/backtest-single.ts`),
 * which separates what the pool adds from what decoding and evaluating cost.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runBacktest } from '../src/backtest/pool.js';
import type { WorkerEntry } from '../src/backtest/worker-slot.js';
import type { LogFileRef } from '../src/backtest/log-file-ref.js';
import type { BacktestQuery, BacktestReport } from '../src/backtest/report.js';
import { loadRules } from '../src/rules/load.js';
import { startClock, type Elapsed } from './backtest-clock.js';
import {
  fullCorpus,
  quickCorpus,
  quickSmallFilesCorpus,
  smallFilesCorpus,
  writeBacktestCorpus,
  type BacktestCorpus,
  type CorpusShape,
} from './backtest-corpus.js';
import { floorOnThisThread, floorOnWorkers, type FloorPass } from './backtest-floor.js';
import {
  decodeOnThisThread,
  evaluateOnThisThread,
  matchesOf,
  type DecodePass,
} from './backtest-single.js';
import { markdownTable, median } from './measure.js';

/** A backtest's figures: its speed and what it found. */
export interface BacktestPass extends Elapsed {
  recordsPerSecond: number;
  files: number;
  records: number;
  matches: number;
  matchedEvents: number;
  /** Rules that matched at least one event. */
  rulesFired: number;
}

export interface BacktestBenchResult {
  /** The load average (1, 5, 15 minutes) when the backtest part started. */
  loadAverage: number[];
  corpus: Omit<CorpusShape, 'seed'> & {
    files: number;
    records: number;
    gzipBytes: number;
    jsonBytes: number;
    generationSeconds: number;
  };
  workers: number;
  /** The floor on `workers` threads: its passes before and after the backtest, and their median. */
  floor: {
    before: FloorPass[];
    after: FloorPass[];
    recordsPerSecond: number;
    /** CPU time per record, median of the passes: the steadier figure on a shared machine. */
    cpuMicrosPerRecord: number;
  };
  /**
   * `runBacktest` on the smallest file for each worker: what a run costs before it is under
   * way (building the rule pack, starting the workers, which start on their first file). Not
   * measured by `--quick`, which must stay short.
   */
  startup?: { seconds: number; records: number };
  /** `runBacktest`, timed whole: starting its workers and loading the rules included. */
  backtest: BacktestPass & {
    ofFloor: number;
    /** The floor's CPU time per record over the backtest's. */
    cpuOfFloor: number;
    perWorker: { peakHeapBytes: number; files: number }[];
  };
  singleThread: {
    floor: {
      before: FloorPass;
      after: FloorPass;
      recordsPerSecond: number;
      cpuMicrosPerRecord: number;
    };
    decode: DecodePass & { ofFloor: number; cpuOfFloor: number };
    evaluator: BacktestPass & { ofFloor: number; cpuOfFloor: number; peakHeapBytes: number };
  };
  /** Whether the pool and the single-threaded evaluator found the same matches for every rule. */
  sameMatches: boolean;
}

function passOf(report: BacktestReport, elapsed: Elapsed): BacktestPass {
  return {
    ...elapsed,
    recordsPerSecond: report.totals.records / elapsed.seconds,
    files: report.totals.files,
    records: report.totals.records,
    matches: matchesOf(report),
    matchedEvents: report.totals.matchedEvents,
    rulesFired: report.rules.filter((rule) => rule.matches > 0).length,
  };
}

function cpuMicrosPerRecord(pass: Elapsed & { records: number }): number {
  return (pass.cpuSeconds * 1e6) / pass.records;
}

function sameRuleMatches(a: BacktestReport, b: BacktestReport): boolean {
  return (
    a.rules.length === b.rules.length &&
    a.rules.every((rule, i) => {
      const other = b.rules[i];
      return other?.rule === rule.rule && other.matches === rule.matches;
    })
  );
}

/** Every file must be read whole and every record decoded, or the figures mean nothing. */
function checkComplete(report: BacktestReport, corpus: BacktestCorpus, what: string): void {
  const { files, records, unreadableFiles, badRecords } = report.totals;
  if (files !== corpus.files.length || records !== corpus.records) {
    const first = report.errors[0];
    throw new Error(
      `${what} read ${files} of ${corpus.files.length} files and ${records} of ${corpus.records} records (${unreadableFiles} unreadable, ${badRecords} bad)${first === undefined ? '' : `; first error: ${first.where}: ${first.message}`}`,
    );
  }
}

/**
 * Builds the CLI and its backtest worker (`scripts/build-cli.js`, into `dist/`, where its
 * dependencies resolve), so the pool runs the bundled worker `steward backtest` runs, as it runs
 * it: not the sources, and not through tsx.
 */
function bundledWorker(root: string): WorkerEntry {
  const build = spawnSync(process.execPath, [join(root, 'scripts/build-cli.js')], {
    cwd: root,
    encoding: 'utf8',
  });
  if (build.status !== 0) throw new Error(`scripts/build-cli.js failed: ${build.stderr}`);
  // The bench runs under tsx, whose loader a worker inherits with this process's options: loading
  // the bundle through it cost each worker about a second of CPU that `steward backtest` never pays.
  return { script: pathToFileURL(join(root, 'dist/backtest-worker.cjs')), execArgv: [] };
}

/** `runBacktest` on the smallest file for each worker. */
async function timeStartup(
  refs: readonly LogFileRef[],
  workers: number,
  options: { rulesDir: string; query: BacktestQuery; workerEntry: WorkerEntry },
): Promise<{ seconds: number; records: number }> {
  const smallest = refs.toSorted((a, b) => a.bytes - b.bytes).slice(0, workers);
  const clock = startClock();
  const { report } = await runBacktest({ ...options, refs: smallest, workers });
  return { seconds: clock.stop().seconds, records: report.totals.records };
}

/**
 * Generates the corpus (a full run's, or `--quick`'s), measures the floors and the backtest
 * over it, and deletes it.
 *
 * @example
 * const { backtest } = await measureBacktest({ quick: true, root, log: console.error });
 * console.log(backtest.ofFloor);
 */
export async function measureBacktest(options: {
  quick: boolean;
  /** The repository: its `rules/` are the pack. */
  root: string;
  /** Worker threads for the backtest and the floor; every core by default. */
  workers?: number;
  /** The corpus; by default the full run's (`fullCorpus`) or `--quick`'s. */
  shape?: CorpusShape;
  log: (line: string) => void;
}): Promise<BacktestBenchResult> {
  const { quick, log } = options;
  const loadAverage = loadavg().map((load) => Number(load.toFixed(2)));
  const workers = options.workers ?? availableParallelism();
  const shape = options.shape ?? (quick ? quickCorpus : fullCorpus);
  log(
    `backtest: writing ${shape.records.toLocaleString('en-US')} records of CloudTrail in ${shape.accounts * shape.regions * shape.days * shape.filesPerDay} files…`,
  );
  const generation = startClock();
  const corpus = await writeBacktestCorpus(shape);
  const generationSeconds = generation.stop().seconds;
  try {
    const workerEntry = bundledWorker(options.root);
    const paths = corpus.files.map((file) => file.path);
    const floorPasses = quick ? 1 : 2;
    const floorRound = async () => {
      const passes: FloorPass[] = [];
      for (let pass = 0; pass < floorPasses; pass += 1)
        passes.push(await floorOnWorkers(paths, workers));
      return passes;
    };
    const rulesDir = join(options.root, 'rules');
    const query: BacktestQuery = { sources: [corpus.root] };
    const refs: LogFileRef[] = corpus.files.map((file) => ({
      kind: 'file',
      path: file.path,
      bytes: file.gzipBytes,
    }));

    log(`backtest: the floor on ${workers} workers…`);
    const before = await floorRound();
    const startup = quick
      ? undefined
      : await timeStartup(refs, workers, { rulesDir, query, workerEntry });
    log(`backtest: runBacktest on ${workers} workers…`);
    const clock = startClock();
    const pooled = await runBacktest({ refs, rulesDir, query, workers, workerEntry });
    const pooledElapsed = clock.stop();
    checkComplete(pooled.report, corpus, 'runBacktest');
    log(`backtest: the floor on ${workers} workers again…`);
    const after = await floorRound();
    const floorPerSecond = median([...before, ...after].map((pass) => pass.recordsPerSecond));

    log('backtest: one thread: the floor, the decoder, the evaluator, the floor…');
    const singleBefore = floorOnThisThread(paths);
    const decode = await decodeOnThisThread(corpus.files);
    const rules = await loadRules(rulesDir);
    const single = await evaluateOnThisThread(corpus.files, rules, query);
    checkComplete(single.report, corpus, 'LogFileEvaluator');
    const singleAfter = floorOnThisThread(paths);
    const singleFloor = median([singleBefore.recordsPerSecond, singleAfter.recordsPerSecond]);
    const floorCpu = median([...before, ...after].map(cpuMicrosPerRecord));
    const singleFloorCpu = median([singleBefore, singleAfter].map(cpuMicrosPerRecord));

    const pooledPass = passOf(pooled.report, pooledElapsed);
    const singlePass = passOf(single.report, single);
    return {
      loadAverage,
      corpus: {
        accounts: shape.accounts,
        regions: shape.regions,
        days: shape.days,
        filesPerDay: shape.filesPerDay,
        watchedShare: shape.watchedShare,
        files: corpus.files.length,
        records: corpus.records,
        gzipBytes: corpus.gzipBytes,
        jsonBytes: corpus.jsonBytes,
        generationSeconds,
      },
      workers,
      floor: { before, after, recordsPerSecond: floorPerSecond, cpuMicrosPerRecord: floorCpu },
      startup,
      backtest: {
        ...pooledPass,
        ofFloor: pooledPass.recordsPerSecond / floorPerSecond,
        cpuOfFloor: floorCpu / cpuMicrosPerRecord(pooledPass),
        perWorker: pooled.workers,
      },
      singleThread: {
        floor: {
          before: singleBefore,
          after: singleAfter,
          recordsPerSecond: singleFloor,
          cpuMicrosPerRecord: singleFloorCpu,
        },
        decode: {
          ...decode,
          ofFloor: decode.recordsPerSecond / singleFloor,
          cpuOfFloor: singleFloorCpu / cpuMicrosPerRecord(decode),
        },
        evaluator: {
          ...singlePass,
          ofFloor: singlePass.recordsPerSecond / singleFloor,
          cpuOfFloor: singleFloorCpu / cpuMicrosPerRecord(singlePass),
          peakHeapBytes: single.peakHeapBytes,
        },
      },
      sameMatches: sameRuleMatches(pooled.report, single.report),
    };
  } finally {
    await corpus.remove();
  }
}

/**
 * The same measurement on the same records in files ten times smaller (`smallFilesCorpus`),
 * each parsed whole, beside the target's corpus, whose files are read record by record. Not a
 * target.
 *
 * @example
 * const small = await measureBacktestOnSmallFiles({ quick: false, root, log: console.error });
 */
export function measureBacktestOnSmallFiles(options: {
  quick: boolean;
  root: string;
  log: (line: string) => void;
}): Promise<BacktestBenchResult> {
  return measureBacktest({
    ...options,
    shape: options.quick ? quickSmallFilesCorpus : smallFilesCorpus,
  });
}

/**
 * `measureBacktestOnSmallFiles`' figures, as `npm run bench` prints them.
 *
 * @example
 * process.stdout.write(smallFilesSection(small));
 */
export function smallFilesSection(result: BacktestBenchResult): string {
  const perFile = Math.round(result.corpus.records / result.corpus.files);
  const jsonKB = Math.round(result.corpus.jsonBytes / result.corpus.files / 1024);
  return backtestSection(
    result,
    `The same records in smaller files (about ${perFile} records, ${jsonKB} KB of JSON a file, each within the record cap and so parsed whole; information, not the target). Backtest`,
  );
}

/**
 * The backtest's row of the targets: at least 70 % of the floor on as many workers.
 *
 * @example
 * targets.push(backtestTarget(result));
 */
export function backtestTarget(result: BacktestBenchResult): {
  name: string;
  goal: string;
  value: string;
  met: boolean;
} {
  const { corpus, workers, backtest } = result;
  return {
    name: `backtest, ${corpus.records.toLocaleString('en-US')} records in ${corpus.files} files on ${workers} workers, of gunzip + JSON.parse on as many`,
    goal: '≥ 70 %',
    value: `${(backtest.ofFloor * 100).toFixed(0)} %`,
    met: backtest.ofFloor >= 0.7 && result.sameMatches,
  };
}

/**
 * The backtest's figures as `npm run bench` prints them (markdown, for BENCHMARKS.md).
 *
 * @example
 * process.stdout.write(backtestSection(result));
 */
export function backtestSection(result: BacktestBenchResult, lead = 'Backtest'): string {
  const MB = 1024 * 1024;
  const { corpus, floor, backtest, singleThread } = result;
  const rate = (value: number) => value.toFixed(0);
  const percent = (value: number) => `${(value * 100).toFixed(0)} %`;
  const heaps = (bytes: readonly number[]) =>
    bytes.map((value) => `${(value / MB).toFixed(0)} MB`).join(', ');
  const micros = (value: number) => value.toFixed(1);
  const perRecord = cpuMicrosPerRecord;
  const floorCell = (passes: readonly FloorPass[]) =>
    passes.map((pass) => rate(pass.recordsPerSecond)).join(', ');
  return [
    `${lead} (load average ${result.loadAverage.join(' ')} at its start): ${corpus.files} log files, ${corpus.records.toLocaleString('en-US')} records (${corpus.accounts} accounts × ${corpus.regions} regions × ${corpus.days} days × ${corpus.filesPerDay} files), ${(corpus.gzipBytes / MB).toFixed(0)} MB gzipped, ${(corpus.jsonBytes / MB).toFixed(0)} MB JSON, written in ${corpus.generationSeconds.toFixed(1)} s; the shipped rules, no facts file.`,
    '',
    markdownTable([
      [
        'path',
        'threads',
        'records/s',
        'of the floor',
        'CPU µs/record',
        "of the floor's CPU",
        'seconds',
        'matches',
        'peak heap',
      ],
      [
        'gunzip + JSON.parse (floor; passes before, after)',
        String(result.workers),
        `${rate(floor.recordsPerSecond)} (${floorCell(floor.before)}; ${floorCell(floor.after)})`,
        '100 %',
        micros(floor.cpuMicrosPerRecord),
        '100 %',
        '',
        '',
        heaps(floor.before[0]?.peakHeapBytes ?? []),
      ],
      [
        'runBacktest (whole call)',
        String(result.workers),
        rate(backtest.recordsPerSecond),
        percent(backtest.ofFloor),
        micros(perRecord(backtest)),
        percent(backtest.cpuOfFloor),
        backtest.seconds.toFixed(2),
        String(backtest.matches),
        heaps(backtest.perWorker.map((worker) => worker.peakHeapBytes)),
      ],
      [
        'gunzip + JSON.parse (floor; before, after)',
        '1',
        `${rate(singleThread.floor.recordsPerSecond)} (${rate(singleThread.floor.before.recordsPerSecond)}; ${rate(singleThread.floor.after.recordsPerSecond)})`,
        '100 %',
        micros(singleThread.floor.cpuMicrosPerRecord),
        '100 %',
        '',
        '',
        heaps(singleThread.floor.before.peakHeapBytes),
      ],
      [
        'decoder alone (decodeCloudTrailLogStream)',
        '1',
        rate(singleThread.decode.recordsPerSecond),
        percent(singleThread.decode.ofFloor),
        micros(perRecord(singleThread.decode)),
        percent(singleThread.decode.cpuOfFloor),
        singleThread.decode.seconds.toFixed(2),
        '',
        '',
      ],
      [
        'LogFileEvaluator, one batch',
        '1',
        rate(singleThread.evaluator.recordsPerSecond),
        percent(singleThread.evaluator.ofFloor),
        micros(perRecord(singleThread.evaluator)),
        percent(singleThread.evaluator.cpuOfFloor),
        singleThread.evaluator.seconds.toFixed(2),
        String(singleThread.evaluator.matches),
        heaps([singleThread.evaluator.peakHeapBytes]),
      ],
    ]),
    '',
    `${result.startup === undefined ? '' : `runBacktest on the ${result.workers} smallest files, one for each worker (building the rule pack, starting the bundled workers, ${result.startup.records} records): ${result.startup.seconds.toFixed(2)} s. `}Files per worker: ${backtest.perWorker.map((worker) => worker.files).join(', ')}; ${backtest.matchedEvents} events matched, ${backtest.rulesFired} rules fired; the pool and one thread found ${result.sameMatches ? 'the same' : 'DIFFERENT'} matches per rule.`,
    '',
  ].join('\n');
}
