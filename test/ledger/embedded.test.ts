import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startEmbeddedDynamoDB } from '../../src/ledger/embedded.js';
import { Ledger } from '../../src/ledger/ledger.js';

function clientFor(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
}

describe('the embedded ledger server (dynalite in a worker thread)', () => {
  it('keeps its entries on disk across a close and a restart on the same path', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'steward-embedded-')), 'ledger');
    const details = {
      mode: 'enforce' as const,
      eventId: 'event-1',
      ruleId: 'rule-a',
      action: 'ec2.stop-instances',
      resource: 'i-0123456789abcdef0',
      source: 'ec2-state',
      eventName: 'running',
      eventTime: '2026-11-20T10:00:00Z',
      severity: 'high',
    };
    const first = await startEmbeddedDynamoDB({ path });
    const firstClient = clientFor(first.endpoint);
    const ledger = new Ledger(firstClient, { tableName: 'steward-test' });
    await ledger.ensureTable();
    const claim = await ledger.claim(details);
    expect(claim.kind).toBe('claimed');
    if (claim.kind === 'claimed')
      await ledger.complete(claim, { status: 'succeeded', detail: 'stopped' });
    firstClient.destroy();
    await first.close();
    // The first server is gone: its port no longer answers.
    await expect(clientFor(first.endpoint).send(new ListTablesCommand({}))).rejects.toThrow(
      /ECONNREFUSED|socket hang up|connect/,
    );

    const second = await startEmbeddedDynamoDB({ path });
    const secondClient = clientFor(second.endpoint);
    try {
      const again = await new Ledger(secondClient, { tableName: 'steward-test' }).claim(details);
      expect(again).toMatchObject({
        kind: 'duplicate',
        entry: { status: 'succeeded', detail: 'stopped' },
      });
    } finally {
      secondClient.destroy();
      await second.close();
    }
  });

  it('serves in memory when given no path, one server per call', async () => {
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
});
