/**
 * The backtest's floor: gunzip + `JSON.parse` of each log file, the least any reader of the
 * corpus does, on the same number of worker threads as the backtest, each taking the next file
 * from a queue the workers share (an index in shared memory), and on one thread alone. Only the
 * work is timed: the workers are started and loaded before the clock starts, so the floor is
 * as low as it can be and the backtest, timed whole, is held to it.
 */
import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { gunzipSync } from 'node:zlib';
import { sourceWorkerScript } from '../src/backtest/source-worker.js';
import { startClock, type Elapsed } from './backtest-clock.js';

/** One pass of the floor over every file. */
export interface FloorPass extends Elapsed {
  workers: number;
  files: number;
  records: number;
  recordsPerSecond: number;
  /** The largest heap each worker (or the one thread) was seen holding: after a file's parse. */
  peakHeapBytes: number[];
}

/** What a floor worker is given. */
export interface FloorWorkerData {
  files: string[];
  /** One Int32: the index of the next file to take. */
  next: SharedArrayBuffer;
}

/** What a floor worker says: loaded, then its share of the pass. */
export type FloorWorkerMessage =
  { ready: true } | { files: number; records: number; peakHeapBytes: number };

/**
 * The records of one gzipped log file, gunzipped and parsed whole.
 *
 * @example
 * floorOfFile('/tmp/x.json.gz'); // 2481
 */
export function floorOfFile(path: string): number {
  const parsed = JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as {
    Records: unknown[];
  };
  return parsed.Records.length;
}

/**
 * Takes files from the shared queue until it is empty: the work of one floor worker, and of
 * the single-threaded floor with a queue of its own.
 *
 * @example
 * const share = takeFiles(files, new Int32Array(new SharedArrayBuffer(4)));
 */
export function takeFiles(
  files: readonly string[],
  next: Int32Array,
): { files: number; records: number; peakHeapBytes: number } {
  let taken = 0;
  let records = 0;
  let peakHeapBytes = 0;
  for (let i = Atomics.add(next, 0, 1); i < files.length; i = Atomics.add(next, 0, 1)) {
    records += floorOfFile(files[i] as string);
    taken += 1;
    peakHeapBytes = Math.max(peakHeapBytes, getHeapStatistics().used_heap_size);
  }
  return { files: taken, records, peakHeapBytes };
}

/**
 * A worker thread running the TypeScript module at `entry` through tsx, which worker threads
 * do not inherit from the `tsx` command.
 *
 * @example
 * const worker = typeScriptWorker(new URL('./backtest-floor-worker.ts', import.meta.url), data);
 */
export function typeScriptWorker(entry: URL, workerData: unknown): Worker {
  return new Worker(sourceWorkerScript(entry), { eval: true, workerData });
}

function nextMessage(worker: Worker): Promise<FloorWorkerMessage> {
  return new Promise((resolve, reject) => {
    const fail = (error: Error) => {
      worker.off('message', done);
      reject(error);
    };
    const done = (message: FloorWorkerMessage) => {
      worker.off('error', fail);
      resolve(message);
    };
    worker.once('message', done);
    worker.once('error', fail);
  });
}

/**
 * One pass of the floor over `files` on `workers` worker threads.
 *
 * @example
 * const { recordsPerSecond } = await floorOnWorkers(corpus.files.map((f) => f.path), 2);
 */
export async function floorOnWorkers(
  files: readonly string[],
  workers: number,
): Promise<FloorPass> {
  const next = new SharedArrayBuffer(4);
  const data: FloorWorkerData = { files: [...files], next };
  const threads = Array.from({ length: workers }, () =>
    typeScriptWorker(new URL('./backtest-floor-worker.ts', import.meta.url), data),
  );
  try {
    await Promise.all(threads.map((thread) => nextMessage(thread)));
    const clock = startClock();
    const shares = threads.map((thread) => nextMessage(thread));
    for (const thread of threads) thread.postMessage('start');
    const done = await Promise.all(shares);
    const elapsed = clock.stop();
    let records = 0;
    let taken = 0;
    const peakHeapBytes: number[] = [];
    for (const share of done) {
      if ('ready' in share) throw new Error('a floor worker said it was ready twice');
      records += share.records;
      taken += share.files;
      peakHeapBytes.push(share.peakHeapBytes);
    }
    return {
      workers,
      files: taken,
      records,
      ...elapsed,
      recordsPerSecond: records / elapsed.seconds,
      peakHeapBytes,
    };
  } finally {
    await Promise.all(threads.map((thread) => thread.terminate()));
  }
}

/**
 * One pass of the floor over `files` on this thread alone.
 *
 * @example
 * const { recordsPerSecond } = floorOnThisThread(corpus.files.map((f) => f.path));
 */
export function floorOnThisThread(files: readonly string[]): FloorPass {
  const clock = startClock();
  const share = takeFiles(files, new Int32Array(new SharedArrayBuffer(4)));
  const elapsed = clock.stop();
  return {
    workers: 1,
    files: share.files,
    records: share.records,
    ...elapsed,
    recordsPerSecond: share.records / elapsed.seconds,
    peakHeapBytes: [share.peakHeapBytes],
  };
}
