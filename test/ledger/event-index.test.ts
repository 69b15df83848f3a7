import {
  CreateTableCommand,
  DescribeTableCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Ledger } from '../../src/ledger/ledger.js';
import { ledgerIndexes, ledgerTableDefinition } from '../../src/ledger/table.js';
import { claimDetails } from '../support/claim-details.js';
import { startTestLedger } from '../support/embedded-ledger.js';

let testLedger: Awaited<ReturnType<typeof startTestLedger>>;

beforeAll(async () => {
  testLedger = await startTestLedger();
});

afterAll(async () => {
  await testLedger.close();
});

/** One action of `eventId` recorded with `status`, as the pipeline would. */
async function recordAction(ledger: Ledger, eventId: string, ruleId: string, mode = 'enforce') {
  const result = await ledger.record(
    claimDetails({ eventId, ruleId, mode: mode as 'enforce' | 'dry-run' }),
    { status: mode === 'enforce' ? 'succeeded' : 'planned', detail: `${ruleId} done` },
  );
  expect(result.kind).toBe('recorded');
  // Entries a few milliseconds apart, so their order by creation is the order written.
  await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("the ledger's byEvent index", () => {
  it('is created with the table, keyed by event id and creation time', async () => {
    const { Table } = await testLedger.client.send(
      new DescribeTableCommand({ TableName: testLedger.ledger.tableName }),
    );
    const index = Table?.GlobalSecondaryIndexes?.find((each) => each.IndexName === 'byEvent');
    expect(index?.KeySchema).toEqual([
      { AttributeName: 'eventId', KeyType: 'HASH' },
      { AttributeName: 'createdAt', KeyType: 'RANGE' },
    ]);
    expect(index?.Projection).toEqual({ ProjectionType: 'ALL' });
  });

  it("lists an event's actions in both modes, newest first, and no other event's", async () => {
    const eventId = 'b6a4cc3e-0f43-4a6e-9d1f-event-index-1';
    await recordAction(testLedger.ledger, eventId, 'rule-one');
    await recordAction(testLedger.ledger, `${eventId}-other`, 'rule-one');
    await recordAction(testLedger.ledger, eventId, 'rule-two', 'dry-run');
    const entries = await testLedger.ledger.list({ event: eventId });
    expect(entries.map((entry) => [entry.ruleId, entry.mode, entry.status])).toEqual([
      ['rule-two', 'dry-run', 'planned'],
      ['rule-one', 'enforce', 'succeeded'],
    ]);
    expect(await testLedger.ledger.list({ event: 'no-such-event' })).toEqual([]);
  });

  it('finds an event whose id the ledger had to shorten', async () => {
    const eventId = `long-${'x'.repeat(3_000)}`;
    await recordAction(testLedger.ledger, eventId, 'rule-long');
    const entries = await testLedger.ledger.list({ event: eventId });
    expect(entries.map((entry) => entry.ruleId)).toEqual(['rule-long']);
    expect(entries[0]?.eventId).toMatch(
      /^long-x+… \[truncated: 3005 bytes, sha256 [0-9a-f]{32}\]$/,
    );
  });

  it('is read around by a scan on a table made before the index existed', async () => {
    const tableName = `ledger-before-byEvent-${Date.now()}`;
    const definition = ledgerTableDefinition(tableName);
    await testLedger.client.send(
      new CreateTableCommand({
        ...definition,
        AttributeDefinitions: definition.AttributeDefinitions?.filter(
          (attribute) => attribute.AttributeName !== ledgerIndexes.byEvent.partitionKey,
        ),
        GlobalSecondaryIndexes: definition.GlobalSecondaryIndexes?.filter(
          (index) => index.IndexName !== ledgerIndexes.byEvent.name,
        ),
      }),
    );
    await waitUntilTableExists(
      { client: testLedger.client, maxWaitTime: 30 },
      { TableName: tableName },
    );
    const older = new Ledger(testLedger.client, { tableName });
    await recordAction(older, 'event-in-older-table', 'rule-old');
    await recordAction(older, 'another-event', 'rule-old');
    const entries = await older.list({ event: 'event-in-older-table' });
    expect(entries.map((entry) => [entry.eventId, entry.ruleId])).toEqual([
      ['event-in-older-table', 'rule-old'],
    ]);
  });
});
