import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallTiming } from '../../src/telemetry/call-timing.js';
import { startTestLedger } from '../support/embedded-ledger.js';

let testLedger: Awaited<ReturnType<typeof startTestLedger>>;
const timing = new CallTiming();

beforeAll(async () => {
  testLedger = await startTestLedger();
  timing.instrument(testLedger.client);
});

afterAll(async () => {
  await testLedger.close();
});

describe('CallTiming', () => {
  it('tells each DynamoDB call’s time to the listener of the moment, and to nobody after it stops', async () => {
    const heard: number[] = [];
    const stop = timing.listen((ms) => heard.push(ms));
    await testLedger.ledger.get('act_0000');
    await testLedger.ledger.get('act_0001');
    expect(heard).toHaveLength(2);
    expect(heard.every((ms) => ms >= 0)).toBe(true);
    stop();
    await testLedger.ledger.get('act_0002');
    expect(heard).toHaveLength(2);
  });

  it('keeps a newer listener when an older one stops', async () => {
    const older: number[] = [];
    const newer: number[] = [];
    const stopOlder = timing.listen((ms) => older.push(ms));
    const stopNewer = timing.listen((ms) => newer.push(ms));
    stopOlder();
    await testLedger.ledger.get('act_0003');
    expect([older.length, newer.length]).toEqual([0, 1]);
    stopNewer();
  });

  it('times a call that fails too', async () => {
    const heard: number[] = [];
    const stop = timing.listen((ms) => heard.push(ms));
    const refused = testLedger.client.send(
      new GetItemCommand({ TableName: 'no-such-table', Key: { pk: { S: 'x' } } }),
    );
    await expect(refused).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(heard).toHaveLength(1);
    stop();
  });
});
