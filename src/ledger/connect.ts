import { join } from 'node:path';
import { requestTimeouts, type RequestTimeouts } from '../request-timeouts.js';
import type { Tracing } from '../telemetry/observer.js';
import { untraced } from '../telemetry/tracing.js';
import { CallTiming } from '../telemetry/call-timing.js';
import type { Ledger } from './ledger.js';

export interface LedgerConnection {
  ledger: Ledger;
  /** Where the ledger lives, for people: "DynamoDB table steward-ledger", "embedded (.steward/ledger)". */
  description: string;
  /** The time of each of the ledger's DynamoDB calls, for whoever listens (a function's metrics). */
  timing: CallTiming;
  close(): Promise<void>;
  /**
   * Deletes every entry and guard, leaving the table empty: offered by the embedded ledger
   * alone, so a real table cannot be reset through it.
   */
  reset?: () => Promise<void>;
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

/**
 * True when the environment names no DynamoDB (not in Lambda, no `STEWARD_LEDGER=dynamodb`, no
 * configured endpoint), so the ledger is the embedded one.
 *
 * @example
 * if (!usesEmbeddedLedger(process.env)) throw new Error('only the embedded ledger can be repaired');
 */
export function usesEmbeddedLedger(env: NodeJS.ProcessEnv = process.env): boolean {
  return !(
    runningInLambda(env) ||
    (env.AWS_ENDPOINT_URL_DYNAMODB ?? env.AWS_ENDPOINT_URL) !== undefined ||
    env.STEWARD_LEDGER === 'dynamodb'
  );
}

/**
 * The data directory of the embedded ledger: `STEWARD_DATA_DIR`, else `.steward/` of the project.
 *
 * @example
 * const server = new SharedLedgerServer(embeddedDataDir(process.env));
 */
export function embeddedDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.STEWARD_DATA_DIR ?? defaultDataDir();
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
 * else, the embedded ledger: the dynalite server every steward process on the data directory
 * `STEWARD_DATA_DIR` (default `.steward/`) shares (`SharedLedgerServer`), started when none
 * runs. The same client code talks to all of them. A DynamoDB's client is instrumented by
 * `tracing` (X-Ray); the embedded ledger's never runs in Lambda, where traces go.
 */
export async function connectLedger(
  env: NodeJS.ProcessEnv = process.env,
  tracing: Pick<Tracing, 'captureClient'> = untraced,
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
  if (!usesEmbeddedLedger(env)) {
    const client = tracing.captureClient(
      new DynamoDBClient({ region, requestHandler: ledgerTimeouts(env) }),
    );
    const timing = new CallTiming();
    timing.instrument(client);
    const ledger = new Ledger(client, options);
    // Local DynamoDB servers start empty; on AWS the stack owns the table, never steward.
    if (configuredEndpoint !== undefined && !runningInLambda(env)) await ledger.ensureTable();
    return {
      ledger,
      description: `DynamoDB table ${tableName}${configuredEndpoint ? ` at ${configuredEndpoint}` : ''}`,
      timing,
      close: async () => client.destroy(),
    };
  }
  const [{ SharedLedgerServer }, { followSharedServer }] = await Promise.all([
    import('./embedded/shared-server.js'),
    import('./embedded/follow-shared-server.js'),
  ]);
  const server = new SharedLedgerServer(embeddedDataDir(env), {
    idleMs:
      (positiveNumber(env.STEWARD_LEDGER_IDLE_SECONDS, 'STEWARD_LEDGER_IDLE_SECONDS') ?? 5) * 1000,
  });
  const endpoint = await server.connect();
  const client = new DynamoDBClient({
    region,
    endpoint: `http://127.0.0.1:${endpoint.port}`,
    credentials: { accessKeyId: 'embedded', secretAccessKey: 'embedded' },
    requestHandler: ledgerTimeouts(env),
  });
  followSharedServer(client, server);
  const timing = new CallTiming();
  timing.instrument(client);
  const ledger = new Ledger(client, options);
  await ledger.ensureTable();
  return {
    ledger,
    description: `embedded ledger (${server.files.ledger})`,
    timing,
    reset: async () => {
      const { recreateLedgerTable } = await import('./table.js');
      await recreateLedgerTable(client, tableName);
    },
    // The server is shared: it exits by itself once no process has used it for a while.
    close: async () => client.destroy(),
  };
}
