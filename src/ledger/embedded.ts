import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';

/** A DynamoDB-API server running inside this process. */
export interface EmbeddedServer {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts `dynalite` on a free port of 127.0.0.1, keeping its data under `path` (LevelDB) or in
 * memory when no path is given. Loaded on demand so Lambda bundles never carry it.
 *
 * @example
 * const server = await startEmbeddedDynamoDB({ path: '.steward/ledger' });
 * const client = new DynamoDBClient({ endpoint: server.endpoint, region: 'us-east-1' });
 */
export async function startEmbeddedDynamoDB(
  options: { path?: string } = {},
): Promise<EmbeddedServer> {
  const { default: dynalite } = await import('dynalite');
  if (options.path !== undefined) await mkdir(options.path, { recursive: true });
  const server = dynalite({
    path: options.path,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  // A CLI or `sls invoke local` must be able to exit while the server still listens and
  // holds idle keep-alive connections; a request in flight keeps the process up on its own.
  server.unref();
  server.on('connection', (socket) => socket.unref());
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
