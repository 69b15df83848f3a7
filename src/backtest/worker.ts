/**
 * A backtest worker thread's entry: compiles the rule pack of the main thread's first message,
 * then reads the files it sends, one at a time, into one batch: each file read is posted back
 * with its counts, and the batch's report when the main thread asks for it, each with the
 * worker's peak heap so far. Bundled as `dist/backtest-worker.cjs` for the compiled CLI; run
 * from source under tsx.
 */
import { getHeapStatistics } from 'node:v8';
import { parentPort, type MessagePort } from 'node:worker_threads';
import { clientPoolFromEnv } from '../client-pool.js';
import { messageOf } from '../errors.js';
import { compileRulePack } from '../rules/pack.js';
import { LogFileEvaluator, type EvaluationBatch } from './evaluate-log-file.js';
import { logFileChunks } from './read-log-file.js';
import type { WorkerReply, WorkerRequest, WorkerSetup } from './worker-messages.js';

function evaluatorOf(setup: WorkerSetup): LogFileEvaluator {
  return new LogFileEvaluator({
    rules: compileRulePack(setup.pack, setup.rulesDir),
    query: setup.query,
    ...(setup.factStubs === undefined ? {} : { factStubs: setup.factStubs }),
  });
}

function serve(port: MessagePort): void {
  const clients = clientPoolFromEnv(process.env);
  const s3 = () => clients.home.s3();
  let evaluator: LogFileEvaluator | undefined;
  let batch: EvaluationBatch | undefined;
  let peakHeapBytes = 0;
  // The main thread sends a worker's next file while it reads one: the chain reads them in turn.
  let queue = Promise.resolve();
  port.on('message', (request: WorkerRequest) => {
    queue = queue.then(async () => {
      if (request.kind === 'setup') {
        try {
          evaluator = evaluatorOf(request.setup);
        } catch (error) {
          port.postMessage({ kind: 'failed', message: messageOf(error) } satisfies WorkerReply);
        }
        return;
      }
      if (evaluator === undefined) return;
      batch ??= evaluator.batch();
      if (request.kind === 'report') {
        const report = await batch.report();
        batch = undefined;
        port.postMessage({ kind: 'report', report, peakHeapBytes } satisfies WorkerReply);
        return;
      }
      const { ref } = request;
      const read = await batch.add(ref, logFileChunks(ref, s3));
      peakHeapBytes = Math.max(peakHeapBytes, getHeapStatistics().used_heap_size);
      port.postMessage({ kind: 'read', read, peakHeapBytes } satisfies WorkerReply);
    });
  });
}

if (parentPort !== null) serve(parentPort);
