import { parseArgs } from 'node:util';
import { usesEmbeddedLedger } from '../ledger/connect.js';
import type { EvaluationContext, PipelineError } from '../pipeline.js';
import {
  DeadLetterQueue,
  MAX_WAIT_SECONDS,
  parseQueueUrl,
  QueueUrlError,
} from '../replay/dead-letter-queue.js';
import { RecordFileError, readRecordFile } from '../replay/record-files.js';
import { replayQueue, ReplayStoppedError } from '../replay/replay-queue.js';
import { Replayer, type DeadLetter, type ReplayOutcome } from '../replay/replayer.js';
import { loadRules } from '../rules/load.js';
import { defaultRulesDir } from '../rules/rules-dir.js';
import { createEvaluation, createRuntime, type Runtime } from '../runtime.js';
import { escapeControls, escapeLines } from './escape.js';
import { UsageError, type Output } from './output.js';
import { describeOutcome, describeReplay, isDone, type ReplaySource } from './replay-text.js';
import { usages } from './usages.js';

type Outcome = ReplayOutcome & { deleted?: boolean };

/** A whole number in `[min, max]` given to an option, or a usage error naming it. */
function wholeNumber(value: string, option: string, min: number, max = Infinity): number {
  const number = Number(value);
  if (!/^\d+$/.test(value) || number < min || number > max)
    throw new UsageError(
      `--${option} takes a whole number ${max === Infinity ? `of at least ${min}` : `from ${min} to ${max}`}, got "${value}"`,
    );
  return number;
}

/** The errors of a message's events on stderr, each named by the message. */
function reportErrors(outcome: Outcome, output: Output): void {
  for (const error of outcome.report?.errors ?? ([] as PipelineError[])) {
    const where = error.where.startsWith(outcome.where)
      ? error.where
      : `${outcome.where}: ${error.where}`;
    output.err(escapeControls(`${where}: ${error.message}`));
  }
}

/** The messages of the files given; a file that cannot be used is named on stderr and counted. */
async function readFiles(
  files: readonly string[],
  output: Output,
): Promise<{ letters: DeadLetter[]; unreadable: number }> {
  const letters: DeadLetter[] = [];
  let unreadable = 0;
  for (const file of files) {
    try {
      letters.push(...(await readRecordFile(file)));
    } catch (error) {
      if (!(error instanceof RecordFileError)) throw error;
      output.err(escapeLines(`steward replay: ${error.message}`));
      unreadable += 1;
    }
  }
  return { letters, unreadable };
}

/**
 * `steward replay`: redrives what the stack's functions could not finish, from the dead-letter
 * queue (`--dlq QUEUE_URL`) or from files of invocation records. Each record's payload runs
 * through the pipeline of the function that failed, recorded in the stack's ledger: actions
 * already done report `duplicate`, the others run once. A queue message is deleted only once
 * its events are all recorded. `--dry-run` plans instead, records and deletes nothing, and makes
 * every message received visible again. Exit 0 when every message was replayed, 1 when some
 * were kept, 2 for a usage problem.
 *
 * @example
 * await replayCommand(['--dlq', queueUrl, '--dry-run'], processOutput);
 */
export async function replayCommand(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dlq: { type: 'string' },
      'dry-run': { type: 'boolean' },
      max: { type: 'string' },
      wait: { type: 'string' },
      rules: { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const queueUrl = values.dlq;
  if ((queueUrl === undefined) === (positionals.length === 0))
    throw new UsageError(
      `${queueUrl === undefined ? 'name a queue (--dlq) or files' : '--dlq and files: replay one or the other'}\nusage: ${usages.replay}`,
    );
  for (const option of ['max', 'wait'] as const)
    if (queueUrl === undefined && values[option] !== undefined)
      throw new UsageError(`--${option} is for a queue (--dlq), not for files`);
  const max = values.max === undefined ? undefined : wholeNumber(values.max, 'max', 1);
  const waitSeconds =
    values.wait === undefined
      ? MAX_WAIT_SECONDS
      : wholeNumber(values.wait, 'wait', 0, MAX_WAIT_SECONDS);
  const dryRun = values['dry-run'] === true;
  if (!dryRun && usesEmbeddedLedger(process.env))
    throw new UsageError(
      "replay records in the stack's ledger, and the embedded one does not know what the stack already did: " +
        "set STEWARD_LEDGER=dynamodb and STEWARD_LEDGER_TABLE to the stack's table (steward-<stage>-ledger), or use --dry-run",
    );
  if (queueUrl !== undefined) {
    try {
      parseQueueUrl(queueUrl);
    } catch (error) {
      if (error instanceof QueueUrlError)
        throw new UsageError(`--dlq: ${error.message}`, { cause: error });
      throw error;
    }
  }
  const files = queueUrl === undefined ? await readFiles(positionals, output) : undefined;
  if (files !== undefined && files.letters.length === 0) return 2;

  // Replay finishes the functions' work: enforced rules act, as in Lambda.
  const options = {
    rules: () => loadRules(values.rules ?? defaultRulesDir()),
    live: true,
    readObjects: true,
  };
  let runtime: Runtime | undefined;
  let replayer: Replayer;
  if (dryRun) {
    const context: EvaluationContext = await createEvaluation(options);
    replayer = new Replayer({ dryRun: true, context });
  } else {
    runtime = await createRuntime(options);
    replayer = new Replayer({ context: runtime });
  }
  const source: ReplaySource =
    queueUrl === undefined ? { files: positionals } : { queue: queueUrl };
  const fromQueue = queueUrl !== undefined;
  const show = (outcome: Outcome) => {
    if (!values.json) output.out(describeOutcome(outcome, fromQueue));
    reportErrors(outcome, output);
  };
  let outcomes: Outcome[] = [];
  let stopped: ReplayStoppedError | undefined;
  let queue: DeadLetterQueue | undefined;
  try {
    if (queueUrl !== undefined) {
      queue = await DeadLetterQueue.open(queueUrl);
      try {
        outcomes = await replayQueue(queue, replayer, {
          ...(max === undefined ? {} : { max }),
          waitSeconds,
          onMessage: show,
        });
      } catch (error) {
        if (!(error instanceof ReplayStoppedError)) throw error;
        stopped = error;
        outcomes = error.outcomes;
      }
    } else {
      for (const letter of files?.letters ?? []) {
        const outcome = await replayer.replay(letter);
        outcomes.push(outcome);
        show(outcome);
      }
    }
  } finally {
    queue?.close();
    await runtime?.close();
  }
  const run = { dryRun, ...(runtime ? { ledger: runtime.connection.description } : {}) };
  if (values.json)
    output.out(
      JSON.stringify(
        {
          source,
          ...(dryRun ? { dryRun: true } : {}),
          messages: outcomes,
          ...(stopped ? { stopped: stopped.message } : {}),
        },
        null,
        2,
      ),
    );
  else if (stopped === undefined || outcomes.length > 0)
    output.out(describeReplay(outcomes, source, run));
  if (stopped !== undefined) {
    output.err(escapeLines(`steward replay: stopped: ${stopped.message}`));
    return outcomes.length === 0 ? 2 : 1;
  }
  if ((files?.unreadable ?? 0) > 0) return 2;
  return outcomes.every((outcome) => isDone(outcome, fromQueue)) ? 0 : 1;
}
