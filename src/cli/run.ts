import { parseArgs } from 'node:util';
import {
  planBatch,
  processBatch,
  type EvaluationContext,
  type PipelineReport,
} from '../pipeline.js';
import { loadRules } from '../rules/load.js';
import { defaultRulesDir } from '../rules/rules-dir.js';
import { createEvaluation, createRuntime, type Runtime } from '../runtime.js';
import type { DecodedBatch } from '../sources/steward-event.js';
import { escapeControls, escapeLines } from './escape.js';
import { sidecarFactsFor } from './fact-sidecar.js';
import {
  findRunInputs,
  readEventFile,
  readFactStubs,
  readStdinEvents,
  STDIN_NAME,
  type RunInput,
} from './input-files.js';
import { UsageError, type Output } from './output.js';
import { Progress, type ProgressSink } from './progress.js';
import { RunSummary } from './run-summary.js';
import { describeEvents, runFooter } from './run-text.js';
import { usages } from './usages.js';

/** How often a terminal's progress line is redrawn, and a forced one printed as a line. */
const redrawMs = 200;
const lineMs = 1_000;
/** A run shorter than this shows no progress on a terminal. */
const progressDelayMs = 1_000;

/** The progress of a run: drawn in place on a terminal (after a second), as lines with `--progress`. */
function progressFor(
  output: Output,
  inputs: readonly RunInput[],
  forced: boolean,
): Progress | undefined {
  const { terminal } = output;
  let sink: ProgressSink;
  if (terminal !== undefined) {
    const width = Math.max(20, terminal.columns - 1);
    sink = {
      kind: 'redraw',
      draw: (text) => terminal.write(`\r\u001b[K${text.slice(0, width)}`),
      clear: () => terminal.write('\r\u001b[K'),
    };
  } else if (forced) sink = { kind: 'lines', line: (text) => output.err(text) };
  else return undefined;
  return new Progress(
    inputs.map((input) => ({
      name: input.kind === 'file' ? input.path : STDIN_NAME,
      ...(input.kind === 'file' ? { bytes: input.bytes } : {}),
    })),
    {
      sink,
      delayMs: forced ? 0 : progressDelayMs,
      intervalMs: sink.kind === 'redraw' ? redrawMs : lineMs,
    },
  );
}

/** One input decoded, with its size when it was only known once read (stdin). */
async function readInput(
  input: RunInput,
  output: Output,
): Promise<{ batch: DecodedBatch; bytes?: number }> {
  if (input.kind === 'file') return { batch: await readEventFile(input.path) };
  if (output.stdin === undefined) throw new UsageError(`${STDIN_NAME}: not available here`);
  return readStdinEvents(output.stdin());
}

/**
 * `steward run`: event files, directories of them and standard input through the same pipeline
 * the Lambda handlers run, or, with `--what-if`, through its evaluation with every action only
 * planned and the ledger left alone. Prints each input's events (`--matches-only`: those a
 * rule matched; `--quiet`: none), then a summary; `--json` prints the report instead. Exit 0
 * when every event was processed, 1 when an event or action failed, 2 when an input cannot be
 * read or holds no supported shape (after running the others).
 *
 * @example
 * await runCommand(['events/', '--what-if', '--quiet'], processOutput);
 */
export async function runCommand(args: string[], output: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      rules: { type: 'string' },
      facts: { type: 'string' },
      json: { type: 'boolean' },
      live: { type: 'boolean' },
      quiet: { type: 'boolean', short: 'q' },
      'matches-only': { type: 'boolean' },
      'what-if': { type: 'boolean' },
      progress: { type: 'boolean' },
    },
  });
  if (positionals.length === 0) throw new UsageError(`usage: ${usages.run}`);
  const shaping = (['quiet', 'matches-only'] as const).filter((name) => values[name]);
  if (values.json && shaping.length > 0)
    throw new UsageError(
      `--json prints the whole report; --${shaping[0]} shapes the text output: use one or the other`,
    );
  const started = performance.now();
  const inputs = await findRunInputs(positionals);
  const givenFacts = values.facts === undefined ? undefined : await readFactStubs(values.facts);
  const whatIf = values['what-if'] === true;
  const options = {
    rules: () => loadRules(values.rules ?? defaultRulesDir()),
    ...(values.live ? { live: true, readObjects: true } : { live: false }),
  };
  const progress = progressFor(output, inputs, values.progress === true);
  const summary = new RunSummary();
  const merged: PipelineReport = { events: [], errors: [], objects: [] };
  let runtime: Runtime | undefined;
  let evaluation: EvaluationContext | undefined;
  let unreadable = 0;
  let failed = false;
  try {
    for (const [index, input] of inputs.entries()) {
      progress?.startInput(index);
      let read: { batch: DecodedBatch; bytes?: number };
      try {
        read = await readInput(input, output);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        progress?.pause();
        output.err(escapeLines(`steward run: ${error.message}`));
        const where = input.kind === 'file' ? input.path : STDIN_NAME;
        const message = error.message.startsWith(`${where}: `)
          ? error.message.slice(where.length + 2)
          : error.message;
        merged.errors.push({ kind: 'input', message, where });
        summary.addUnreadable();
        unreadable += 1;
        continue;
      }
      progress?.setTotal(read.batch.events.length, read.bytes);
      const onEvent = () => progress?.tick();
      // Without --facts, a file's sidecar answers its lazy facts when there are no credentials.
      const factsFor = async (context: EvaluationContext) => {
        if (givenFacts !== undefined || input.kind !== 'file') return givenFacts;
        progress?.pause();
        return (await sidecarFactsFor(input.path, context.clients.home, output))?.facts;
      };
      // Made once the first input is read: a run on inputs that cannot be read needs neither.
      let report: PipelineReport;
      if (whatIf) {
        evaluation ??= await createEvaluation(options);
        const factStubs = await factsFor(evaluation);
        report = await planBatch(read.batch, { ...evaluation, factStubs, onEvent });
      } else {
        runtime ??= await createRuntime(options);
        const factStubs = await factsFor(runtime);
        report = await processBatch(read.batch, { ...runtime, factStubs, onEvent });
      }
      progress?.pause();
      summary.add(report);
      failed ||= report.errors.length > 0;
      if (values.json) {
        merged.events.push(...report.events);
        merged.errors.push(...report.errors);
        merged.objects.push(...report.objects);
      } else if (!values.quiet) {
        const text = describeEvents(report, { matchesOnly: values['matches-only'] === true });
        if (text !== '') output.out(text);
      }
      for (const error of report.errors)
        output.err(escapeControls(`${error.where}: ${error.message}`));
    }
  } finally {
    progress?.end();
    await runtime?.close();
  }
  if (unreadable === inputs.length) return 2;
  if (values.json)
    output.out(JSON.stringify(whatIf ? { ...merged, whatIf: true } : merged, null, 2));
  else {
    output.out(summary.describe(performance.now() - started));
    output.out(
      runFooter({
        live: options.live,
        whatIf,
        ledger: runtime?.connection.description,
      }),
    );
  }
  return unreadable > 0 ? 2 : failed ? 1 : 0;
}
