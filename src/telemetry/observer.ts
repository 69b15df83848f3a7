import type { ActionResult, ActionRequest } from '../execution/request.js';
import type { EventReport, PipelineError, PipelineReport } from '../report.js';
import type { StewardEvent } from '../sources/steward-event.js';

/**
 * What the pipeline tells as it goes, for logs and metrics: the Lambda handlers attach one per
 * invocation; the CLI attaches none, so its output is unchanged. Each method is called on the
 * hot path and must only count or write a line, never call AWS or throw.
 */
export interface PipelineObserver {
  /** An input error of the batch that belongs to no event (a payload or record not decoded). */
  inputError(error: PipelineError): void;
  /** One action's outcome, and how long it took from its claim to its recorded outcome. */
  actionDone(request: ActionRequest, result: ActionResult, elapsedMs: number): void;
  /** One event's processing ended: its report and the problems it met (already in the batch's errors). */
  eventDone(event: StewardEvent, report: EventReport, problems: readonly PipelineError[]): void;
  /** The batch's report, once the whole batch was processed. */
  batchDone(report: PipelineReport): void;
}

/** What an action's subsegment is annotated with: X-Ray finds traces by annotation. */
export interface ActionAnnotations {
  rule: string;
  action: string;
  eventId: string;
}

/**
 * X-Ray tracing of the pipeline, when the `tracing` deploy parameter turns it on: the handler's
 * segment, each AWS SDK client's calls, and one subsegment per action annotated with its rule,
 * action and event.
 */
export interface Tracing {
  /** The client, instrumented so its calls are subsegments. */
  captureClient<T extends object>(client: T): T;
  /**
   * Runs one action in a subsegment named after it, annotated with its rule, action and event,
   * and with its status once it returns.
   */
  action(annotations: ActionAnnotations, run: () => Promise<ActionResult>): Promise<ActionResult>;
}
