import { FACTS_SESSION, type ClientPool } from './client-pool.js';
import { forEachConcurrently, mapWithConcurrency } from './concurrency.js';
import { messageOf } from './errors.js';
import { ResourceStates } from './actions/origin-state.js';
import { executeAction, type ExecutionContext } from './execute-action.js';
import type { Ledger } from './ledger/ledger.js';
import type { ClaimOwner } from './ledger/owner.js';
import type {
  ActionReport,
  EventReport,
  MatchReport,
  ObjectReport,
  PipelineError,
  PipelineReport,
} from './report.js';
import type { CompiledRule } from './rules/rule.js';
import type { RuleIndex } from './rules/rule-index.js';
import {
  decodeDocument,
  isSourceError,
  streamCloudTrailObject,
  type SourceTrust,
} from './sources/index.js';
import type { DecodedBatch, S3ObjectRef, StewardEvent } from './sources/steward-event.js';

export type * from './report.js';
export { mustRedeliver } from './report.js';

export interface PipelineContext {
  ruleIndex: RuleIndex;
  ledger: Ledger;
  /** Clients for the account and region of each event; the function's own for S3 reads. */
  clients: ClientPool;
  /** Enforced rules execute their actions only when live; otherwise every action is a dry run. */
  live: boolean;
  /** Read the CloudTrail log files S3 notifications name (needs S3), or only report them. */
  readObjects: boolean;
  /** Lazy fact values to use instead of AWS calls (`steward run --facts`). */
  factStubs?: Readonly<Record<string, unknown>>;
  /**
   * Time left in the invocation (Lambda's `getRemainingTimeInMillis`): no claim is taken and no
   * retry starts after it, and claims' leases end with it. Absent outside Lambda.
   */
  remainingTimeMs?: () => number;
  /** Recorded with claims outside Lambda, so a later process can take over those of a dead one. */
  owner?: ClaimOwner;
  /** How long a delivery waits for a concurrent one's outcome (default 5 s). */
  inProgressWaitMs?: number;
  /** How long audit findings are kept (default 365 days). */
  findingRetentionDays?: number;
  /** The log groups believed as CloudTrail's (`STEWARD_CLOUDTRAIL_LOG_GROUPS`); none when absent. */
  trust?: SourceTrust;
}

/** Retries stop this long before the invocation would time out, to leave time to record outcomes. */
const deadlineMarginMs = 3_000;
/**
 * A claim's lease outlasts its invocation by this much: enough for a completion in flight to
 * land, far less than the minute before Lambda's first retry.
 */
const leaseMarginMs = 10_000;
/** Outside Lambda, how long one action may spend retrying. */
const defaultTimeBudgetMs = 60_000;

/** How many events are in flight at once: enough to overlap ledger round trips, few enough to bound memory. */
const eventConcurrency = 16;

/** A log file with many bad records reports this many of them, then how many more there were. */
const inputErrorsPerObject = 100;

/**
 * The one path every event takes: decode, select candidate rules, evaluate, plan actions,
 * claim each in the ledger, execute or dry-run, record the outcome. The Lambda handlers call
 * this with what AWS delivered, which is believed as CloudTrail only from the channels AWS
 * alone writes (see `decodeDocument`); the CLI decodes its files itself and calls
 * `processBatch`.
 *
 * @example
 * const report = await runPipeline(JSON.parse(text), 'events/ec2-running.json', context);
 * console.log(report.events[0]?.matches);
 */
export async function runPipeline(
  input: unknown,
  where: string,
  context: PipelineContext,
): Promise<PipelineReport> {
  let batch: DecodedBatch;
  try {
    batch = decodeDocument(input, where, { trust: context.trust, origin: 'aws' });
  } catch (error) {
    batch = { events: [], objects: [], errors: [{ message: messageOf(error), where }] };
  }
  return processBatch(batch, context);
}

/**
 * The pipeline from an already decoded batch on. Never rejects: each event, and each step of
 * it, fails alone, with its error in the report, and the other events go on.
 */
export async function processBatch(
  batch: DecodedBatch,
  context: PipelineContext,
): Promise<PipelineReport> {
  const errors: PipelineError[] = batch.errors.map((error) => ({ ...error, kind: 'input' }));
  const execution = executionContext(context);
  const events = await mapWithConcurrency(batch.events, eventConcurrency, async (event) => {
    const { report, problems } = await processEvent(event, context, execution);
    errors.push(...problems);
    return report;
  });
  const objects: ObjectReport[] = [];
  for (const object of batch.objects) {
    if (!context.readObjects) {
      objects.push({ ...object, read: false });
      continue;
    }
    const read = await processObject(object, context, execution, errors);
    objects.push(read.summary);
    for (const report of read.events) events.push(report);
  }
  return { events, errors, objects };
}

function executionContext(context: PipelineContext): ExecutionContext {
  const remaining = context.remainingTimeMs?.();
  const now = Date.now();
  return {
    ledger: context.ledger,
    clients: context.clients,
    live: context.live,
    deadline:
      remaining === undefined
        ? () => Date.now() + defaultTimeBudgetMs
        : () => now + remaining - deadlineMarginMs,
    leaseUntil: remaining === undefined ? undefined : now + remaining + leaseMarginMs,
    owner: context.owner,
    inProgressWaitMs: context.inProgressWaitMs ?? 5_000,
    findingRetentionDays: context.findingRetentionDays ?? 365,
  };
}

/**
 * Every record of one CloudTrail log file through the pipeline, at the pace the file is read.
 * Only the events that matched a rule or met a problem are kept in the report; the others are
 * counted.
 */
async function processObject(
  object: S3ObjectRef,
  context: PipelineContext,
  execution: ExecutionContext,
  errors: PipelineError[],
): Promise<{ summary: ObjectReport; events: EventReport[] }> {
  const where = `s3://${object.bucket}/${object.key}`;
  const kept: { at: number; report: EventReport }[] = [];
  let records = 0;
  let unmatched = 0;
  let badRecords = 0;
  try {
    const stream = streamCloudTrailObject(object, await context.clients.home.s3());
    await forEachConcurrently(stream, eventConcurrency, async (record) => {
      const at = records++;
      if (isSourceError(record)) {
        badRecords += 1;
        if (badRecords <= inputErrorsPerObject) errors.push({ ...record, kind: 'input' });
        return;
      }
      const { report, problems } = await processEvent(record, context, execution);
      errors.push(...problems);
      if (report.matches.length === 0 && problems.length === 0) unmatched += 1;
      else kept.push({ at, report });
    });
  } catch (error) {
    errors.push({ kind: 'input', message: `reading stopped: ${messageOf(error)}`, where });
  }
  if (badRecords > inputErrorsPerObject)
    errors.push({
      kind: 'input',
      message: `${badRecords - inputErrorsPerObject} more records could not be decoded`,
      where,
    });
  kept.sort((a, b) => a.at - b.at);
  return {
    summary: { ...object, read: true, records, unmatched },
    events: kept.map(({ report }) => report),
  };
}

/**
 * One event through evaluation and its actions. Never throws: what goes wrong is a problem of
 * this event (or of one rule or action of it), and whatever could still be done was.
 */
async function processEvent(
  event: StewardEvent,
  context: PipelineContext,
  execution: ExecutionContext,
): Promise<{ report: EventReport; problems: PipelineError[] }> {
  const problems: PipelineError[] = [];
  const matches: MatchReport[] = [];
  const where = `event ${event.id}`;
  try {
    const verdicts = await context.ruleIndex.match(event, {
      clients: context.clients.for(event.account, event.region, FACTS_SESSION),
      stubs: context.factStubs,
    });
    const firing: CompiledRule[] = [];
    for (const verdict of verdicts) {
      if (verdict.error !== undefined)
        problems.push({
          kind: 'evaluation',
          message: `rule ${verdict.rule.id} could not be evaluated: ${verdict.error}`,
          where,
          ...(verdict.transient ? { transient: true } : {}),
        });
      else if (verdict.fires) firing.push(verdict.rule);
    }
    const staleness = firing.length > 0 ? await stalenessOf(event, context.ledger) : {};
    if ('unavailable' in staleness) {
      problems.push({
        kind: 'unknown-outcome',
        message: `nothing was claimed: the ledger could not record the event's time (${staleness.unavailable}); the next delivery tries again`,
        where,
      });
      for (const rule of firing) matches.push({ rule: rule.id, actions: [] });
    } else {
      for (const rule of firing)
        matches.push(await processMatch(event, rule, staleness.stale, execution, problems));
    }
  } catch (error) {
    problems.push({ kind: 'internal', message: `processing stopped: ${messageOf(error)}`, where });
  }
  return {
    report: {
      id: event.id,
      ...(event.idDerived ? { idDerived: true } : {}),
      source: event.source,
      name: event.name,
      resources: event.resources,
      matches,
    },
    problems,
  };
}

/**
 * A firing rule's actions, one per target resource, in the rule's order; the states of the
 * resources they act from are read once for all of them.
 */
async function processMatch(
  event: StewardEvent,
  rule: CompiledRule,
  staleReason: string | undefined,
  execution: ExecutionContext,
  problems: PipelineError[],
): Promise<MatchReport> {
  const actions: ActionReport[] = [];
  const states = new ResourceStates();
  for (const planned of rule.actions) {
    let resources: string[];
    try {
      resources = planned.definition.targets(event, planned.params);
    } catch (error) {
      problems.push({
        kind: 'evaluation',
        message: `rule ${rule.id}: the targets of ${planned.definition.name} could not be found: ${messageOf(error)}`,
        where: `event ${event.id}`,
      });
      continue;
    }
    for (const resource of resources) {
      const { report, problem } = await executeAction(
        { event, rule, planned, resource, earlier: actions, staleReason, states },
        execution,
      );
      actions.push(report);
      if (problem) problems.push(problem);
    }
  }
  return { rule: rule.id, actions };
}

/**
 * EventBridge does not deliver in order: a state change older than one already seen for the
 * instance is stale, and acting on it would undo what the newer one caused. When the ledger
 * cannot tell, nothing of the event may act.
 */
async function stalenessOf(
  event: StewardEvent,
  ledger: Ledger,
): Promise<{ stale?: string } | { unavailable: string }> {
  const instance = event.source === 'ec2-state' ? event.resources[0] : undefined;
  if (instance === undefined) return {};
  try {
    const verdict = await ledger.guards.observe(
      instance,
      event.time,
      event.id,
      ledger.retentionDays,
    );
    return verdict.allowed ? {} : { stale: verdict.reason };
  } catch (error) {
    return { unavailable: messageOf(error) };
  }
}
