/**
 * A 1 MB CloudWatch Logs subscription event of 10,000 lines, from `awslogs.data` (base64 of
 * gzip, as Lambda receives it) to the pipeline's report: decode, index, evaluate. The rule set
 * is the benchmark's 1,000 rules and the log group is one they listen to, but the lines come
 * from an account no rule is scoped to, so nothing fires and the ledger is never called.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ClientPool } from '../src/client-pool.js';
import { Ledger } from '../src/ledger/ledger.js';
import { runPipeline, type PipelineContext } from '../src/pipeline.js';
import { RuleIndex } from '../src/rules/rule-index.js';
import { candidates as candidatesOf } from './rule-work.js';
import { decodeDocument } from '../src/sources/index.js';
import { makeAwslogsEvent, makeDataMessage } from '../test/fixtures/sources/make-awslogs.js';
import { compileRules, factStubs, logLines, ruleDocuments } from './generate.js';
import { median } from './measure.js';

export interface BatchResult {
  lines: number;
  /** The DATA_MESSAGE as JSON, before gzip. */
  jsonBytes: number;
  /** `awslogs.data` as Lambda receives it. */
  base64Bytes: number;
  candidatesPerLine: number;
  matches: number;
  runs: number;
  medianMs: number;
  bestMs: number;
}

export async function measureLogBatch(runs: number): Promise<BatchResult> {
  const rules = compileRules(ruleDocuments(1000));
  const ruleIndex = new RuleIndex(rules);
  const logGroup = '/var/log/secure-0';
  const start = Date.UTC(2025, 0, 1);
  const logEvents = Array.from({ length: 10_000 }, (_, i) => ({
    id: String(37_000_000_000_000_000n + BigInt(i)).padStart(56, '0'),
    timestamp: start + i,
    message: logLines[i % logLines.length],
  }));
  const message = makeDataMessage(logGroup, logEvents, '999999999999');
  const event = makeAwslogsEvent(message);
  // Never called: no rule fires, so no action is claimed.
  const ledger = new Ledger(
    new DynamoDBClient({ region: 'us-east-1', endpoint: 'http://127.0.0.1:9' }),
    { tableName: 'unused' },
  );
  const context: PipelineContext = {
    ruleIndex,
    ledger,
    clients: new ClientPool({ region: 'us-east-1', homeAccount: '123456789012' }),
    live: false,
    readObjects: false,
    factStubs,
  };
  const decoded = decodeDocument(event, 'bench batch').events;
  const candidates =
    decoded.reduce((sum, line) => sum + candidatesOf(ruleIndex, line).length, 0) / decoded.length;
  const timings: number[] = [];
  let matches = 0;
  for (let run = 0; run < runs + 2; run++) {
    const before = process.hrtime.bigint();
    const report = await runPipeline(event, 'bench batch', context);
    const elapsed = Number(process.hrtime.bigint() - before) / 1e6;
    if (report.events.length !== logEvents.length || report.errors.length > 0)
      throw new Error(
        `the batch decoded to ${report.events.length} events, ${report.errors.length} errors`,
      );
    matches = report.events.reduce((sum, line) => sum + line.matches.length, 0);
    if (matches > 0) throw new Error(`${matches} matches: the batch is meant to match no rule`);
    if (run >= 2) timings.push(elapsed);
  }
  return {
    lines: logEvents.length,
    jsonBytes: Buffer.byteLength(JSON.stringify(message)),
    base64Bytes: event.awslogs.data.length,
    candidatesPerLine: candidates,
    matches,
    runs: timings.length,
    medianMs: median(timings),
    bestMs: Math.min(...timings),
  };
}
