import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AwsClients } from '../aws-clients.js';
import { BacktestStackError } from '../backtest/aws/errors.js';
import type { ReducedRun } from '../backtest/aws/reducer.js';
import { startBacktestOnAws, TrailBucketMismatchError } from '../backtest/aws/start.js';
import { findBacktestStack } from '../backtest/aws/stack.js';
import { waitForBacktest, type AwsBacktestProgress } from '../backtest/aws/watch.js';
import type { BacktestQuery } from '../backtest/report.js';
import { parseS3Url } from '../backtest/s3-listing.js';
import { messageOf } from '../errors.js';
import { isObject } from '../json/fields.js';
import { parseTime } from '../json/time.js';
import { escapeControls } from './escape.js';
import { UsageError, type Output } from './output.js';

/** What `steward backtest --on-aws` takes. */
export const backtestOnAwsUsage =
  'steward backtest --on-aws s3://BUCKET/PREFIX [--since TIME] [--until TIME] [--accounts ID,…] [--regions R,…]\n' +
  '    [--rule ID]... [--max-concurrency N] [--stage S] [--region R] [--json FILE] [--html FILE]';

/** The Distributed Map's default MaxConcurrency here, and the most Step Functions allows. */
const defaultMaxConcurrency = 1_000;
const maxMaxConcurrency = 10_000;

/** What tests give `backtestOnAws` instead of the defaults. */
export interface BacktestOnAwsOptions {
  /** Between polls of the execution (default 5 s). */
  pollMs?: number;
  clients?: { cloudFormation: CloudFormationClient; sfn: SFNClient; s3: S3Client };
}

/**
 * `steward backtest --on-aws s3://bucket/prefix`: runs the backtest on the deployed backtest
 * stack (`backtest/`, a Step Functions Distributed Map over the prefix's S3 listing), shows
 * the map run's progress on stderr, and prints where the report is when it ends (downloading
 * `report.json` / `report.html` to `--json` / `--html`). The stack's rule pack is the one it
 * was deployed with. Exit 0 when the run succeeded and read every file and record, 1 when it
 * failed, was stopped, or met unreadable files or records, 2 for a usage problem or no stack.
 *
 * @example
 * process.exitCode = await backtestOnAws(['s3://trail/AWSLogs/o-abc1234567/', '--since', '2026-10-01'], processOutput);
 */
export async function backtestOnAws(
  args: string[],
  output: Output,
  options: BacktestOnAwsOptions = {},
): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      'on-aws': { type: 'boolean' },
      since: { type: 'string' },
      until: { type: 'string' },
      accounts: { type: 'string' },
      regions: { type: 'string' },
      rule: { type: 'string', multiple: true },
      'max-concurrency': { type: 'string' },
      stage: { type: 'string' },
      region: { type: 'string' },
      json: { type: 'string' },
      html: { type: 'string' },
    },
  });
  const source = sourceOf(positionals);
  const query: BacktestQuery = {
    sources: [`s3://${source.bucket}/${source.prefix}`],
    ...timeOption('since', values.since),
    ...timeOption('until', values.until),
    ...listOption('accounts', values.accounts),
    ...listOption('regions', values.regions),
    ...(values.rule === undefined ? {} : { ruleIds: values.rule }),
  };
  const maxConcurrency = maxConcurrencyOf(values['max-concurrency']);
  const region = values.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const clients = options.clients ?? {
    cloudFormation: new CloudFormationClient({ region }),
    sfn: new SFNClient({ region }),
    s3: await new AwsClients(region).s3(),
  };

  let started;
  try {
    const stack = await findBacktestStack(clients.cloudFormation, values.stage ?? 'dev', region);
    started = await startBacktestOnAws({ sfn: clients.sfn, stack, source, query, maxConcurrency });
  } catch (error) {
    if (error instanceof BacktestStackError || error instanceof TrailBucketMismatchError)
      throw new UsageError(error.message, { cause: error });
    throw error;
  }
  output.err(`backtest run ${started.runId} on AWS: ${started.executionArn}`);
  output.err(
    '(interrupting stops the waiting, not the run: aws stepfunctions stop-execution --execution-arn …)',
  );
  const began = Date.now();
  const progress = new ProgressLine(output);
  const finished = await waitForBacktest({
    sfn: clients.sfn,
    executionArn: started.executionArn,
    onProgress: (state) => progress.show(progressText(state, Date.now() - began)),
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
  });
  progress.end();

  const reportUrl = `s3://${started.report.bucket}/${started.report.json}`;
  const htmlUrl = `s3://${started.report.bucket}/${started.report.html}`;
  if (finished.status !== 'SUCCEEDED') {
    const reason = [finished.error, finished.cause].filter((part) => part !== undefined).join(': ');
    output.err(
      escapeControls(
        `backtest run ${started.runId} ${finished.status}${reason === '' ? '' : `: ${reason}`}`,
      ),
    );
    return 1;
  }
  const reduced = reducedRunOf(finished.output);
  if (reduced !== undefined)
    for (const line of summaryLines(reduced)) output.out(escapeControls(line));
  output.out(`report: ${reportUrl}`);
  output.out(`        ${htmlUrl}`);
  for (const [file, key] of [
    [values.json, started.report.json],
    [values.html, started.report.html],
  ] as const) {
    if (file === undefined) continue;
    await download(clients.s3, started.report.bucket, key, file);
    output.err(`wrote ${file}`);
  }
  const totals = reduced?.totals;
  return totals !== undefined && totals.unreadableFiles + totals.badRecords > 0 ? 1 : 0;
}

function sourceOf(positionals: readonly string[]): { bucket: string; prefix: string } {
  if (positionals.length !== 1)
    throw new UsageError(
      `--on-aws takes one s3://BUCKET/PREFIX, got ${positionals.length}: usage: ${backtestOnAwsUsage}`,
    );
  const [text = ''] = positionals;
  const location = parseS3Url(text);
  if (location === undefined)
    throw new UsageError(
      `${text}: --on-aws reads a trail in S3: expected s3://BUCKET/PREFIX (a local backtest takes files)`,
    );
  if ('error' in location) throw new UsageError(`${text}: ${location.error}`);
  return location;
}

function timeOption(name: 'since' | 'until', value: string | undefined): Partial<BacktestQuery> {
  if (value === undefined) return {};
  const time = parseTime(value);
  if (time === undefined)
    throw new UsageError(
      `--${name} ${JSON.stringify(value)}: not an ISO 8601 time or epoch milliseconds`,
    );
  return { [name]: new Date(time).toISOString() };
}

function listOption(
  name: 'accounts' | 'regions',
  value: string | undefined,
): Partial<BacktestQuery> {
  if (value === undefined) return {};
  const list = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (list.length === 0) throw new UsageError(`--${name}: expected a comma-separated list, got ""`);
  return { [name]: list };
}

function maxConcurrencyOf(value: string | undefined): number {
  if (value === undefined) return defaultMaxConcurrency;
  const count = /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!(count >= 1 && count <= maxMaxConcurrency))
    throw new UsageError(
      `--max-concurrency ${JSON.stringify(value)}: expected a whole number from 1 to ${maxMaxConcurrency.toLocaleString('en-US')}`,
    );
  return count;
}

/** The reducer's result, when the execution's output is one. */
function reducedRunOf(value: unknown): ReducedRun | undefined {
  return isObject(value) && isObject(value.totals) && isObject(value.matches)
    ? (value as unknown as ReducedRun)
    : undefined;
}

function summaryLines(run: ReducedRun): string[] {
  const { totals } = run;
  const lines = [
    `${count(totals.files)} log files (${count(totals.unreadableFiles)} unreadable), ` +
      `${count(totals.records)} records (${count(totals.badRecords)} not decoded), ` +
      `${count(totals.events)} events evaluated, ${count(totals.matchedEvents)} matched a rule`,
  ];
  if (run.failedBatches > 0)
    lines.push(`${count(run.failedBatches)} batches failed: their files are counted unreadable`);
  const fired = Object.entries(run.matches).filter(([, matches]) => matches > 0);
  if (fired.length === 0) lines.push('no rule matched');
  else {
    const width = Math.max(...fired.map(([rule]) => rule.length));
    lines.push('matches by rule:');
    for (const [rule, matches] of fired) lines.push(`  ${rule.padEnd(width)}  ${count(matches)}`);
  }
  return lines;
}

function progressText(state: AwsBacktestProgress, elapsedMs: number): string {
  const parts = [`backtest on AWS: ${state.status}`];
  if (state.items !== undefined) {
    const { total, done, failed } = state.items;
    const percent = total === 0 ? 0 : Math.floor((done / total) * 100);
    parts.push(`files ${count(done)}/${count(total)} (${percent} %)`);
    if (failed > 0) parts.push(`${count(failed)} failed`);
  }
  if (state.batches !== undefined)
    parts.push(`batches ${count(state.batches.done)}/${count(state.batches.total)}`);
  parts.push(durationText(elapsedMs));
  return parts.join(', ');
}

function durationText(ms: number): string {
  const seconds = Math.round(ms / 1000);
  const minutes = Math.floor(seconds / 60);
  return minutes === 0
    ? `${seconds} s`
    : `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`;
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

/** Progress on stderr: redrawn in place on a terminal, else a line whenever it changes. */
class ProgressLine {
  private last = '';
  private drawn = false;

  constructor(private readonly output: Output) {}

  show(text: string): void {
    const { terminal } = this.output;
    if (terminal !== undefined) {
      terminal.write(`\r\u001b[K${text.slice(0, Math.max(20, terminal.columns - 1))}`);
      this.drawn = true;
      return;
    }
    // Elapsed time changes every poll; a line is worth printing when the rest has.
    const withoutTime = text.slice(0, text.lastIndexOf(', '));
    if (withoutTime === this.last) return;
    this.last = withoutTime;
    this.output.err(text);
  }

  end(): void {
    if (this.drawn) this.output.terminal?.write('\r\u001b[K');
  }
}

async function download(s3: S3Client, bucket: string, key: string, file: string): Promise<void> {
  try {
    const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (Body === undefined) throw new Error('the object has no body');
    await writeFile(file, await Body.transformToByteArray());
  } catch (cause) {
    throw new DownloadError(`s3://${bucket}/${key}`, file, cause);
  }
}

/**
 * The report was written but could not be downloaded or saved: the message names both ends.
 *
 * @example
 * throw new DownloadError('s3://results/runs/r1/report.json', 'report.json', cause);
 */
export class DownloadError extends Error {
  constructor(from: string, to: string, cause: unknown) {
    super(`could not download ${from} to ${to}: ${messageOf(cause)}`, { cause });
    this.name = 'DownloadError';
  }
}
