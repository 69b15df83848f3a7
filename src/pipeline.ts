import type { AwsClients } from './aws-clients.js';
import { mapWithConcurrency } from './concurrency.js';
import { executeAction, type ExecutionContext } from './execute-action.js';
import type { Ledger } from './ledger/ledger.js';
import type {
  ActionReport,
  EventReport,
  MatchReport,
  PipelineError,
  PipelineReport,
} from './report.js';
import type { RuleIndex } from './rules/rule-index.js';
import { decodeDocument } from './sources/index.js';
import { readCloudTrailObjects } from './sources/cloudtrail-log-file.js';
import type { DecodedBatch, StewardEvent } from './sources/steward-event.js';

export type * from './report.js';

export interface PipelineContext {
  ruleIndex: RuleIndex;
  ledger: Ledger;
  clients: AwsClients;
  /** Enforced rules execute their actions only when live; otherwise every action is a dry run. */
  live: boolean;
  /** Read the CloudTrail log files S3 notifications name (needs S3), or only report them. */
  readObjects: boolean;
  /** Lazy fact values to use instead of AWS calls (`steward run --facts`). */
  factStubs?: Readonly<Record<string, unknown>>;
  /** Time left in the invocation (Lambda's `getRemainingTimeInMillis`); retries stop before it runs out. */
  remainingTimeMs?: () => number;
  /** How long a delivery waits for a concurrent one's outcome (default 5 s). */
  inProgressWaitMs?: number;
  /** How long audit findings are kept (default 365 days). */
  findingRetentionDays?: number;
}

/** Retries stop this long before the invocation would time out, to leave time to record outcomes. */
const deadlineMarginMs = 3_000;
const defaultTimeBudgetMs = 60_000;

/** How many events are in flight at once: enough to overlap ledger round trips, few enough to bound memory. */
const eventConcurrency = 16;

/**
 * The one path every event takes: decode, select candidate rules, evaluate, plan actions,
 * claim each in the ledger, execute or dry-run, record the outcome. The Lambda handlers and
 * the CLI both call this.
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
  const batch = decodeDocument(input, where);
  return processBatch(batch, context);
}

/** The pipeline from an already decoded batch on. */
export async function processBatch(
  batch: DecodedBatch,
  context: PipelineContext,
): Promise<PipelineReport> {
  const events = [...batch.events];
  const errors: PipelineError[] = batch.errors.map((error) => ({ ...error, kind: 'input' }));
  if (context.readObjects && batch.objects.length > 0) {
    const read = await readCloudTrailObjects(batch.objects, await context.clients.s3());
    events.push(...read.events);
    errors.push(...read.errors.map((error): PipelineError => ({ ...error, kind: 'input' })));
  }
  const execution: ExecutionContext = {
    ledger: context.ledger,
    clients: context.clients,
    live: context.live,
    deadline: Date.now() + (context.remainingTimeMs?.() ?? defaultTimeBudgetMs) - deadlineMarginMs,
    inProgressWaitMs: context.inProgressWaitMs ?? 5_000,
    findingRetentionDays: context.findingRetentionDays ?? 365,
  };
  const reports = await mapWithConcurrency(events, eventConcurrency, (event) =>
    processEvent(event, context, execution, errors),
  );
  return {
    events: reports,
    errors,
    objects: batch.objects.map((object) => ({ ...object, read: context.readObjects })),
  };
}

async function processEvent(
  event: StewardEvent,
  context: PipelineContext,
  execution: ExecutionContext,
  errors: PipelineError[],
): Promise<EventReport> {
  const verdicts = await context.ruleIndex.match(event, {
    clients: context.clients,
    stubs: context.factStubs,
  });
  const firing = verdicts.filter((verdict) => {
    if (verdict.error === undefined) return verdict.fires;
    errors.push({
      kind: 'evaluation',
      message: `rule ${verdict.rule.id} could not be evaluated: ${verdict.error}`,
      where: `event ${event.id}`,
    });
    return false;
  });
  const staleReason =
    firing.length > 0 ? await staleness(event, context.ledger, errors) : undefined;
  const matches: MatchReport[] = [];
  for (const { rule } of firing) {
    const actions: ActionReport[] = [];
    for (const planned of rule.actions) {
      for (const resource of planned.definition.targets(event, planned.params)) {
        actions.push(
          await executeAction(
            { event, rule, planned, resource, earlier: actions, staleReason },
            execution,
            errors,
          ),
        );
      }
    }
    matches.push({ rule: rule.id, actions });
  }
  return {
    id: event.id,
    ...(event.idDerived ? { idDerived: true } : {}),
    source: event.source,
    name: event.name,
    resources: event.resources,
    matches,
  };
}

/**
 * EventBridge does not deliver in order: a state change older than one already seen for the
 * instance is stale, and acting on it would undo what the newer one caused.
 */
async function staleness(
  event: StewardEvent,
  ledger: Ledger,
  errors: PipelineError[],
): Promise<string | undefined> {
  const instance = event.source === 'ec2-state' ? event.resources[0] : undefined;
  if (instance === undefined) return undefined;
  try {
    const verdict = await ledger.guards.observe(
      instance,
      event.time,
      event.id,
      ledger.retentionDays,
    );
    return verdict.allowed ? undefined : verdict.reason;
  } catch (error) {
    errors.push({
      kind: 'unknown-outcome',
      message: `the ledger could not record the event time: ${error instanceof Error ? error.message : String(error)}`,
      where: `event ${event.id}`,
    });
    return `not acted on: the ledger could not tell whether the event is stale`;
  }
}
