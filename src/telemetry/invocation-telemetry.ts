import { messageOf } from '../errors.js';
import type { ActionRequest, ActionResult } from '../execution/request.js';
import type { EventReport, PipelineError, PipelineReport } from '../report.js';
import type { StewardEvent } from '../sources/steward-event.js';
import { emfDocuments } from './emf.js';
import {
  actionOutcomeFields,
  errorFields,
  outcomeLevel,
  roundedMs,
  type HomePlace,
} from './log-lines.js';
import { logLevels, type FunctionLogger } from './logger.js';
import { MetricTally } from './metric-tally.js';
import { actionStatuses, logMessages } from './names.js';
import type { PipelineObserver } from './observer.js';
import type { LineSink } from './sink.js';

/** Error lines one invocation writes; the others are counted in its summary line. */
export const errorLinesPerInvocation = 100;

/** What one invocation's telemetry writes with, and where. */
export interface InvocationOptions {
  /** The function's name in serverless.yml: the `Function` dimension. */
  functionName: string;
  /** The function's logger, its context already added for this invocation. */
  logger: FunctionLogger;
  /** Where the metric documents go (the logger has its own). */
  sink: LineSink;
  /** The metrics' CloudWatch namespace; no metrics are written without one. */
  namespace?: string;
  /** The function's account and region, for an event that names none. */
  home: HomePlace;
  /** The clock the metric documents are stamped with. */
  now?: () => number;
}

/** What the invocation's end adds to its summary and DEBUG lines. */
export interface InvocationEnd {
  /** The DEBUG line's report; by default the batches the pipeline told. */
  report?: unknown;
  /** Fields of the summary line beside the counts. */
  fields?: Record<string, unknown>;
}

/**
 * One invocation's logs and metrics: told by the pipeline as it goes, it writes a line per
 * action outcome and per error at once, counts the metrics, and at `end` writes the summary
 * line, the full report at DEBUG, and the metrics as embedded-metric-format documents. Nothing
 * it does calls AWS or throws.
 *
 * @example
 * const telemetry = new InvocationTelemetry({ functionName: 'ec2State', logger, sink, home });
 * const report = await runPipeline(event, where, { ...runtime, observer: telemetry });
 * telemetry.end();
 */
export class InvocationTelemetry implements PipelineObserver {
  private readonly tally = new MetricTally();
  private readonly function: { Function: string };
  /** The action each action problem came from, so its error line can name rule and action. */
  private readonly actionOf = new WeakMap<PipelineError, ActionRequest>();
  private readonly batches: PipelineReport[] = [];
  private readonly eventsBySource = new Map<string, number>();
  private errors = 0;
  private readonly started: number;

  constructor(private readonly options: InvocationOptions) {
    this.function = { Function: options.functionName };
    this.started = performance.now();
  }

  inputError(error: PipelineError): void {
    this.tally.add('DecodeErrors', this.function);
    this.logError(error, {});
  }

  actionDone(request: ActionRequest, result: ActionResult, elapsedMs: number): void {
    const { report } = result;
    this.tally.add('Actions', { Rule: request.rule.id, Status: report.status });
    this.tally.add('ActionLatency', { Action: report.action }, roundedMs(elapsedMs));
    const fields = actionOutcomeFields(request, result, elapsedMs, this.options.home);
    this.options.logger[outcomeLevel(report.status)](logMessages.actionOutcome, fields);
    if (result.problem !== undefined) this.actionOf.set(result.problem, request);
  }

  eventDone(event: StewardEvent, report: EventReport, problems: readonly PipelineError[]): void {
    // Counted by source here and tallied at the end: most events end here, and cheaply.
    this.eventsBySource.set(event.source, (this.eventsBySource.get(event.source) ?? 0) + 1);
    for (const match of report.matches) this.tally.add('Matches', { Rule: match.rule });
    for (const problem of problems) {
      if (problem.kind === 'evaluation') this.tally.add('EvaluationErrors', this.function);
      this.logError(problem, { eventId: event.id, request: this.actionOf.get(problem) });
    }
  }

  batchDone(report: PipelineReport): void {
    // Kept for the DEBUG line alone: at INFO, a sweep's chunks are not held.
    if (this.options.logger.level <= logLevels.DEBUG) this.batches.push(report);
  }

  /** One ledger (DynamoDB) call's time. */
  ledgerCall(elapsedMs: number): void {
    this.tally.add('LedgerLatency', this.function, roundedMs(elapsedMs));
  }

  /**
   * An error that ended the invocation and no line told yet: input that is not the function's
   * (a decode error), or anything else (`internal`).
   */
  invocationFailed(error: unknown, kind: 'input' | 'internal', where: string): void {
    if (kind === 'input') this.tally.add('DecodeErrors', this.function);
    this.logError({ kind, message: messageOf(error), where }, {});
  }

  /** The summary line, the DEBUG report, and the metrics: once, as the invocation ends. */
  end({ report, fields }: InvocationEnd = {}): void {
    const { logger } = this.options;
    for (const [source, count] of this.eventsBySource)
      this.tally.add('EventsReceived', { ...this.function, Source: source }, count);
    this.eventsBySource.clear();
    logger.info(logMessages.summary, { ...fields, ...this.summary() });
    if (logger.level <= logLevels.DEBUG)
      logger.debug(logMessages.report, {
        report: report ?? (this.batches.length === 1 ? this.batches[0] : this.batches),
      });
    this.writeMetrics();
  }

  private logError(error: PipelineError, known: Parameters<typeof errorFields>[1]): void {
    this.errors += 1;
    if (this.errors <= errorLinesPerInvocation)
      this.options.logger.error(logMessages.error, errorFields(error, known));
  }

  private summary(): Record<string, unknown> {
    const actions: Record<string, number> = {};
    for (const status of actionStatuses) {
      const count = this.tally.total('Actions', (dimensions) => dimensions.Status === status);
      if (count > 0) actions[status] = count;
    }
    return {
      events: this.tally.total('EventsReceived'),
      matches: this.tally.total('Matches'),
      actions,
      decodeErrors: this.tally.total('DecodeErrors'),
      evaluationErrors: this.tally.total('EvaluationErrors'),
      errors: this.errors,
      ...(this.errors > errorLinesPerInvocation
        ? { errorsNotLogged: this.errors - errorLinesPerInvocation }
        : {}),
      ledgerCalls: this.tally.total('LedgerLatency'),
      durationMs: roundedMs(performance.now() - this.started),
    };
  }

  private writeMetrics(): void {
    const { namespace, sink, now = Date.now } = this.options;
    if (namespace === undefined) return;
    // Written every invocation, zero included, so an alarm on them sees data, not its absence.
    this.tally.add('DecodeErrors', this.function, 0);
    this.tally.add('EvaluationErrors', this.function, 0);
    try {
      for (const document of emfDocuments(namespace, this.tally.entries(), now()))
        sink(JSON.stringify(document));
    } catch (error) {
      this.logError(
        { kind: 'internal', message: `metrics not written: ${messageOf(error)}`, where: 'metrics' },
        {},
      );
    }
  }
}
