/**
 * A backtest worker thread's entry: compiles the main thread's rule pack once, then evaluates the files the main
 * thread sends, one at a time, and posts each file's report back with the worker's peak heap so
 * far. Bundled as `dist/backtest-worker.cjs` for the compiled CLI; run from source under tsx.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { clientPoolFromEnv } from '../client-pool.js';
import { messageOf } from '../errors.js';
import { compileRulePack } from '../rules/pack.js';
import { LogFileEvaluator } from './evaluate-log-file.js';
import { logFileChunks } from './read-log-file.js';
import type { FileRequest, WorkerReply, WorkerSetup } from './worker-messages.js';

async function serve(port: MessagePort, setup: WorkerSetup): Promise<void> {
  let evaluator: LogFileEvaluator;
  try {
    evaluator = new LogFileEvaluator({
      rules: compileRulePack(setup.pack, setup.rulesDir),
      query: setup.query,
      ...(setup.factStubs === undefined ? {} : { factStubs: setup.factStubs }),
    });
  } catch (error) {
    port.postMessage({ kind: 'failed', message: messageOf(error) } satisfies WorkerReply);
    return;
  }
  const clients = clientPoolFromEnv(process.env);
  const s3 = () => clients.home.s3();
  let peakHeapBytes = 0;
  // The main thread sends one file at a time; the chain keeps them in order all the same.
  let queue = Promise.resolve();
  port.on('message', ({ ref }: FileRequest) => {
    queue = queue.then(async () => {
      const report = await evaluator.evaluate(ref, logFileChunks(ref, s3));
      peakHeapBytes = Math.max(peakHeapBytes, getHeapStatistics().used_heap_size);
      port.postMessage({ kind: 'report', report, peakHeapBytes } satisfies WorkerReply);
    });
  });
}

if (parentPort !== null) void serve(parentPort, workerData as WorkerSetup);
