/** Ledger claims per second against the embedded dynalite, 16 claims in flight. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mapWithConcurrency } from '../src/concurrency.js';
import { startEmbeddedDynamoDB } from '../src/ledger/embedded.js';
import { Ledger } from '../src/ledger/ledger.js';

export interface LedgerResult {
  claims: number;
  inFlight: number;
  perSecond: number;
}

export async function measureLedger(claims: number, inFlight = 16): Promise<LedgerResult> {
  const server = await startEmbeddedDynamoDB();
  try {
    const client = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: server.endpoint,
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    });
    const ledger = new Ledger(client, { tableName: 'bench-ledger' });
    await ledger.ensureTable();
    const claim = (i: number) =>
      ledger.claim({
        mode: 'dry-run',
        eventId: `event-${i}`,
        ruleId: 'bench-rule',
        action: 'audit.record',
        resource: `i-${i}`,
        source: 'cloudtrail',
        eventName: 'RunInstances',
        eventTime: new Date(Date.UTC(2025, 0, 1)).toISOString(),
        severity: 'low',
      });
    const warmUp = Array.from({ length: 50 }, (_, i) => -1 - i);
    await mapWithConcurrency(warmUp, inFlight, claim);
    const keys = Array.from({ length: claims }, (_, i) => i);
    const before = process.hrtime.bigint();
    const results = await mapWithConcurrency(keys, inFlight, claim);
    const seconds = Number(process.hrtime.bigint() - before) / 1e9;
    const claimed = results.filter((result) => result.kind === 'claimed').length;
    if (claimed !== claims) throw new Error(`${claimed} of ${claims} claims succeeded`);
    client.destroy();
    return { claims, inFlight, perSecond: claims / seconds };
  } finally {
    await server.close();
  }
}
