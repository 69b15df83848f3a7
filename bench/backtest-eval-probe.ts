/**
 * How close a backtest's evaluation of log files comes to the floor of reading them:
 * `LogFileEvaluator.evaluate` over generated gzipped trail files (mostly calls no rule
 * watches, the shipped rules) against gunzip and `JSON.parse` of the same files, and the
 * streaming decoder alone between the two, in one process, one core.
 * `npx tsx bench/backtest-eval-probe.ts [files] [records per file] [rounds]`.
 */
import { readFile } from 'node:fs/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { S3Client } from '@aws-sdk/client-s3';
import { LogFileEvaluator } from '../src/backtest/evaluate-log-file.js';
import type { LogFileRef } from '../src/backtest/log-file-ref.js';
import { logFileChunks } from '../src/backtest/read-log-file.js';
import { loadRules } from '../src/rules/load.js';
import { decodeCloudTrailLogStream } from '../src/sources/record-stream.js';
import { writeTrailFile } from './trail-file.js';

const [files = 40, perFile = 2_500, rounds = 5] = process.argv.slice(2).map(Number);
const root = fileURLToPath(new URL('..', import.meta.url));
const s3 = () => Promise.resolve(new S3Client({}));

type Mode = 'floor' | 'stream' | 'evaluate';
const modes: readonly Mode[] = ['floor', 'stream', 'evaluate'];

/** One file read by one mode: its records. */
async function readAs(mode: Mode, ref: LogFileRef, evaluator: LogFileEvaluator): Promise<number> {
  const path = ref.kind === 'file' ? ref.path : '';
  if (mode === 'floor') {
    const parsed = JSON.parse(gunzipSync(await readFile(path)).toString('utf8')) as {
      Records: unknown[];
    };
    return parsed.Records.length;
  }
  if (mode === 'stream') {
    let records = 0;
    for await (const result of decodeCloudTrailLogStream(logFileChunks(ref, s3), path))
      if (!('where' in result)) records += 1;
    return records;
  }
  return (await evaluator.evaluate(ref, logFileChunks(ref, s3))).totals.records;
}

/** What reading one file took in each mode: seconds by the clock and of CPU. */
interface Timing {
  records: number;
  wall: Record<Mode, number>;
  cpu: Record<Mode, number>;
}

/**
 * One file read by each mode in turn, the order turning with `first`: the three reads are
 * close in time, so a machine that gets busier or quieter weighs on them alike. CPU time is
 * the process's, its thread pool's (zlib) included.
 */
async function timeFile(
  ref: LogFileRef,
  evaluator: LogFileEvaluator,
  first: number,
): Promise<Timing> {
  const wall = { floor: 0, stream: 0, evaluate: 0 };
  const cpu = { floor: 0, stream: 0, evaluate: 0 };
  let records = 0;
  for (let m = 0; m < modes.length; m += 1) {
    const mode = modes[(first + m) % modes.length] as Mode;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const read = await readAs(mode, ref, evaluator);
    wall[mode] = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpuBefore);
    cpu[mode] = (used.user + used.system) / 1e6;
    if (mode === 'floor') records = read;
    else if (read !== records && records > 0)
      throw new Error(`${mode} read ${read} records of ${records}`);
  }
  return { records, wall, cpu };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

const dir = await mkdtemp(join(tmpdir(), 'steward-eval-probe-'));
try {
  const refs: LogFileRef[] = [];
  for (let i = 0; i < files; i += 1) {
    const path = join(dir, `trail-${i}.json.gz`);
    const { gzipBytes } = await writeTrailFile(path, perFile, 1000 + i);
    refs.push({ kind: 'file', path, bytes: gzipBytes });
  }
  const evaluator = new LogFileEvaluator({
    rules: await loadRules(join(root, 'rules')),
    query: { sources: [dir] },
  });
  for (const ref of refs.slice(0, 4)) await timeFile(ref, evaluator, 0);
  const timings: Timing[] = [];
  for (let round = 0; round < rounds; round += 1)
    for (const [i, ref] of refs.entries()) timings.push(await timeFile(ref, evaluator, round + i));
  const records = timings.reduce((sum, timing) => sum + timing.records, 0);
  const percent = (clock: 'wall' | 'cpu', mode: Mode) =>
    Math.round(median(timings.map((timing) => timing[clock].floor / timing[clock][mode])) * 100);
  console.log(
    `${files} files × ${perFile} records, ${rounds} rounds; medians of the files' ratios to the floor:`,
  );
  for (const mode of modes) {
    const seconds = timings.reduce((sum, timing) => sum + timing.wall[mode], 0);
    console.log(
      `${mode.padEnd(9)} ${Math.round(records / seconds).toLocaleString('en')} records/s overall, ` +
        `${percent('wall', mode)} % of the floor by the clock, ${percent('cpu', mode)} % by CPU time`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
