import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  startEmbeddedDynamoDB,
  type EmbeddedServer,
} from '../../src/ledger/embedded/memory-server.js';
import { Ledger, type LedgerOptions } from '../../src/ledger/ledger.js';

/** A fresh in-memory dynalite server and a ledger table on it, for one test file. */
export async function startTestLedger(options: Partial<LedgerOptions> = {}): Promise<{
  ledger: Ledger;
  client: DynamoDBClient;
  server: EmbeddedServer;
  close(): Promise<void>;
}> {
  const server = await startEmbeddedDynamoDB();
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const ledger = new Ledger(client, {
    tableName: `ledger-${Math.random().toString(36).slice(2)}`,
    ...options,
  });
  await ledger.ensureTable();
  return {
    ledger,
    client,
    server,
    close: async () => {
      client.destroy();
      await server.close();
    },
  };
}
