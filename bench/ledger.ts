/**
 * Ledger claims per second against the embedded dynalite (in this process, as `steward run`
 * uses it), 16 claims in flight: each claim one conditional UpdateItem through the real SDK
 * client. Claims are timed in rounds after a warm-up long enough for dynalite and the SDK to be
 * compiled (the first few hundred claims run several times slower); the median round counts.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mapWithConcurrency } from '../src/concurrency.js';
import { startEmbeddedDynamoDB } from '../src/ledger/embedded/memory-server.js';
import { Ledger } from '../src/ledger/ledger.js';
import { median } from './measure.js';

export interface LedgerResult {
  claims: number;
  inFlight: number;
  /** Median of the rounds. */
  perSecond: number;
  rounds: number[];
}

export async function measureLedger(
  claims: number,
  options: { inFlight?: number; rounds?: number; warmUp?: number } = {},
): Promise<LedgerResult> {
  const inFlight = options.inFlight ?? 16;
  const server = await startEmbeddedDynamoDB();
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const ledger = new Ledger(client, { tableName: 'bench-ledger' });
    await ledger.ensureTable();
    let next = 0;
    const claim = () =>
      ledger.claim({
        mode: 'dry-run',
        eventId: `event-${next++}`,
        ruleId: 'bench-rule',
        action: 'audit.record',
        resource: `i-${next}`,
        source: 'cloudtrail',
        eventName: 'RunInstances',
        eventTime: new Date(Date.UTC(2025, 0, 1)).toISOString(),
        severity: 'low',
      });
    const batch = (count: number) =>
      mapWithConcurrency(
        Array.from({ length: count }, (_, i) => i),
        inFlight,
        claim,
      );
    await batch(options.warmUp ?? 1000);
    const rounds: number[] = [];
    for (let round = 0; round < (options.rounds ?? 3); round++) {
      const before = process.hrtime.bigint();
      const results = await batch(claims);
      const seconds = Number(process.hrtime.bigint() - before) / 1e9;
      const claimed = results.filter((result) => result.kind === 'claimed').length;
      if (claimed !== claims) throw new Error(`${claimed} of ${claims} claims succeeded`);
      rounds.push(claims / seconds);
    }
    return { claims, inFlight, perSecond: median(rounds), rounds };
  } finally {
    client.destroy();
    await server.close();
  }
}
