/**
 * A floor worker of `bench/backtest-floor.ts`: says it is loaded, waits for the start, then
 * takes files from the shared queue until it is empty and says what it read.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { takeFiles, type FloorWorkerData, type FloorWorkerMessage } from './backtest-floor.js';

const { files, next } = workerData as FloorWorkerData;
const port = parentPort;
if (port === null) throw new Error('backtest-floor-worker.ts runs as a worker thread');
port.once('message', () => {
  const share: FloorWorkerMessage = takeFiles(files, new Int32Array(next));
  port.postMessage(share);
});
port.postMessage({ ready: true } satisfies FloorWorkerMessage);
