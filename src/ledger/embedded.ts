import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** A DynamoDB-API server running beside this process's own work. */
export interface EmbeddedServer {
  endpoint: string;
  close(): Promise<void>;
}

/** What the server thread tells the thread that started it. */
type ServerMessage = { port: number } | { error: string } | { closed: true };

/** Runs in the worker thread: dynalite on a free port of 127.0.0.1, closed on request. */
const serverThread = `
const { parentPort, workerData } = require('node:worker_threads');
const dynalite = require(workerData.dynalite);
const server = dynalite({
  path: workerData.path,
  createTableMs: 0,
  deleteTableMs: 0,
  updateTableMs: 0,
});
server.once('error', (error) => parentPort.postMessage({ error: String(error && error.message || error) }));
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  server.closeAllConnections();
  server.close(() => parentPort.postMessage({ closed: true }));
});
`;

/**
 * Where dynalite is installed, resolved from this module: from the bundle when a handler runs
 * under `sls invoke local` (CommonJS), from the source otherwise (ESM).
 */
function dynalitePath(): string {
  return typeof require === 'function'
    ? require.resolve('dynalite')
    : fileURLToPath(import.meta.resolve('dynalite'));
}

/**
 * Starts `dynalite` on a free port of 127.0.0.1 in a worker thread, keeping its data under
 * `path` (LevelDB) or in memory when no path is given. The thread serves requests while this
 * one evaluates rules and sends them: on two cores, about half again as many ledger writes per
 * second as a server sharing the thread. Never used in Lambda, whose bundles leave dynalite out.
 *
 * @example
 * const server = await startEmbeddedDynamoDB({ path: '.steward/ledger' });
 * const client = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1' });
 */
export async function startEmbeddedDynamoDB(
  options: { path?: string } = {},
): Promise<EmbeddedServer> {
  if (options.path !== undefined) await mkdir(options.path, { recursive: true });
  const worker = new Worker(serverThread, {
    eval: true,
    workerData: { dynalite: dynalitePath(), path: options.path },
  });
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
  // A CLI or `sls invoke local` must be able to exit while the server still runs; a request
  // in flight keeps the process up on its own.
  worker.unref();
  return {
    endpoint: `http://127.0.0.1:${started.port}`,
    close: async () => {
      const closed = next();
      worker.postMessage('close');
      await closed;
      await worker.terminate();
    },
  };
}
