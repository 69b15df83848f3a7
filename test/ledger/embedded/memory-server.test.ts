import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startEmbeddedDynamoDB } from '../../../src/ledger/embedded/memory-server.js';

function clientFor(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

describe('the in-memory embedded server (dynalite in a worker thread)', () => {
  it('serves in memory, one empty server per call', async () => {
    const [a, b] = await Promise.all([startEmbeddedDynamoDB(), startEmbeddedDynamoDB()]);
    expect(a.endpoint).not.toBe(b.endpoint);
    const client = clientFor(a.endpoint);
    try {
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    } finally {
      client.destroy();
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('is gone once closed: its port refuses connections, and closing again is harmless', async () => {
    const server = await startEmbeddedDynamoDB();
    await server.close();
    await expect(clientFor(server.endpoint).send(new ListTablesCommand({}))).rejects.toThrow(
      /ECONNREFUSED/,
    );
    await expect(server.close()).resolves.toBeUndefined();
  });
});
