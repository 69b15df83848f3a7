/**
 * A rule's sweep: in each target (account, region), the resources its schedule triggers query,
 * page by page, as events through the same pipeline as any other (`processBatch`, or
 * `planBatch` for a what-if), a bounded chunk at a time, so memory does not grow with the
 * number of resources. One target failing is an error of the summary; the others go on.
 */
import { FACTS_SESSION } from '../client-pool.js';
import { messageOf } from '../errors.js';
import {
  mustRedeliver,
  planBatch,
  processBatch,
  type ActionStatus,
  type EvaluationContext,
  type PipelineContext,
  type PipelineError,
  type PipelineReport,
} from '../pipeline.js';
import type { RetryOptions } from '../retry.js';
import type { SweepResourceKind } from '../rules/rule.js';
import type { StewardEvent } from '../sources/steward-event.js';
import { periodStart } from './period.js';
import { sweepEvent } from './sweep-event.js';
import { sweepableRule, type SweepPlan } from './sweep-rule.js';
import type { SweepTarget } from './targets.js';

/** Events handed to the pipeline at once: several times its concurrency, a bounded memory. */
const defaultChunkSize = 200;
/** Errors a summary lists; the rest are counted. */
const errorsKept = 100;

/** How a sweep acts: through the ledger, or only planned (a what-if, no ledger at all). */
export type SweepPipeline =
  { whatIf: false; context: PipelineContext } | { whatIf: true; context: EvaluationContext };

/** What to sweep, where and when. */
export interface SweepRequest {
  /** The id of a rule with a schedule trigger. */
  rule: string;
  /** Only the triggers on this schedule (as EventBridge takes it); all of the rule's by default. */
  schedule?: string;
  targets: readonly SweepTarget[];
  /** When the sweep runs, which decides its periods; now by default. */
  now?: Date;
  /** Events per pipeline batch (default 200). */
  chunkSize?: number;
  /** Resources per describe page, where the API takes a page size (default: the API's). */
  pageSize?: number;
  /** How a describe call AWS throttles or fails is retried (see `ListOptions`). */
  retries?: Partial<RetryOptions>;
  /** Told after each chunk, and as each target ends. */
  onProgress?: (progress: SweepProgress) => void;
  /** Time left to the caller (Lambda's); the sweep stops taking chunks when it runs short. */
  remainingTimeMs?: () => number;
}

/** Where a sweep is, for a progress line. */
export interface SweepProgress {
  target: SweepTarget;
  kind: SweepResourceKind;
  /** Resources seen so far in this target. */
  resources: number;
  /** Resources seen so far in the whole sweep, and matches. */
  total: { resources: number; matches: number };
  /** True once the target is done (or failed). */
  done: boolean;
}

/** A problem of a sweep: one event's (as the pipeline reports it) or one target's describe. */
export interface SweepError {
  kind: PipelineError['kind'] | 'describe' | 'out-of-time';
  message: string;
  where: string;
  transient?: boolean;
}

/** One target's part of a sweep. */
export interface TargetSummary extends SweepTarget {
  kind: SweepResourceKind;
  periodStart: string;
  resources: number;
  matches: number;
  /** Why describing stopped early; the resources seen before were processed. */
  failed?: string;
}

/** What a sweep did. */
export interface SweepSummary {
  rule: string;
  whatIf: boolean;
  /** ISO 8601: when the sweep ran. */
  time: string;
  targets: TargetSummary[];
  /** Resources described, in every target. */
  resources: number;
  /** Resources the rule fired on. */
  matches: number;
  /** Actions by status: `planned` in a what-if, `succeeded`, `duplicate`, `failed`… otherwise. */
  actions: Partial<Record<ActionStatus, number>>;
  /** AWS calls the listings made, by operation (`DescribeInstances`: 3). */
  describeCalls: Record<string, number>;
  /** Milliseconds spent waiting on the listings: the rest of the sweep's time is steward's. */
  describeMs: number;
  /** The first problems; `moreErrors` counts the rest. */
  errors: SweepError[];
  moreErrors?: number;
}

/** Short of this, a sweep in Lambda takes no new chunk: what is left, the next sweep sees. */
const stopMarginMs = 30_000;

/**
 * Sweeps one rule in every target. Throws `SweepRuleError` before any AWS call when the rule
 * is unknown or cannot be swept; anything AWS does is in the summary.
 *
 * @example
 * const summary = await runSweep(
 *   { rule: 'sweep-instances-without-owner', targets: [{ account: '123456789012', region: 'us-east-1' }] },
 *   { whatIf: false, context: runtime },
 * );
 * summary.actions.succeeded; // 40
 */
export async function runSweep(
  request: SweepRequest,
  pipeline: SweepPipeline,
): Promise<SweepSummary> {
  const { rule, plans } = sweepableRule(
    pipeline.context.ruleIndex.rules,
    request.rule,
    request.schedule,
  );
  const now = request.now ?? new Date();
  const tally = new SweepTally(rule.id, pipeline.whatIf, now.toISOString());
  for (const target of request.targets)
    for (const plan of plans) {
      if (tally.outOfTime(request)) return tally.summary();
      await sweepTarget(request, pipeline, target, plan, tally, now);
    }
  return tally.summary();
}

/** One trigger's query in one target, chunk by chunk, the next chunk described while the last is processed. */
async function sweepTarget(
  request: SweepRequest,
  pipeline: SweepPipeline,
  target: SweepTarget,
  plan: SweepPlan,
  tally: SweepTally,
  now: Date,
): Promise<void> {
  const { query, trigger } = plan;
  const part: TargetSummary = {
    ...target,
    kind: query.kind,
    periodStart: periodStart(now, plan.periodMs),
    resources: 0,
    matches: 0,
  };
  tally.targets.push(part);
  const scope = { ...target, rule: tally.rule, time: tally.time, periodStart: part.periodStart };
  const clients = pipeline.context.clients.for(target.account, target.region, FACTS_SESSION);
  const chunkSize = request.chunkSize ?? defaultChunkSize;
  const progress = (done: boolean) =>
    request.onProgress?.({
      target,
      kind: query.kind,
      resources: part.resources,
      total: { resources: tally.resources, matches: tally.matches },
      done,
    });
  let inFlight: Promise<void> | undefined;
  const processChunk = async (events: StewardEvent[]) => {
    const report = pipeline.whatIf
      ? await planBatch(batchOf(events), pipeline.context)
      : await processBatch(batchOf(events), pipeline.context);
    part.matches += tally.add(report);
    progress(false);
  };
  let chunk: StewardEvent[] = [];
  try {
    const found = timed(
      query.list(clients, trigger.filters, {
        onCall: (operation) => tally.call(operation),
        ...(request.pageSize === undefined ? {} : { pageSize: request.pageSize }),
        ...(request.retries === undefined ? {} : { retries: request.retries }),
      }),
      (ms) => (tally.describeMs += ms),
    );
    for await (const resource of found) {
      chunk.push(sweepEvent(query, resource, scope));
      part.resources += 1;
      tally.resources += 1;
      if (chunk.length < chunkSize) continue;
      await inFlight;
      if (tally.outOfTime(request)) {
        // Not processed: the next sweep sees these resources.
        part.resources -= chunk.length;
        tally.resources -= chunk.length;
        chunk = [];
        break;
      }
      inFlight = processChunk(chunk);
      chunk = [];
    }
  } catch (error) {
    part.failed = messageOf(error);
    tally.error({
      kind: 'describe',
      message: `describing ${query.kind} stopped: ${part.failed}`,
      where: `account ${target.account}, region ${target.region}`,
    });
  } finally {
    await inFlight;
  }
  if (chunk.length > 0) await processChunk(chunk);
  progress(true);
}

/** The items, with the time spent waiting for each told to `spent`. */
async function* timed<T>(items: AsyncIterable<T>, spent: (ms: number) => void): AsyncIterable<T> {
  const iterator = items[Symbol.asyncIterator]();
  for (;;) {
    const started = performance.now();
    let next: IteratorResult<T>;
    try {
      next = await iterator.next();
    } finally {
      spent(performance.now() - started);
    }
    if (next.done === true) return;
    yield next.value;
  }
}

function batchOf(events: StewardEvent[]) {
  return { events, objects: [], errors: [] };
}

/** The running counts of a sweep: only counts and the first errors are kept. */
class SweepTally {
  readonly targets: TargetSummary[] = [];
  resources = 0;
  matches = 0;
  describeMs = 0;
  private readonly actions: Partial<Record<ActionStatus, number>> = {};
  private readonly calls: Record<string, number> = {};
  private readonly errors: SweepError[] = [];
  private moreErrors = 0;
  private stopped = false;

  constructor(
    readonly rule: string,
    readonly whatIf: boolean,
    readonly time: string,
  ) {}

  call(operation: string): void {
    this.calls[operation] = (this.calls[operation] ?? 0) + 1;
  }

  error(error: SweepError): void {
    if (this.errors.length < errorsKept) this.errors.push(error);
    else this.moreErrors += 1;
  }

  /** Counts a chunk's report; returns its matches. */
  add(report: PipelineReport): number {
    let matches = 0;
    for (const event of report.events)
      for (const match of event.matches) {
        matches += 1;
        for (const action of match.actions)
          this.actions[action.status] = (this.actions[action.status] ?? 0) + 1;
      }
    this.matches += matches;
    for (const error of report.errors) this.error(error);
    return matches;
  }

  /** True, and said once in the errors, when the time left is too short for another chunk. */
  outOfTime(request: SweepRequest): boolean {
    if (this.stopped) return true;
    const left = request.remainingTimeMs?.();
    if (left === undefined || left > stopMarginMs) return false;
    this.stopped = true;
    this.error({
      kind: 'out-of-time',
      message: `the sweep stopped with ${Math.round(left / 1000)} s left: the resources not yet seen wait for the next sweep`,
      where: `rule ${this.rule}`,
    });
    return true;
  }

  summary(): SweepSummary {
    return {
      rule: this.rule,
      whatIf: this.whatIf,
      time: this.time,
      targets: this.targets,
      resources: this.resources,
      matches: this.matches,
      actions: this.actions,
      describeCalls: this.calls,
      describeMs: Math.round(this.describeMs),
      errors: this.errors,
      ...(this.moreErrors > 0 ? { moreErrors: this.moreErrors } : {}),
    };
  }
}

/**
 * Whether a sweep should run again: a target could not be described, it ran out of time, or an
 * event met a problem a later delivery may not (see `mustRedeliver`). Its actions' ledger
 * entries make a repeat act only where nothing was done.
 *
 * @example
 * if (sweepIncomplete(summary)) throw new SweepIncompleteError(summary);
 */
export function sweepIncomplete(summary: SweepSummary): boolean {
  return summary.errors.some((error) =>
    error.kind === 'describe' || error.kind === 'out-of-time'
      ? true
      : mustRedeliver({ ...error, kind: error.kind }),
  );
}
