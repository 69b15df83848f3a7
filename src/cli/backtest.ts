import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CheckpointError, readCheckpoint } from '../backtest/checkpoint.js';
import { BacktestQueryError } from '../backtest/event-filter.js';
import { runBacktest, type BacktestRun } from '../backtest/pool.js';
import { BacktestProgressLine } from '../backtest/progress-line.js';
import type { BacktestQuery, BacktestReport } from '../backtest/report.js';
import { SourceListing } from '../backtest/source-listing.js';
import { clientPoolFromEnv } from '../client-pool.js';
import { parseTime } from '../json/time.js';
import { embeddedDataDir } from '../ledger/connect.js';
import { defaultRulesDir } from '../rules/rules-dir.js';
import { describeBacktest } from './backtest-text.js';
import { escapeControls, escapeLines } from './escape.js';
import type { ProgressSink } from './progress.js';
import { UsageError, type Output } from './output.js';
import { usages } from './usages.js';

/** How often progress is redrawn on a terminal, and printed as a line elsewhere. */
const redrawMs = 250;
const lineMs = 5_000;

const relative = /^(\d{1,5})([dh])$/;

/**
 * A `--since`/`--until` value as an ISO 8601 instant: a day (`2026-10-01`, its start in UTC),
 * an ISO time, or a duration back from now (`30d`, `12h`).
 *
 * @example
 * timeOption('since', '2026-10-01', Date.now()); // '2026-10-01T00:00:00.000Z'
 */
export function timeOption(name: string, value: string, now: number): string {
  const back = relative.exec(value);
  if (back !== null) {
    const hours = Number(back[1]) * (back[2] === 'd' ? 24 : 1);
    return new Date(now - hours * 3_600_000).toISOString();
  }
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const time = /^\d{4}-\d{2}-\d{2}/.test(day) ? parseTime(day) : undefined;
  if (time === undefined)
    throw new UsageError(
      `--${name}: ${JSON.stringify(value)} is not a day (2026-10-01), an ISO 8601 time or a duration back from now (30d, 12h)`,
    );
  return new Date(time).toISOString();
}

function listOption(name: string, value: string | undefined, valid: RegExp, what: string) {
  if (value === undefined) return undefined;
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  const bad = items.find((item) => !valid.test(item));
  if (items.length === 0 || bad !== undefined)
    throw new UsageError(`--${name}: ${JSON.stringify(bad ?? value)} is not ${what}`);
  return items;
}

function workersOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 256)
    throw new UsageError(`--workers: ${JSON.stringify(value)} is not a number from 1 to 256`);
  return count;
}

/** Where progress goes: drawn in place on a terminal, as lines elsewhere or with `--progress`. */
function progressSink(output: Output, forced: boolean): ProgressSink {
  const { terminal } = output;
  if (terminal !== undefined && !forced) {
    const width = Math.max(20, terminal.columns - 1);
    return {
      kind: 'redraw',
      draw: (text) => terminal.write(`\r\u001b[K${text.slice(0, width)}`),
      clear: () => terminal.write('\r\u001b[K'),
    };
  }
  return { kind: 'lines', line: (text) => output.err(text) };
}

/** Writes a report file (`-`: stdout); a file that cannot be written is a usage problem. */
async function writeReport(output: Output, file: string, text: string, what: string) {
  if (file === '-') {
    output.out(text);
    return;
  }
  try {
    await writeFile(file, text);
  } catch (error) {
    const reason = error instanceof Error && 'code' in error ? String(error.code) : String(error);
    throw new UsageError(`${what} ${file}: cannot be written (${reason})`, { cause: error });
  }
}

/** The query of the command line, or, for `--resume FILE` alone, the checkpoint's. */
async function queryOf(
  values: Record<string, string | string[] | boolean | undefined>,
  positionals: string[],
  resume: string | undefined,
): Promise<BacktestQuery> {
  if (positionals.length === 0) {
    if (resume === undefined) throw new UsageError(`usage: ${usages.backtest}`);
    return (await readCheckpoint(resume)).query;
  }
  const now = Date.now();
  const text = (name: string) => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };
  const since = text('since');
  const until = text('until');
  const accounts = listOption('accounts', text('accounts'), /^\d{12}$/, 'a 12-digit account id');
  const regions = listOption(
    'regions',
    text('regions'),
    /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/,
    'a region (us-east-1)',
  );
  const rules = values.rule;
  const query: BacktestQuery = {
    sources: positionals,
    ...(since === undefined ? {} : { since: timeOption('since', since, now) }),
    ...(until === undefined ? {} : { until: timeOption('until', until, now) }),
    ...(accounts === undefined ? {} : { accounts }),
    ...(regions === undefined ? {} : { regions }),
    ...(Array.isArray(rules) && rules.length > 0 ? { ruleIds: rules } : {}),
    ...(text('facts') === undefined ? {} : { facts: text('facts') }),
  };
  if (query.since !== undefined && query.until !== undefined && query.since >= query.until)
    throw new UsageError(`--since ${query.since} is not before --until ${query.until}`);
  return query;
}

function exitStatus(report: BacktestReport, listingProblems: number): number {
  if (listingProblems > 0) return 2;
  const { totals } = report;
  const failed =
    totals.unreadableFiles > 0 ||
    totals.badRecords > 0 ||
    report.rules.some((rule) => rule.evaluationErrors > 0);
  return failed ? 1 : 0;
}

/**
 * `steward backtest`: what the rules would have done over CloudTrail log files (local files,
 * directories, `s3://bucket/prefix`), evaluated on every core with nothing executed and no
 * ledger written. Prints a summary per rule (`--json FILE`: the report; `--html FILE`: a page),
 * progress on stderr; Ctrl-C stops with a checkpoint that `--resume` continues. `--on-aws` runs
 * it on the deployed backtest stack instead (`backtestOnAws`). Exit 0 when
 * every file was read, 1 when files or records failed, 2 on a usage problem or a source that
 * cannot be listed (after running the others).
 *
 * @example
 * await backtestCommand(['s3://trail/AWSLogs/', '--since', '30d', '--json', 'report.json'], processOutput);
 */
export async function backtestCommand(args: string[], output: Output): Promise<number> {
  // The run on AWS has options of its own (--max-concurrency, --stage): its command parses them.
  if (args.includes('--on-aws')) {
    const { backtestOnAws } = await import('./backtest-on-aws.js');
    return backtestOnAws(args, output);
  }
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      since: { type: 'string' },
      until: { type: 'string' },
      rules: { type: 'string' },
      accounts: { type: 'string' },
      regions: { type: 'string' },
      rule: { type: 'string', multiple: true },
      facts: { type: 'string' },
      json: { type: 'string' },
      html: { type: 'string' },
      workers: { type: 'string' },
      checkpoint: { type: 'string' },
      resume: { type: 'string' },
      progress: { type: 'boolean' },
    },
  });
  if (values.checkpoint !== undefined && values.resume !== undefined)
    throw new UsageError(
      '--resume FILE continues and updates FILE; --checkpoint FILE starts afresh: use one or the other',
    );
  const workers = workersOption(values.workers);
  const query = await queryOf(values, positionals, values.resume);
  const checkpoint =
    values.resume ?? values.checkpoint ?? join(embeddedDataDir(), 'backtest.checkpoint.json');
  const clients = clientPoolFromEnv(process.env);
  const listing = new SourceListing(query, { s3: () => clients.home.s3() });
  const forced = values.progress === true;
  const sink = progressSink(output, forced);
  const line = new BacktestProgressLine(sink, sink.kind === 'redraw' ? redrawMs : lineMs, {
    immediate: forced,
  });
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  let run: BacktestRun;
  try {
    run = await runBacktest({
      refs: listing.refs(),
      rulesDir: values.rules ?? defaultRulesDir(),
      query,
      ...(query.facts === undefined ? {} : { factsFile: query.facts }),
      ...(workers === undefined ? {} : { workers }),
      checkpoint,
      resume: values.resume !== undefined,
      onProgress: (progress) => line.update(progress),
      signal: stop.signal,
    });
  } catch (error) {
    if (error instanceof BacktestQueryError || error instanceof CheckpointError)
      throw new UsageError(error.message, { cause: error });
    throw error;
  } finally {
    process.removeListener('SIGINT', interrupt);
    line.end();
  }
  for (const problem of listing.notes.problems)
    output.err(escapeLines(`steward backtest: ${problem.where}: ${problem.message}`));
  if (run.interrupted) {
    output.err(
      escapeLines(
        `steward backtest: interrupted after ${run.report.totals.files + run.report.totals.unreadableFiles} files; the checkpoint is ${checkpoint}: steward backtest --resume ${checkpoint} continues`,
      ),
    );
    return 130;
  }
  if (values.checkpoint === undefined && values.resume === undefined)
    await rm(checkpoint, { force: true });
  for (const error of run.report.errors)
    output.err(escapeControls(`${error.where}: ${error.message}`));
  if (run.report.moreErrors > 0)
    output.err(`… and ${run.report.moreErrors} more errors (--json FILE keeps the first 100)`);
  if (listing.notes.skipped > 0)
    output.err(`${listing.notes.skipped} files skipped: not .json or .json.gz`);
  if (values.json !== undefined)
    await writeReport(output, values.json, JSON.stringify(run.report, null, 2), '--json');
  if (values.html !== undefined) {
    const { renderHtmlReport } = await import('../backtest/html.js');
    await writeReport(output, values.html, renderHtmlReport(run.report), '--html');
  }
  if (values.json !== '-' && values.html !== '-')
    output.out(
      describeBacktest(run.report, { elapsedMs: run.elapsedMs, records: run.recordsThisRun }),
    );
  return exitStatus(run.report, listing.notes.problems.length);
}
