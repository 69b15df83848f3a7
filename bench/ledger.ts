/**
 * Ledger claims per second against the embedded ledger as `steward run` connects to it (the
 * shared dynalite server process of a scratch data directory, on disk), 16 claims in flight:
 * each claim one conditional UpdateItem through the real SDK client. Claims are timed in rounds
 * after a warm-up long enough for dynalite and the SDK to be compiled (the first few hundred
 * claims run several times slower); the median round counts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mapWithConcurrency } from '../src/concurrency.js';
import { connectLedger } from '../src/ledger/connect.js';
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
  const dataDir = await mkdtemp(join(tmpdir(), 'steward-bench-ledger-'));
  const connection = await connectLedger({
    STEWARD_DATA_DIR: dataDir,
    STEWARD_LEDGER_TABLE: 'bench-ledger',
    AWS_REGION: 'us-east-1',
  });
  try {
    const { ledger } = connection;
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
    await connection.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
