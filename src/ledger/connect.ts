import { join } from 'node:path';
import { requestTimeouts, type RequestTimeouts } from '../request-timeouts.js';
import { startEmbeddedDynamoDB, type EmbeddedServer } from './embedded.js';
import type { Ledger } from './ledger.js';

export interface LedgerConnection {
  ledger: Ledger;
  /** Where the ledger lives, for people: "DynamoDB table steward-ledger", "embedded (.steward/ledger)". */
  description: string;
  close(): Promise<void>;
}

/** True inside a deployed Lambda function (not `sls invoke local`). */
export function runningInLambda(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.AWS_LAMBDA_FUNCTION_NAME !== undefined && env.IS_LOCAL !== 'true';
}

/**
 * `.steward/` of the project. `sls invoke local` runs bundled handlers from
 * serverless-esbuild's `.esbuild/.build/`, so from there the project is two levels up: the
 * handler and the CLI then share one ledger.
 */
function defaultDataDir(cwd: string = process.cwd()): string {
  const bundleDir = join('.esbuild', '.build');
  return join(cwd.endsWith(bundleDir) ? cwd.slice(0, -bundleDir.length) : cwd, '.steward');
}

/** A positive number from an environment variable; undefined when unset. */
export function positiveNumber(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === '') return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0)
    throw new Error(`${name} must be a positive number, got "${value}"`);
  return number;
}

/**
 * How long one ledger request may take: `STEWARD_LEDGER_TIMEOUT_MS`, default 5 s (DynamoDB
 * answers in milliseconds).
 */
function ledgerTimeouts(env: NodeJS.ProcessEnv): RequestTimeouts {
  return requestTimeouts(
    positiveNumber(env.STEWARD_LEDGER_TIMEOUT_MS, 'STEWARD_LEDGER_TIMEOUT_MS') ?? 5_000,
  );
}

/**
 * Connects to the ledger the environment names. In Lambda, with `STEWARD_LEDGER=dynamodb`, or
 * wherever a DynamoDB endpoint is configured (`AWS_ENDPOINT_URL_DYNAMODB` or
 * `AWS_ENDPOINT_URL`), that DynamoDB; anywhere
 * else, an embedded dynalite server with its data under `STEWARD_DATA_DIR` (default
 * `.steward/`). The same client code talks to all of them.
 */
export async function connectLedger(
  env: NodeJS.ProcessEnv = process.env,
): Promise<LedgerConnection> {
  const tableName = env.STEWARD_LEDGER_TABLE ?? 'steward-dev-ledger';
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  const leaseSeconds = positiveNumber(env.STEWARD_LEASE_SECONDS, 'STEWARD_LEASE_SECONDS');
  const options = {
    tableName,
    leaseMs: leaseSeconds === undefined ? undefined : leaseSeconds * 1000,
    retentionDays: positiveNumber(env.STEWARD_RETENTION_DAYS, 'STEWARD_RETENTION_DAYS'),
  };
  // Loaded here, not when a handler's module loads: the DynamoDB client is the first SDK
  // package a cold start needs, and only once a container builds its runtime.
  const [{ DynamoDBClient }, { Ledger }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('./ledger.js'),
  ]);
  const configuredEndpoint = env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL;
  if (
    runningInLambda(env) ||
    configuredEndpoint !== undefined ||
    env.STEWARD_LEDGER === 'dynamodb'
  ) {
    const client = new DynamoDBClient({ region, requestHandler: ledgerTimeouts(env) });
    const ledger = new Ledger(client, options);
    // Local DynamoDB servers start empty; on AWS the stack owns the table, never steward.
    if (configuredEndpoint !== undefined && !runningInLambda(env)) await ledger.ensureTable();
    return {
      ledger,
      description: `DynamoDB table ${tableName}${configuredEndpoint ? ` at ${configuredEndpoint}` : ''}`,
      close: async () => client.destroy(),
    };
  }
  const path = join(env.STEWARD_DATA_DIR ?? defaultDataDir(), 'ledger');
  let server: EmbeddedServer;
  try {
    server = await startEmbeddedDynamoDB({ path });
  } catch (error) {
    throw new Error(
      `cannot open the embedded ledger at ${path}: ${error instanceof Error ? error.message : String(error)}` +
        ' (is another steward process using it?)',
      { cause: error },
    );
  }
  const client = new DynamoDBClient({
    region,
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' },
    requestHandler: ledgerTimeouts(env),
  });
  const ledger = new Ledger(client, options);
  await ledger.ensureTable();
  return {
    ledger,
    description: `embedded ledger (${path})`,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}
