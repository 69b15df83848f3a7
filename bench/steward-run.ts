/**
 * `steward run` with the embedded ledger on a generated CloudTrail log file of realistic records
 * (`bench/realistic.ts`: 70 % unwatched reads), against the floor of gunzip + `JSON.parse` of
 * the same file; and where its time goes, with the ledger writes per action counted.
 *
 * - floor: `gunzipSync` + `JSON.parse` of the whole file in this process, best of 3.
 * - `steward run FILE --json` as a user runs it: a process of its own (Node, tsx, the shipped
 *   rules loaded from YAML), a fresh data directory (so every action is new and the shared
 *   ledger server starts), its wall time to exit. With `compareWith`, the same file through
 *   another checkout's `bin/steward.js` as well, the two taking turns.
 * - in this process, with the shipped rules: the file read and decoded (`readEventFile`), the
 *   rules matched (`RuleIndex.match`, no ledger), and the whole pipeline (`processBatch`) against
 *   an in-memory dynalite whose client counts the requests: writes per action.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { readEventFile } from '../src/cli/input-files.js';
import { ClientPool } from '../src/client-pool.js';
import { startEmbeddedDynamoDB } from '../src/ledger/embedded/memory-server.js';
import { Ledger } from '../src/ledger/ledger.js';
import { processBatch, type PipelineReport } from '../src/pipeline.js';
import { loadRules } from '../src/rules/load.js';
import { RuleIndex } from '../src/rules/rule-index.js';
import { realisticRecords } from './realistic.js';
import { writeTrailFile } from './trail-file.js';
import { measureBareWrites, type BareWritesResult } from './bare-writes.js';

/** One `steward run` process: its wall time and what its report counted. */
export interface RunProcess {
  /** The checkout whose `bin/steward.js` ran. */
  checkout: string;
  /** Wall time of every run, in seconds; the figures use the best. */
  seconds: number[];
  actions: number;
  errors: number;
}

export interface StewardRunResult {
  records: number;
  gzipBytes: number;
  jsonBytes: number;
  /** gunzip + `JSON.parse`, best of 3, seconds. */
  floorSeconds: number;
  runs: RunProcess[];
  /** In this process, seconds each. */
  inProcess: {
    decodeSeconds: number;
    matchSeconds: number;
    pipelineSeconds: number;
    actions: number;
    /** Conditional writes of actions (claims, outcomes, releases), per action. */
    writesPerAction: number;
    /** Writes of the guards (rate, cooldown, newest event seen), per action. */
    guardWritesPerAction: number;
    readsPerAction: number;
  };
  /**
   * As many conditional writes as this run's actions, through a bare SDK client to the same
   * kind of ledger server: what one write per action costs before any of steward's work.
   */
  bareWrites: BareWritesResult;
}

function actionsOf(report: PipelineReport): number {
  return report.events.reduce(
    (sum, event) => sum + event.matches.reduce((count, match) => count + match.actions.length, 0),
    0,
  );
}

function stewardRun(checkout: string, file: string, dataDir: string): RunProcess {
  const started = process.hrtime.bigint();
  const child = spawnSync(
    process.execPath,
    [join(checkout, 'bin/steward.js'), 'run', file, '--json'],
    {
      cwd: checkout,
      env: { ...process.env, STEWARD_DATA_DIR: dataDir, STEWARD_LEDGER_IDLE_SECONDS: '1' },
      encoding: 'utf8',
      maxBuffer: 1 << 30,
    },
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (child.status !== 0 && child.status !== 1)
    throw new Error(`steward run in ${checkout} failed: ${child.stderr}`);
  const report = JSON.parse(child.stdout) as PipelineReport;
  return { checkout, seconds: [seconds], actions: actionsOf(report), errors: report.errors.length };
}

/** The requests a DynamoDB client sends, by kind. */
function countRequests(client: DynamoDBClient) {
  const counts = { actionWrites: 0, guardWrites: 0, reads: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { Key?: { pk?: { S?: string } } };
      if (context.commandName === 'UpdateItemCommand') {
        if (/^(rate|cooldown|seen)#/.test(input.Key?.pk?.S ?? '')) counts.guardWrites += 1;
        else counts.actionWrites += 1;
      } else if (context.commandName === 'GetItemCommand') counts.reads += 1;
      return next(args);
    },
    { step: 'initialize', name: 'benchCountRequests' },
  );
  return counts;
}

async function inProcess(file: string, root: string): Promise<StewardRunResult['inProcess']> {
  const rules = await loadRules(join(root, 'rules'));
  let started = process.hrtime.bigint();
  const lap = () => {
    const now = process.hrtime.bigint();
    const seconds = Number(now - started) / 1e9;
    started = now;
    return seconds;
  };
  const batch = await readEventFile(file);
  const decodeSeconds = lap();
  const ruleIndex = new RuleIndex(rules);
  for (const event of batch.events) await ruleIndex.match(event);
  const matchSeconds = lap();
  const server = await startEmbeddedDynamoDB();
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: server.endpoint,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const ledger = new Ledger(client, { tableName: 'bench-run' });
    await ledger.ensureTable();
    const counts = countRequests(client);
    lap();
    const report = await processBatch(batch, {
      ruleIndex,
      ledger,
      clients: new ClientPool({ region: 'us-east-1', homeAccount: '123456789012' }),
      live: false,
      readObjects: false,
      inProgressWaitMs: 10_000,
    });
    const pipelineSeconds = lap();
    const actions = actionsOf(report);
    if (report.errors.length > 0)
      throw new Error(
        `the pipeline reported ${report.errors[0]?.where}: ${report.errors[0]?.message}`,
      );
    return {
      decodeSeconds,
      matchSeconds,
      pipelineSeconds,
      actions,
      writesPerAction: counts.actionWrites / actions,
      guardWritesPerAction: counts.guardWrites / actions,
      readsPerAction: counts.reads / actions,
    };
  } finally {
    client.destroy();
    await server.close();
  }
}

/**
 * Measures `steward run` on a trail file of `records` realistic records, `rounds` times per
 * checkout (this one, and `compareWith` if given).
 *
 * @example
 * const result = await measureStewardRun(20_000, { root: process.cwd(), rounds: 2 });
 */
export async function measureStewardRun(
  records: number,
  options: { root: string; rounds: number; compareWith?: string },
): Promise<StewardRunResult> {
  const dir = await mkdtemp(join(tmpdir(), 'steward-bench-run-'));
  try {
    const file = join(dir, 'trail.json.gz');
    const written = await writeTrailFile(file, records, 15, realisticRecords());
    const floors: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = process.hrtime.bigint();
      const parsed = JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as {
        Records: unknown[];
      };
      floors.push(Number(process.hrtime.bigint() - started) / 1e9);
      if (parsed.Records.length !== records) throw new Error('the trail file lost records');
    }
    const checkouts = [options.root, ...(options.compareWith ? [options.compareWith] : [])];
    const runs = new Map<string, RunProcess>();
    for (let round = 0; round < options.rounds; round++) {
      for (const [turn, checkout] of checkouts.entries()) {
        const run = stewardRun(checkout, file, join(dir, `data-${round}-${turn}`));
        const seen = runs.get(checkout);
        if (seen) seen.seconds.push(...run.seconds);
        else runs.set(checkout, run);
      }
    }
    const measured = await inProcess(file, options.root);
    return {
      records,
      gzipBytes: written.gzipBytes,
      jsonBytes: written.jsonBytes,
      floorSeconds: Math.min(...floors),
      runs: [...runs.values()],
      inProcess: measured,
      bareWrites: await measureBareWrites(measured.actions),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
