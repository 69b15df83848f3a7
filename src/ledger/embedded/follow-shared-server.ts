import type {
  DynamoDBClient,
  ServiceInputTypes,
  ServiceOutputTypes,
} from '@aws-sdk/client-dynamodb';
import type { FinalizeRequestMiddleware, InitializeMiddleware } from '@smithy/types';
import { EmbeddedLedgerError } from './errors.js';
import type { SharedLedgerServer } from './shared-server.js';

/** The part of a Smithy HTTP request that says where it goes. */
interface Addressed {
  hostname: string;
  port?: number;
  headers: Record<string, string>;
}

function isAddressed(request: unknown): request is Addressed {
  return (
    typeof request === 'object' && request !== null && 'hostname' in request && 'headers' in request
  );
}

/** The connection was refused: the request never reached a server, so sending it again is safe. */
function refused(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED';
}

/** A failure of the server rather than an answer about the request: a network error or a 5xx. */
function serverFailure(error: unknown): boolean {
  const failure = error as { code?: unknown; $metadata?: { httpStatusCode?: number } } | undefined;
  const status = failure?.$metadata?.httpStatusCode;
  return status === undefined ? typeof failure?.code === 'string' : status >= 500;
}

/** Refused requests are sent again at most this often, each time to a server found anew. */
const maxRedirects = 3;

/**
 * Makes `client` follow the shared ledger server of `server` across restarts. Each attempt the
 * SDK makes goes to the server in use at that moment; an attempt refused (`ECONNREFUSED`, so
 * never received) is sent again after `server.recover()`, before the SDK's own retries see it.
 * A request that still fails because of the server, not because of what it asked, becomes one
 * `EmbeddedLedgerError` line naming the ledger's path, with the SDK's error as its cause.
 *
 * @example
 * const client = new DynamoDBClient({ endpoint: `http://127.0.0.1:${endpoint.port}` });
 * followSharedServer(client, server);
 */
export function followSharedServer(client: DynamoDBClient, server: SharedLedgerServer): void {
  const sendToCurrentServer: FinalizeRequestMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (next) => async (args) => {
      for (let redirects = 0; ; redirects++) {
        const endpoint = server.endpoint;
        if (isAddressed(args.request)) {
          args.request.hostname = '127.0.0.1';
          args.request.port = endpoint.port;
          args.request.headers.host = `127.0.0.1:${endpoint.port}`;
        }
        try {
          return await next(args);
        } catch (error) {
          if (!refused(error) || redirects >= maxRedirects) throw error;
          await server.recover(endpoint);
        }
      }
    };
  const nameFailures: InitializeMiddleware<ServiceInputTypes, ServiceOutputTypes> =
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (error instanceof EmbeddedLedgerError || !serverFailure(error)) throw error;
        throw new EmbeddedLedgerError(
          server.files.ledger,
          `failed a request: ${(error as Error).message || (error as Error).name}`,
          { cause: error },
        );
      }
    };
  // Before signing, so that the signature covers the server the attempt goes to.
  client.middlewareStack.addRelativeTo(sendToCurrentServer, {
    relation: 'before',
    toMiddleware: 'httpSigningMiddleware',
    name: 'followSharedLedgerServer',
  });
  client.middlewareStack.add(nameFailures, {
    step: 'initialize',
    name: 'nameSharedLedgerServerFailures',
  });
}
