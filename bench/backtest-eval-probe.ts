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
async function read(mode: Mode, ref: LogFileRef, evaluator: LogFileEvaluator): Promise<number> {
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

/**
 * One round: every file read by each mode in turn, the modes' order turning from file to file,
 * so a machine that gets busier or quieter meanwhile weighs on every mode alike.
 */
async function round(
  refs: readonly LogFileRef[],
  evaluator: LogFileEvaluator,
  first: number,
): Promise<Record<Mode, number>> {
  const seconds: Record<Mode, number> = { floor: 0, stream: 0, evaluate: 0 };
  const records: Record<Mode, number> = { floor: 0, stream: 0, evaluate: 0 };
  for (const [i, ref] of refs.entries()) {
    for (let m = 0; m < modes.length; m += 1) {
      const mode = modes[(first + i + m) % modes.length] as Mode;
      const started = performance.now();
      records[mode] += await read(mode, ref, evaluator);
      seconds[mode] += (performance.now() - started) / 1000;
    }
  }
  return {
    floor: records.floor / seconds.floor,
    stream: records.stream / seconds.stream,
    evaluate: records.evaluate / seconds.evaluate,
  };
}

function median(values: number[]): number {
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
  const rates: Record<Mode, number[]> = { floor: [], stream: [], evaluate: [] };
  const ratios: Record<Mode, number[]> = { floor: [], stream: [], evaluate: [] };
  await round(refs.slice(0, 4), evaluator, 0);
  for (let r = 0; r < rounds; r += 1) {
    const rate = await round(refs, evaluator, r);
    for (const mode of modes) {
      rates[mode].push(rate[mode]);
      ratios[mode].push(rate[mode] / rate.floor);
    }
  }
  console.log(`${files} files × ${perFile} records, ${rounds} rounds (median):`);
  for (const mode of modes)
    console.log(
      `${mode.padEnd(9)} ${Math.round(median(rates[mode])).toLocaleString('en')} records/s, ` +
        `${Math.round(median(ratios[mode]) * 100)} % of the floor`,
    );
} finally {
  await rm(dir, { recursive: true, force: true });
}
