import { Worker } from 'node:worker_threads';
import { dynalitePath } from './dynalite-module.js';
import { memoryServerScript } from './server-script.js';

/** A DynamoDB-API server running beside this process's own work. */
export interface EmbeddedServer {
  endpoint: string;
  close(): Promise<void>;
}

/** What the server thread tells the thread that started it. */
type ServerMessage = { port: number } | { error: string } | { closed: true };

/**
 * Starts `dynalite` in memory on a free port of 127.0.0.1 in a worker thread, for tests and
 * benchmarks: every call is a new, empty server of its own. The thread serves requests while
 * this one sends them: on two cores, about half again as many ledger writes per second as a
 * server sharing the thread. A ledger kept on disk is served by `SharedLedgerServer` instead,
 * one process for every steward process using the directory.
 *
 * @example
 * const server = await startEmbeddedDynamoDB();
 * const client = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1' });
 * await server.close();
 */
export async function startEmbeddedDynamoDB(): Promise<EmbeddedServer> {
  const worker = new Worker(memoryServerScript, {
    eval: true,
    workerData: { dynalite: dynalitePath() },
  });
  let exited = false;
  // A thread that dies later only fails the requests sent to it; its error must not end this
  // process as an unhandled 'error' event.
  worker.on('error', () => undefined);
  worker.once('exit', () => (exited = true));
  const next = () =>
    new Promise<ServerMessage>((resolve, reject) => {
      const fail = (error: unknown) => {
        worker.off('message', done);
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      const done = (message: ServerMessage) => {
        worker.off('error', fail);
        resolve(message);
      };
      worker.once('message', done);
      worker.once('error', fail);
    });
  const started = await next().catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  if (!('port' in started)) {
    await worker.terminate();
    throw new Error('error' in started ? started.error : 'the ledger server did not start');
  }
  // A test or benchmark must be able to end while the server still runs; a request in flight
  // keeps the process up on its own.
  worker.unref();
  return {
    endpoint: `http://127.0.0.1:${started.port}`,
    close: async () => {
      if (exited) return;
      const closed = next();
      worker.postMessage('close');
      await closed.catch(() => undefined);
      await worker.terminate();
    },
  };
}
