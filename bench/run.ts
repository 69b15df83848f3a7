/**
 * `npm run bench` (`npx tsx bench/run.ts [--json] [--quick] [--compare-with DIR]`): steward's
 * evaluation at 100, 1,000 and 10,000 rules on the original generator's events and on
 * realistic CloudTrail records (decoded, and from raw JSON text against `JSON.parse` alone),
 * against plain json-rules-engine; a 1 MB CloudWatch Logs batch through the pipeline; a
 * 500,000-record CloudTrail log file (streaming decoder and `cloudtrailLogs` handler against
 * gunzip + JSON.parse); `steward run` on a 20,000-record trail file against gunzip +
 * JSON.parse, with ledger writes per action (`--compare-with` runs another checkout's
 * `bin/steward.js` on the same file too); ledger claims on dynalite; and per-handler bundle size
 * and cold start; the `steward` CLI's start-up (`--help`, `validate rules`, `test rules`) against
 * a bare `node -e 0`; the local backtest over an organization trail's archive against gunzip +
 * JSON.parse on as many worker threads (`bench/backtest.ts`), and the same records in files ten
 * times smaller, each parsed whole; a sweep's time per 1,000 moto instances against their bare
 * DescribeInstances (`bench/sweep.ts`); each against the targets of issues 6, 13, 15, 16 and 17;
 * what the functions' logs and metrics add per event (`bench/telemetry.ts`, issue 19). `--quick`
 * measures less; `--only backtest` (the backtest on both corpora), `--only sweep` or `--only
 * telemetry` measures that part alone.
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import {
  backtestSection,
  backtestTarget,
  measureBacktest,
  measureBacktestOnSmallFiles,
  smallFilesSection,
} from './backtest.js';
import { measureLogBatch, type BatchResult } from './batch.js';
import { measureCliStartup, type CliStartupResult } from './cli-startup.js';
import { ensurePackaged, measureBundles, type BundleResult } from './bundles.js';
import {
  prepareEvaluation,
  realisticInput,
  type EvaluationResult,
  type PreparedEvaluation,
  type RoundPasses,
} from './evaluation.js';
import { measureLogFile, type LogFileResult } from './log-file.js';
import { markdownTable } from './measure.js';
import { measureLedger, type LedgerResult } from './ledger.js';
import { measureStewardRun, type StewardRunResult } from './steward-run.js';
import { measureSweep, sweepSection } from './sweep.js';
import { measureTelemetry, telemetrySection, telemetryTarget } from './telemetry.js';

// Lambda runs Node 22; the SDK's warning about a local Node 20 says nothing a benchmark can act on.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    'compare-with': { type: 'string' },
    only: { type: 'string' },
  },
});
const quick = values.quick === true;
const root = fileURLToPath(new URL('..', import.meta.url));
const log = (line: string) => process.stderr.write(`${line}\n`);
const machine = {
  cpus: cpus().length,
  cpu: cpus()[0]?.model ?? 'unknown',
  node: process.version,
  loadAverage: loadavg().map((load) => Number(load.toFixed(2))),
};
const machineLine = `machine: ${machine.cpus} × ${machine.cpu}, Node ${machine.node}, load average ${machine.loadAverage.join(' ')}${quick ? ' (--quick)' : ''}`;

if (values.only === 'sweep') {
  const sweep = await measureSweep({ quick, log });
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ quick, machine, sweep }, null, 2)}\n`
      : `${machineLine}\n\n${sweepSection(sweep)}\n`,
  );
  process.exit(0);
}

if (values.only === 'telemetry') {
  const telemetry = await measureTelemetry({ quick, root, log });
  const target = telemetryTarget(telemetry);
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ quick, machine, telemetry, targets: [target] }, null, 2)}\n`
      : `${machineLine}\n\n${telemetrySection(telemetry)}\n\n${markdownTable([
          ['target', 'goal', 'measured', 'met'],
          [target.name, target.goal, target.value, target.met ? 'pass' : 'FAIL'],
        ])}\n`,
  );
  process.exit(0);
}

if (values.only !== undefined) {
  if (values.only !== 'backtest') {
    process.stderr.write(
      `--only: ${values.only} is not a part that runs alone; only backtest, sweep and telemetry do\n`,
    );
    process.exit(2);
  }
  const started = Date.now();
  const backtest = await measureBacktest({ quick, root, log });
  const backtestSmallFiles = await measureBacktestOnSmallFiles({ quick, root, log });
  const target = backtestTarget(backtest);
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ quick, machine, seconds, backtest, backtestSmallFiles, targets: [target] }, null, 2)}\n`
      : `${machineLine}\n\n${backtestSection(backtest)}\n${smallFilesSection(backtestSmallFiles)}\n${markdownTable(
          [
            ['target', 'goal', 'measured', 'met'],
            [target.name, target.goal, target.value, target.met ? 'pass' : 'FAIL'],
          ],
        )}\n\n${seconds.toFixed(0)} s\n`,
  );
  process.exit(0);
}

interface Target {
  name: string;
  goal: string;
  value: string;
  met: boolean;
}

const startedAt = Date.now();
const evaluation: EvaluationResult[] = [];
// Every size is built and warmed up before any is timed, so the code shared by all sizes is
// equally compiled for each, whichever is measured first.
const realistic = realisticInput(quick ? 3000 : 20_000);
const prepared = [100, 1000, 10_000].map((size) => {
  log(`building ${size} rules and their events…`);
  return prepareEvaluation(
    size,
    {
      events: quick ? 3000 : 20_000,
      baselineBudgetMs: quick ? 100 : 3000,
      crossCheck: quick ? 20 : 200,
    },
    realistic,
  );
});
for (const size of prepared) await size.warmUp();
for (const size of prepared) await size.warmUp();
// The sizes take turns, each round starting with a different one, and each reports its median
// pass: the machine is shared, and a pass another process disturbed must not make a ratio.
const rounds = quick ? 3 : 5;
const passes = prepared.map(() => [] as RoundPasses[]);
for (let round = 0; round < rounds; round++) {
  log(`evaluation, round ${round + 1} of ${rounds}…`);
  for (let turn = 0; turn < prepared.length; turn++) {
    const which = (round + turn) % prepared.length;
    passes[which]?.push(await (prepared[which] as PreparedEvaluation).timeRound());
  }
}
for (const [which, size] of prepared.entries()) {
  log(`json-rules-engine and the cross-check at ${size.rules} rules…`);
  evaluation.push(await size.measure(passes[which] ?? []));
}
log('1 MB CloudWatch Logs batch…');
const batch: BatchResult = await measureLogBatch(quick ? 3 : 10);
const logFileRecords = quick ? 10_000 : 500_000;
log(`CloudTrail log file of ${logFileRecords} records…`);
const logFile: LogFileResult = await measureLogFile(logFileRecords);
const runRecords = quick ? 2000 : 20_000;
log(`steward run on a trail file of ${runRecords} records…`);
const stewardRun: StewardRunResult = await measureStewardRun(runRecords, {
  root,
  rounds: quick ? 1 : 2,
  compareWith: values['compare-with'],
});
log('ledger claims…');
const ledger: LedgerResult = await measureLedger(quick ? 300 : 2000, {
  warmUp: quick ? 300 : 1000,
  rounds: quick ? 1 : 3,
});
log('handler bundles…');
const packaged = ensurePackaged(root, log);
const bundles: BundleResult[] = await measureBundles(root, quick ? 3 : 5);
log('steward CLI start-up…');
const cliStartup: CliStartupResult = measureCliStartup(root, quick ? 3 : 9);
const backtest = await measureBacktest({ quick, root, log });
const backtestSmallFiles = await measureBacktestOnSmallFiles({ quick, root, log });
const sweep = await measureSweep({ quick, log });
const telemetry = await measureTelemetry({ quick, root, log });

const [at100, at1000, at10000] = evaluation as [
  EvaluationResult,
  EvaluationResult,
  EvaluationResult,
];
const [thisRun] = stewardRun.runs;
const runTimes = (thisRun?.seconds ?? []).toSorted((a, b) => a - b);
const bestRun = runTimes[0] ?? Number.NaN;
const runOverFloor = bestRun / stewardRun.floorSeconds;
const rawTarget = (row: EvaluationResult, goal: number) => ({
  name: `from raw JSON at ${row.rules.toLocaleString('en-US')} rules, of the JSON.parse floor`,
  goal: `≥ ${goal * 100} %`,
  value: `${(row.realistic.rawOfFloor * 100).toFixed(0)} %`,
  met: row.realistic.rawOfFloor >= goal,
});
const largestBundle = Math.max(...bundles.map((bundle) => bundle.bytes));
const MB = 1024 * 1024;
const recordsText = logFileRecords.toLocaleString('en-US');
const streamGrowth = logFile.stream.peakRssBytes - logFile.stream.startRssBytes;
const slowestInit = Math.max(...bundles.map((bundle) => bundle.initMs));
const targets: Target[] = [
  {
    name: 'events/s at 1,000 rules',
    goal: '≥ 20,000',
    value: at1000.generated.perSecond.toFixed(0),
    met: at1000.generated.perSecond >= 20_000,
  },
  rawTarget(at100, 0.7),
  rawTarget(at1000, 0.7),
  rawTarget(at10000, 0.5),
  {
    name: `steward run, ${runRecords.toLocaleString('en-US')}-record trail file, embedded ledger, of gunzip + JSON.parse`,
    goal: '≤ 10×',
    value: `${runOverFloor.toFixed(1)}× (its writes alone through a bare SDK client: ${(stewardRun.bareWrites.seconds / stewardRun.floorSeconds).toFixed(1)}×)`,
    met: runOverFloor <= 10,
  },
  {
    name: 'ledger writes per action (dry run: no external effect)',
    goal: '1',
    value: stewardRun.inProcess.writesPerAction.toFixed(2),
    met: stewardRun.inProcess.writesPerAction <= 1,
  },
  {
    name: '1 MB log batch (10,000 lines)',
    goal: '≤ 150 ms',
    value: `${batch.medianMs.toFixed(0)} ms`,
    met: batch.medianMs <= 150,
  },
  {
    name: `log file of ${recordsText} records: streaming decode, peak RSS over its start`,
    goal: '≤ 64 MB',
    value: `${(streamGrowth / MB).toFixed(0)} MB`,
    met: streamGrowth <= 64 * MB,
  },
  {
    name: `log file of ${recordsText} records: cloudtrailLogs handler peak RSS`,
    goal: '≤ 512 MB (its memory)',
    value: `${(logFile.handler.peakRssBytes / MB).toFixed(0)} MB`,
    met: logFile.handler.peakRssBytes <= 512 * MB,
  },
  {
    name: 'largest handler bundle',
    goal: '≤ 500 KB',
    value: `${(largestBundle / 1024).toFixed(0)} KB`,
    met: largestBundle <= 500 * 1024,
  },
  {
    name: 'slowest module initialisation',
    goal: '≤ 100 ms',
    value: `${slowestInit.toFixed(0)} ms`,
    met: slowestInit <= 100,
  },
  {
    name: 'steward --help, of a bare node -e 0 (medians)',
    goal: '≤ 2×',
    value: `${cliStartup.helpOverNode.toFixed(1)}×`,
    met: cliStartup.helpOverNode <= 2,
  },
  ...(['validate', 'test'] as const).map((command) => ({
    name: `steward ${command} rules (the shipped pack, median)`,
    goal: '< 1 s',
    value: `${cliStartup[command].medianMs.toFixed(0)} ms (${cliStartup[`${command}OverNode`].toFixed(1)}× node -e 0)`,
    met: cliStartup[command].medianMs < 1000,
  })),
  {
    name: 'ledger claims/s (16 in flight)',
    goal: '≥ 500',
    value: ledger.perSecond.toFixed(0),
    met: ledger.perSecond >= 500,
  },
  backtestTarget(backtest),
  telemetryTarget(telemetry),
];

const result = {
  quick,
  machine,
  seconds: (Date.now() - startedAt) / 1000,
  evaluation,
  batch,
  logFile,
  stewardRun,
  ledger,
  bundles: { packaged, handlers: bundles },
  cliStartup,
  backtest,
  backtestSmallFiles,
  sweep,
  telemetry,
  targets,
};

if (values.json) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  const us = (micros: number) => `${micros.toFixed(1)} µs`;
  const out: string[] = [];
  out.push(machineLine, '');
  const perSecond = (value: number) => value.toFixed(0);
  out.push(
    'Decoded match, original generator (events/s, median of the passes):',
    '',
    markdownTable([
      [
        'rules',
        'steward events/s',
        'candidates/event',
        'fires/event',
        'json-rules-engine events/s',
        'p50',
        'p99',
        'ratio',
        'same matches',
      ],
      ...evaluation.map((row) => [
        String(row.rules),
        perSecond(row.generated.perSecond),
        row.generated.candidatesPerEvent.toFixed(2),
        row.generated.firesPerEvent.toFixed(2),
        `${row.baseline.perSecond.toFixed(2)} (${row.baseline.count} events)`,
        us(row.baseline.p50Micros),
        us(row.baseline.p99Micros),
        `${row.ratio.toFixed(0)}×`,
        `${row.crossChecked.events - row.crossChecked.disagreements}/${row.crossChecked.events}`,
      ]),
    ]),
    '',
    'Realistic CloudTrail records, rules scoped the varied way (events/s, median of the passes):',
    '',
    markdownTable([
      [
        'rules',
        'JSON.parse (floor)',
        'raw JSON → verdicts',
        'of the floor',
        'decoded match',
        'fires/event',
      ],
      ...evaluation.map((row) => [
        String(row.rules),
        perSecond(row.realistic.floor.perSecond),
        perSecond(row.realistic.raw.perSecond),
        `${(row.realistic.rawOfFloor * 100).toFixed(0)} %`,
        perSecond(row.realistic.decoded.perSecond),
        row.realistic.firesPerEvent.toFixed(2),
      ]),
    ]),
    '',
    `passes (events/s): ${evaluation
      .map(
        (row) =>
          `${row.rules} rules: generated ${row.generated.passes.join(', ')}; decoded ${row.realistic.decoded.passes.join(', ')}; raw ${row.realistic.raw.passes.join(', ')}; floor ${row.realistic.floor.passes.join(', ')}`,
      )
      .join(' | ')}`,
    '',
  );
  out.push(
    `1 MB log batch: ${batch.lines} lines, ${(batch.jsonBytes / 1024).toFixed(0)} KB JSON, ${(batch.base64Bytes / 1024).toFixed(0)} KB awslogs.data, ${batch.candidatesPerLine.toFixed(1)} candidate rules/line, ${batch.matches} matches: median ${batch.medianMs.toFixed(1)} ms, best ${batch.bestMs.toFixed(1)} ms over ${batch.runs} runs`,
    `CloudTrail log file: ${logFile.file.records} records, ${(logFile.file.gzipBytes / MB).toFixed(1)} MB gzipped, ${(logFile.file.jsonBytes / MB).toFixed(0)} MB JSON; each path once, in a process of its own:`,
    '',
    markdownTable([
      ['path', 'records/s', 'seconds', 'RSS at start', 'peak RSS', 'peak heap (sampled)'],
      ...(
        [
          ['gunzip + JSON.parse (floor)', logFile.floor],
          ['streaming decoder', logFile.stream],
          ['cloudtrailLogs handler, embedded ledger', logFile.handler],
        ] as const
      ).map(([name, run]) => [
        name,
        run.failed === undefined
          ? run.recordsPerSecond.toFixed(0)
          : `failed: ${run.failed.slice(0, 300)}`,
        run.seconds.toFixed(2),
        `${(run.startRssBytes / MB).toFixed(0)} MB`,
        `${(run.peakRssBytes / MB).toFixed(0)} MB`,
        `${(run.peakHeapBytes / MB).toFixed(0)} MB`,
      ]),
    ]),
    '',
    `steward run on a trail file of ${stewardRun.records} records (${(stewardRun.gzipBytes / MB).toFixed(1)} MB gzipped, ${(stewardRun.jsonBytes / MB).toFixed(0)} MB JSON): gunzip + JSON.parse ${(stewardRun.floorSeconds * 1000).toFixed(0)} ms (best of 3)`,
    ...stewardRun.runs.map(
      (run) =>
        `  ${run.checkout}: ${run.seconds.map((seconds) => `${seconds.toFixed(2)} s`).join(', ')} (${(Math.min(...run.seconds) / stewardRun.floorSeconds).toFixed(1)}× the floor at best), ${run.actions} actions, ${run.errors} errors`,
    ),
    `  in this process: read and decode ${(stewardRun.inProcess.decodeSeconds * 1000).toFixed(0)} ms, match ${(stewardRun.inProcess.matchSeconds * 1000).toFixed(0)} ms, pipeline with in-memory dynalite ${(stewardRun.inProcess.pipelineSeconds * 1000).toFixed(0)} ms for ${stewardRun.inProcess.actions} actions; per action ${stewardRun.inProcess.writesPerAction.toFixed(2)} action writes, ${stewardRun.inProcess.guardWritesPerAction.toFixed(2)} guard writes, ${stewardRun.inProcess.readsPerAction.toFixed(2)} reads`,
    `  the same ${stewardRun.bareWrites.writes} conditional writes through a bare SDK client to the same kind of ledger server, ${stewardRun.bareWrites.inFlight} in flight: ${stewardRun.bareWrites.seconds.toFixed(2)} s (${(stewardRun.bareWrites.seconds / stewardRun.floorSeconds).toFixed(1)}× the floor), ${stewardRun.bareWrites.clientCpuSeconds.toFixed(2)} s of the client's CPU (${((stewardRun.bareWrites.clientCpuSeconds / stewardRun.bareWrites.writes) * 1e6).toFixed(0)} µs a write)`,
    `steward CLI (median of ${cliStartup.rounds} spawns each): node -e 0 ${cliStartup.node.medianMs.toFixed(0)} ms; --help ${cliStartup.help.medianMs.toFixed(0)} ms (${cliStartup.helpOverNode.toFixed(1)}×); validate rules ${cliStartup.validate.medianMs.toFixed(0)} ms (${cliStartup.validateOverNode.toFixed(1)}×); test rules ${cliStartup.test.medianMs.toFixed(0)} ms (${cliStartup.testOverNode.toFixed(1)}×)`,
    `ledger: ${ledger.claims} claims per round, ${ledger.inFlight} in flight: ${ledger.perSecond.toFixed(0)} claims/s (median of ${ledger.rounds.map((round) => round.toFixed(0)).join(', ')})`,
    '',
  );
  out.push(
    markdownTable([
      ['handler', 'bundle', 'init (median)', 'largest parts of the bundle'],
      ...bundles.map((bundle) => [
        bundle.handler,
        `${(bundle.bytes / 1024).toFixed(0)} KB`,
        `${bundle.initMs.toFixed(1)} ms`,
        bundle.largest
          .slice(0, 5)
          .map((part) => `${part.module} ${(part.bytes / 1024).toFixed(0)} KB`)
          .join(', '),
      ]),
    ]),
    '',
  );
  out.push(backtestSection(backtest));
  out.push(smallFilesSection(backtestSmallFiles));
  out.push('', sweepSection(sweep));
  out.push('', telemetrySection(telemetry));
  out.push(
    markdownTable([
      ['target', 'goal', 'measured', 'met'],
      ...targets.map((target) => [
        target.name,
        target.goal,
        target.value,
        target.met ? 'pass' : 'FAIL',
      ]),
    ]),
  );
  out.push('', `${result.seconds.toFixed(0)} s`);
  process.stdout.write(`${out.join('\n')}\n`);
}
