import type { ActionOutcome, ActionContext } from './actions/action.js';
import type { AwsClients } from './aws-clients.js';
import { mapWithConcurrency } from './concurrency.js';
import type { LedgerMode, LedgerStatus } from './ledger/entry.js';
import type { Ledger } from './ledger/ledger.js';
import { evaluateRules } from './rules/evaluate.js';
import type { CompiledRule, PlannedAction } from './rules/rule.js';
import type { RuleIndex } from './rules/rule-index.js';
import { decodeDocument } from './sources/index.js';
import { readCloudTrailObjects } from './sources/cloudtrail-log-file.js';
import type {
  DecodedBatch,
  S3ObjectRef,
  SourceError,
  StewardEvent,
} from './sources/steward-event.js';

export type ActionStatus = Exclude<LedgerStatus, 'claimed'> | 'duplicate' | 'in-progress';

export interface ActionReport {
  action: string;
  resource: string;
  status: ActionStatus;
  key: string;
  mode: LedgerMode;
  detail?: string;
  /** For a duplicate: the outcome the ledger already held. */
  stored?: LedgerStatus;
}

export interface MatchReport {
  rule: string;
  actions: ActionReport[];
}

export interface EventReport {
  id: string;
  source: StewardEvent['source'];
  name: string;
  resources: string[];
  matches: MatchReport[];
}

/**
 * Something that kept an event or an action from completing. `input`: the event could not be
 * decoded; `evaluation`: a rule could not be evaluated; `action`: an action failed and the
 * failure is recorded; `unknown-outcome`: nobody knows yet whether the action ran.
 */
export interface PipelineError extends SourceError {
  kind: 'input' | 'evaluation' | 'action' | 'unknown-outcome';
}

export interface PipelineReport {
  events: EventReport[];
  errors: PipelineError[];
  /** CloudTrail log files an S3 notification named, and whether they were read. */
  objects: (S3ObjectRef & { read: boolean })[];
}

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
}

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
  const reports = await mapWithConcurrency(events, eventConcurrency, (event) =>
    processEvent(event, context, errors),
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
  errors: PipelineError[],
): Promise<EventReport> {
  const verdicts = await evaluateRules(event, context.ruleIndex.candidates(event), {
    clients: context.clients,
    stubs: context.factStubs,
  });
  const matches: MatchReport[] = [];
  for (const verdict of verdicts) {
    if (verdict.error !== undefined) {
      errors.push({
        kind: 'evaluation',
        message: `rule ${verdict.rule.id} could not be evaluated: ${verdict.error}`,
        where: `event ${event.id}`,
      });
      continue;
    }
    if (!verdict.fires) continue;
    const actions: ActionReport[] = [];
    for (const planned of verdict.rule.actions) {
      for (const resource of planned.definition.targets(event, planned.params)) {
        actions.push(
          await runAction(event, verdict.rule, planned, resource, actions, context, errors),
        );
      }
    }
    matches.push({ rule: verdict.rule.id, actions });
  }
  return {
    id: event.id,
    source: event.source,
    name: event.name,
    resources: event.resources,
    matches,
  };
}

async function runAction(
  event: StewardEvent,
  rule: CompiledRule,
  planned: PlannedAction,
  resource: string,
  earlier: readonly ActionReport[],
  context: PipelineContext,
  errors: PipelineError[],
): Promise<ActionReport> {
  const mode: LedgerMode = rule.mode === 'enforce' && context.live ? 'enforce' : 'dry-run';
  const action = planned.definition.name;
  const where = `event ${event.id}, rule ${rule.id}, action ${action} on ${resource}`;
  let claim;
  try {
    claim = await context.ledger.claim({
      mode,
      eventId: event.id,
      ruleId: rule.id,
      action,
      resource,
      source: event.source,
      eventName: event.name,
      eventTime: event.time,
      severity: rule.document.severity,
      actor: event.actor?.arn ?? event.actor?.invokedBy,
    });
  } catch (error) {
    errors.push({
      kind: 'unknown-outcome',
      message: `the ledger could not be written: ${messageOf(error)}`,
      where,
    });
    return { action, resource, status: 'in-progress', key: '', mode };
  }
  const report = { action, resource, key: claim.key, mode };
  const actionContext: ActionContext = {
    event,
    rule: {
      id: rule.id,
      severity: rule.document.severity,
      kind: rule.document.kind,
      description: rule.document.description,
    },
    resource,
    params: planned.params,
    clients: context.clients,
    key: claim.key,
    earlier,
  };
  if (claim.kind === 'duplicate') {
    return {
      ...report,
      status: 'duplicate',
      stored: claim.entry.status,
      detail: claim.entry.detail,
    };
  }
  if (claim.kind === 'in-progress') {
    errors.push({
      kind: 'unknown-outcome',
      message: 'another invocation holds this action and has not recorded its outcome yet',
      where,
    });
    return { ...report, status: 'in-progress', stored: 'claimed' };
  }
  let outcome: ActionOutcome | { status: 'planned' | 'failed'; detail: string; error?: string };
  if (mode === 'dry-run') {
    outcome = { status: 'planned', detail: `would ${planned.definition.describe(actionContext)}` };
  } else {
    try {
      outcome = await planned.definition.execute(actionContext);
    } catch (error) {
      outcome = {
        status: 'failed',
        detail: `${action} failed on ${resource}: ${messageOf(error)}`,
        error: messageOf(error),
      };
      errors.push({ kind: 'action', message: outcome.detail, where });
    }
  }
  try {
    await context.ledger.complete(claim, outcome);
  } catch (error) {
    errors.push({
      kind: 'unknown-outcome',
      message: `the outcome could not be recorded: ${messageOf(error)}`,
      where,
    });
  }
  return { ...report, status: outcome.status, detail: outcome.detail };
}

function messageOf(error: unknown): string {
  return error instanceof Error
    ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
    : String(error);
}
