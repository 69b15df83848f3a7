/**
 * The least a run that writes each action to the ledger can cost: `count` conditional
 * `UpdateItem`s through a bare SDK client, none of steward's code around them, to the embedded
 * ledger as `steward run` connects to it (the shared dynalite server process of a scratch data
 * directory, on disk, the ledger table with its three indexes), 16 in flight as the pipeline
 * sends them. Each item carries what an entry feeds the indexes (rule, resource, event, time),
 * so the server does the work it does for `steward run`. Timed after a warm-up, as a wall time
 * and as this process's CPU time, which is the client's alone: the server is another process.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  UpdateItemCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { mapWithConcurrency } from '../src/concurrency.js';
import { SharedLedgerServer } from '../src/ledger/embedded/shared-server.js';
import { ledgerTableDefinition } from '../src/ledger/table.js';
import { requestTimeouts } from '../src/request-timeouts.js';

export interface BareWritesResult {
  writes: number;
  inFlight: number;
  /** Wall time of the timed writes. */
  seconds: number;
  /** CPU time of this process (the client) over the timed writes. */
  clientCpuSeconds: number;
}

const tableName = 'bench-bare-writes';

function write(client: DynamoDBClient, id: string, index: number) {
  const createdAt = new Date(Date.UTC(2025, 0, 1, 0, 0, index % 60)).toISOString();
  return client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: { pk: { S: `${id}#action#${index}` } },
      ConditionExpression: 'attribute_not_exists(pk)',
      UpdateExpression:
        'SET #status = :status, ruleId = :rule, #resource = :resource, eventId = :event, createdAt = :created, completionToken = :token',
      ExpressionAttributeNames: { '#status': 'status', '#resource': 'resource' },
      ExpressionAttributeValues: {
        ':status': { S: 'planned' },
        ':rule': { S: `rule-${index % 16}` },
        ':resource': { S: `arn:aws:iam::123456789012:role/role-${index}` },
        ':event': { S: `${id}-event-${index}` },
        ':created': { S: createdAt },
        ':token': { S: `${id}-token-${index}` },
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
}

/**
 * @example
 * const bare = await measureBareWrites(2582);
 */
export async function measureBareWrites(
  writes: number,
  options: { inFlight?: number; warmUp?: number } = {},
): Promise<BareWritesResult> {
  const inFlight = options.inFlight ?? 16;
  const dataDir = await mkdtemp(join(tmpdir(), 'steward-bench-bare-'));
  const server = new SharedLedgerServer(dataDir, { idleMs: 1000 });
  const { port } = await server.connect();
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: `http://127.0.0.1:${port}`,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestHandler: requestTimeouts(5_000),
  });
  try {
    await client.send(new CreateTableCommand(ledgerTableDefinition(tableName)));
    await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
    const batch = (id: string, count: number) =>
      mapWithConcurrency(
        Array.from({ length: count }, (_, i) => i),
        inFlight,
        (index) => write(client, id, index),
      );
    await batch('warm-up', options.warmUp ?? 1000);
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    await batch('timed', writes);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const used = process.cpuUsage(cpu);
    return {
      writes,
      inFlight,
      seconds,
      clientCpuSeconds: (used.user + used.system) / 1e6,
    };
  } finally {
    client.destroy();
    await rm(dataDir, { recursive: true, force: true });
  }
}
