import type { ActionContext, ActionOutcome } from './actions/action.js';
import type { AwsClients } from './aws-clients.js';
import type { LedgerMode } from './ledger/entry.js';
import type { ClaimResult, Completion, Ledger } from './ledger/ledger.js';
import type { ActionReport, PipelineError } from './report.js';
import { RetriesExhaustedError, withRetries } from './retry.js';
import { parseDuration } from './rules/duration.js';
import type { CompiledRule, PlannedAction } from './rules/rule.js';
import type { StewardEvent } from './sources/steward-event.js';

/** What executing one action needs from the pipeline. */
export interface ExecutionContext {
  ledger: Ledger;
  clients: AwsClients;
  live: boolean;
  /** Epoch ms after which no retry starts. */
  deadline: number;
  /** How long a concurrent delivery waits for the claim holder's outcome before reporting it in progress. */
  inProgressWaitMs: number;
  /** How long audit findings are kept. */
  findingRetentionDays: number;
}

export interface ActionRequest {
  event: StewardEvent;
  rule: CompiledRule;
  planned: PlannedAction;
  resource: string;
  /** The rule's actions that ran before this one on this event. */
  earlier: readonly ActionReport[];
  /** Set when the event is older than one already seen for its resource. */
  staleReason?: string;
}

function messageOf(error: unknown): string {
  return error instanceof Error
    ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
    : String(error);
}

/**
 * One action, exactly once: claim it in the ledger; a duplicate returns the stored outcome
 * without calling AWS. Then a dry run records the plan; an enforced run passes the guards
 * (stale event, rate limit, cooldown), executes with retries on throttling and server errors,
 * and records the outcome. An outcome nobody can know is left claimed for the next delivery.
 */
export async function executeAction(
  request: ActionRequest,
  context: ExecutionContext,
  errors: PipelineError[],
): Promise<ActionReport> {
  const { event, rule, planned, resource } = request;
  const mode: LedgerMode = rule.mode === 'enforce' && context.live ? 'enforce' : 'dry-run';
  const action = planned.definition.name;
  const where = `event ${event.id}, rule ${rule.id}, action ${action} on ${resource}`;
  let claim: ClaimResult;
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
      retentionDays: planned.definition.recordsFindings ? context.findingRetentionDays : undefined,
    });
  } catch (error) {
    errors.push({
      kind: 'unknown-outcome',
      message: `the ledger could not be written: ${messageOf(error)}`,
      where,
    });
    return { action, resource, status: 'unknown', key: '', mode };
  }
  const report = { action, resource, key: claim.key, mode };
  if (claim.kind === 'in-progress') {
    const entry = await context.ledger.waitForOutcome(claim.key, context.inProgressWaitMs);
    if (!entry || entry.status === 'claimed') {
      errors.push({
        kind: 'unknown-outcome',
        message: 'another invocation holds this action and has not recorded its outcome yet',
        where,
      });
      return { ...report, status: 'in-progress', stored: 'claimed' };
    }
    return { ...report, status: 'duplicate', stored: entry.status, detail: entry.detail };
  }
  if (claim.kind === 'duplicate') {
    return {
      ...report,
      status: 'duplicate',
      stored: claim.entry.status,
      detail: claim.entry.detail,
    };
  }
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
    earlier: request.earlier,
  };
  const completion = await decide(request, mode, actionContext, claim, context, where, errors);
  if (completion === undefined) return { ...report, status: 'unknown' };
  if (completion.status === 'failed')
    errors.push({ kind: 'action', message: completion.detail, where });
  try {
    await context.ledger.complete(claim, completion);
  } catch (error) {
    errors.push({
      kind: 'unknown-outcome',
      message: `the outcome could not be recorded: ${messageOf(error)}`,
      where,
    });
  }
  return {
    ...report,
    status: completion.status,
    detail: completion.detail,
    ...(completion.retries ? { retries: completion.retries } : {}),
  };
}

/** The outcome to record, or undefined when it is unknown and the claim was released. */
async function decide(
  request: ActionRequest,
  mode: LedgerMode,
  actionContext: ActionContext,
  claim: { key: string; token: string },
  context: ExecutionContext,
  where: string,
  errors: PipelineError[],
): Promise<Completion | undefined> {
  const { rule, planned, resource } = request;
  if (request.staleReason !== undefined) return { status: 'skipped', detail: request.staleReason };
  if (mode === 'dry-run')
    return { status: 'planned', detail: `would ${planned.definition.describe(actionContext)}` };
  const limits = rule.document.limits;
  if (limits?.maxActionsPerHour !== undefined) {
    const verdict = await context.ledger.guards.takeRateToken(rule.id, limits.maxActionsPerHour);
    if (!verdict.allowed) return { status: 'skipped', detail: verdict.reason };
  }
  const cooldownMs = parseDuration(limits?.cooldown);
  if (cooldownMs !== undefined) {
    const verdict = await context.ledger.guards.takeCooldown(rule.id, resource, cooldownMs);
    if (!verdict.allowed) return { status: 'skipped', detail: verdict.reason };
  }
  try {
    const { value, retries }: { value: ActionOutcome; retries: number } = await withRetries(
      () => planned.definition.execute(actionContext),
      { deadline: context.deadline },
    );
    return { ...value, retries };
  } catch (error) {
    const action = planned.definition.name;
    if (
      error instanceof RetriesExhaustedError &&
      (error.errorClass === 'server' || error.errorClass === 'network')
    ) {
      const reason = `outcome unknown: ${error.message}`;
      await context.ledger.release(claim, reason);
      errors.push({
        kind: 'unknown-outcome',
        message: `${action} on ${resource}: ${reason}; the next delivery takes it over`,
        where,
      });
      return undefined;
    }
    const retries = error instanceof RetriesExhaustedError ? error.retries : 0;
    return {
      status: 'failed',
      detail: `${action} failed on ${resource}: ${messageOf(error)}`,
      error: messageOf(error),
      retries,
    };
  }
}
