import { randomUUID } from 'node:crypto';
import type { ActionContext, ActionOutcome } from './actions/action.js';
import { executeFromOrigin, ResourceStates } from './actions/origin-state.js';
import type { AwsClients } from './aws-clients.js';
import { sessionName, type ClientPool } from './client-pool.js';
import { messageOf } from './errors.js';
import { ledgerKey, type LedgerEntry, type LedgerMode } from './ledger/entry.js';
import { ClaimLostError, LedgerUnavailableError } from './ledger/errors.js';
import type {
  ClaimDetails,
  ClaimResult,
  Completion,
  Ledger,
  RecordResult,
} from './ledger/ledger.js';
import type { ClaimOwner } from './ledger/owner.js';
import type { ActionReport, PipelineError } from './report.js';
import { classifyError, RetriesExhaustedError, withRetries, type RetryResult } from './retry.js';
import { parseDuration } from './rules/duration.js';
import type { CompiledRule, PlannedAction } from './rules/rule.js';
import type { StewardEvent } from './sources/steward-event.js';

/** What executing one action needs from the pipeline. */
export interface ExecutionContext {
  ledger: Ledger;
  clients: ClientPool;
  live: boolean;
  /** Epoch ms after which no claim is taken and no retry starts, asked when it matters. */
  deadline: () => number;
  /**
   * Epoch ms when claims' leases end: in Lambda, the invocation's end plus a margin, so the next
   * delivery can always take over. Undefined: the ledger's default lease.
   */
  leaseUntil?: number;
  /** This process, recorded with claims outside Lambda so a later process can take them over. */
  owner?: ClaimOwner;
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
  /**
   * The states of the resources the rule's actions act on in this event, read once and shared
   * by them; a fresh one when absent.
   */
  states?: ResourceStates;
}

/** One action's report, and what kept it from completing, if anything did. */
export interface ActionResult {
  report: ActionReport;
  problem?: PipelineError;
}

/**
 * What `decide` came to: an outcome to record, a reason the outcome is unknown, or a reason the
 * action was not tried now but will be on the next delivery.
 */
type Decision = { completion: Completion } | { unknown: string } | { deferred: string };

/**
 * One action, exactly once: claim it in the ledger; a duplicate returns the stored outcome
 * without calling AWS. An action whose outcome is known before anything outside the ledger is
 * touched (a dry run's plan, a stale event's skip, an action without external effect in a rule
 * without limits) takes its claim and records that outcome in one conditional write. Otherwise
 * an enforced run passes the guards (rate limit, cooldown), checks the action's origin states
 * (skipping a resource in any other state), executes with retries on throttling and server
 * errors, and records the outcome. Never throws: every path that does not record an outcome for
 * a claim it holds releases the claim (ends its lease) before returning, so the next delivery
 * takes the action over at once.
 *
 * @example
 * const { report, problem } = await executeAction({ event, rule, planned, resource, earlier: [] }, context);
 * if (problem) console.error(problem.where, problem.message);
 */
export async function executeAction(
  request: ActionRequest,
  context: ExecutionContext,
): Promise<ActionResult> {
  const { rule, planned, resource } = request;
  const mode: LedgerMode = rule.mode === 'enforce' && context.live ? 'enforce' : 'dry-run';
  const action = planned.definition.name;
  const where = whereOf(request);
  const unknown = (key: string, message: string) => ({
    report: { action, resource, status: 'unknown' as const, key, mode },
    problem: { kind: 'unknown-outcome' as const, message, where },
  });
  const deferred = (key: string, message: string) => ({
    report: { action, resource, status: 'deferred' as const, key, mode },
    problem: { kind: 'deferred' as const, message: `${message}; the next delivery does it`, where },
  });
  if (Date.now() >= context.deadline())
    return deferred('', 'not started: the invocation has no time left');
  const details = claimDetailsOf(request, mode, context);
  if (takesOneWrite(request, mode)) return recordAtOnce(request, mode, details, context);
  let claim: ClaimResult;
  try {
    claim = await context.ledger.claim(details);
  } catch (error) {
    // The claim may have been written before its response was lost: end it, if it is ours.
    if (error instanceof LedgerUnavailableError && error.token !== undefined)
      await releaseQuietly(context, { key: error.key, token: error.token }, messageOf(error));
    const key = error instanceof LedgerUnavailableError ? error.key : '';
    return unknown(key, messageOf(error));
  }
  const report = { action, resource, key: claim.key, mode };
  if (claim.kind !== 'claimed') return storedOutcome(claim, report, context, where);
  const actionContext = actionContextOf(request, context, claim.key);
  let decision: Decision;
  try {
    decision = await decide(request, actionContext, claim, context);
  } catch (error) {
    // A guard's ledger write failed, or steward itself did: nothing was executed.
    const reason = `not executed: ${messageOf(error)}`;
    await releaseQuietly(context, claim, reason);
    return {
      report: { ...report, status: 'unknown' },
      problem: {
        kind: error instanceof LedgerUnavailableError ? 'unknown-outcome' : 'internal',
        message: `${reason}; the next delivery takes it over`,
        where,
      },
    };
  }
  if ('unknown' in decision) {
    await releaseQuietly(context, claim, decision.unknown);
    return unknown(claim.key, `${decision.unknown}; the next delivery takes it over`);
  }
  if ('deferred' in decision) {
    await releaseQuietly(context, claim, decision.deferred);
    return deferred(claim.key, decision.deferred);
  }
  const { completion } = decision;
  try {
    // Retried like an AWS call: the same completion sent again is recognised by its token.
    await withRetries(
      () =>
        context.ledger.complete(claim, completion).catch((error: unknown) => {
          throw error instanceof LedgerUnavailableError ? error.cause : error;
        }),
      { deadline: context.deadline(), maxAttempts: 4 },
    );
  } catch (thrown) {
    const error = thrown instanceof RetriesExhaustedError ? thrown.lastError : thrown;
    if (error instanceof ClaimLostError)
      return {
        report: finished(report, completion, where).report,
        problem: {
          kind: 'claim-lost',
          message: `${messageOf(error)}; the delivery that took it over records the outcome`,
          where,
        },
      };
    const reason = `${completion.status}: ${completion.detail}; the outcome could not be recorded: ${messageOf(error)}`;
    await releaseQuietly(context, claim, reason);
    return unknown(claim.key, reason);
  }
  return finished(report, completion, where);
}

/** What the ledger keeps about one action beside its outcome. */
function claimDetailsOf(
  { event, rule, planned, resource }: ActionRequest,
  mode: LedgerMode,
  context: ExecutionContext,
): ClaimDetails {
  return {
    mode,
    eventId: event.id,
    ruleId: rule.id,
    action: planned.definition.name,
    resource,
    source: event.source,
    eventName: event.name,
    eventTime: event.time,
    severity: rule.document.severity,
    actor: event.actor?.arn ?? event.actor?.invokedBy,
    account: event.account,
    region: event.region ?? context.clients.region,
    retentionDays: planned.definition.recordsFindings ? context.findingRetentionDays : undefined,
    leaseUntil: context.leaseUntil,
    owner: context.owner,
    ...(event.idDerived ? { idDerived: true } : {}),
  };
}

/** Where an action's problems are reported: its event, rule, action and resource. */
function whereOf({ event, rule, planned, resource }: ActionRequest): string {
  return `event ${event.id}, rule ${rule.id}, action ${planned.definition.name} on ${resource}`;
}

/**
 * What an action's `describe` and `execute` are given for one request; its clients for the
 * event's account are made when it first calls AWS.
 *
 * @example
 * const detail = planned.definition.describe(actionContextOf(request, context, key));
 */
export function actionContextOf(
  request: ActionRequest,
  context: Pick<ExecutionContext, 'clients'>,
  key: string,
): ActionContext {
  const { event, rule, planned, resource } = request;
  let clients: AwsClients | undefined;
  return {
    event,
    rule: {
      id: rule.id,
      severity: rule.document.severity,
      kind: rule.document.kind,
      description: rule.document.description,
    },
    resource,
    params: planned.params,
    // Made when the action first calls AWS: a plan, a finding or a skip never does, and a
    // member account's session for every one of them would push the facts' session out of
    // the pool.
    get clients() {
      clients ??= context.clients.for(event.account, event.region, sessionName(rule.id, event.id));
      return clients;
    },
    home: context.clients.home,
    key,
    earlier: request.earlier,
  };
}

/**
 * The outcome is known before anything outside the ledger is touched. A rule with limits is
 * left out: its guards' writes are keyed by a claim that must be held before they are taken.
 */
function takesOneWrite(request: ActionRequest, mode: LedgerMode): boolean {
  return (
    request.staleReason !== undefined ||
    mode === 'dry-run' ||
    (request.planned.definition.noExternalEffect === true &&
      request.rule.document.limits === undefined)
  );
}

/** An action whose outcome is known up front: its claim and outcome as one ledger write. */
async function recordAtOnce(
  request: ActionRequest,
  mode: LedgerMode,
  details: ClaimDetails,
  context: ExecutionContext,
): Promise<ActionResult> {
  const { planned, resource } = request;
  const action = planned.definition.name;
  const where = whereOf(request);
  const key = ledgerKey(details);
  const completion = await outcomeWithoutEffect(
    request,
    mode,
    actionContextOf(request, context, key),
  );
  const report = { action, resource, key, mode };
  const token = randomUUID();
  let result: RecordResult;
  try {
    // Retried like an AWS call: the same write sent again is recognised by its token.
    ({ value: result } = await withRetries(
      () =>
        context.ledger.record(details, completion, token).catch((error: unknown) => {
          throw error instanceof LedgerUnavailableError ? error.cause : error;
        }),
      { deadline: context.deadline(), maxAttempts: 4 },
    ));
  } catch (thrown) {
    const error = thrown instanceof RetriesExhaustedError ? thrown.lastError : thrown;
    return {
      report: { ...report, status: 'unknown' },
      problem: {
        kind: 'unknown-outcome',
        message: `${completion.status}: ${completion.detail}; the outcome could not be recorded: ${messageOf(error)}`,
        where,
      },
    };
  }
  if (result.kind !== 'recorded') return storedOutcome(result, report, context, where);
  return finished(report, completion, where);
}

/** The outcome of an action that touches nothing outside the ledger, or of a plan or a skip. */
async function outcomeWithoutEffect(
  request: ActionRequest,
  mode: LedgerMode,
  actionContext: ActionContext,
): Promise<Completion> {
  const { planned, resource } = request;
  const action = planned.definition.name;
  if (request.staleReason !== undefined) return { status: 'skipped', detail: request.staleReason };
  try {
    if (mode === 'dry-run')
      return { status: 'planned', detail: `would ${planned.definition.describe(actionContext)}` };
    return await planned.definition.execute(actionContext);
  } catch (error) {
    const message =
      mode === 'dry-run'
        ? `${action} could not describe its plan for ${resource}: ${messageOf(error)}`
        : `${action} failed on ${resource}: ${messageOf(error)}`;
    return { status: 'failed', detail: message, error: messageOf(error) };
  }
}

/**
 * Another delivery has the action: its stored outcome, after waiting a little for one that is
 * still in progress.
 */
async function storedOutcome(
  found: { kind: 'duplicate' | 'in-progress'; key: string; entry: LedgerEntry },
  report: Pick<ActionReport, 'action' | 'resource' | 'key' | 'mode'>,
  context: ExecutionContext,
  where: string,
): Promise<ActionResult> {
  let entry: LedgerEntry | undefined = found.entry;
  if (found.kind === 'in-progress') {
    const waitMs = Math.min(context.inProgressWaitMs, Math.max(0, context.deadline() - Date.now()));
    entry = await context.ledger.waitForOutcome(found.key, waitMs).catch(() => found.entry);
  }
  if (!entry || entry.status === 'claimed')
    return {
      report: { ...report, status: 'in-progress' },
      problem: {
        kind: 'unknown-outcome',
        message: 'another invocation holds this action and has not recorded its outcome yet',
        where,
      },
    };
  return {
    report: { ...report, status: 'duplicate', stored: entry.status, detail: entry.detail },
  };
}

/** The report of a recorded outcome, and the problem it is when the action failed. */
function finished(
  report: Pick<ActionReport, 'action' | 'resource' | 'key' | 'mode'>,
  completion: Completion,
  where: string,
): ActionResult {
  const done: ActionReport = {
    ...report,
    status: completion.status,
    detail: completion.detail,
    ...(completion.retries ? { retries: completion.retries } : {}),
  };
  return completion.status === 'failed'
    ? { report: done, problem: { kind: 'action', message: completion.detail, where } }
    : { report: done };
}

/**
 * A skip after a try whose outcome was unknown (a lost response, a server error, or an earlier
 * delivery's attempt that ended so) may be that try's own work: the resource is already
 * stopped, the rule already revoked. The outcome says so, and why.
 */
function resumed(completion: Completion, why: string): Completion {
  if (completion.status !== 'skipped') return completion;
  return { ...completion, detail: `${completion.detail}; it may be steward's own work (${why})` };
}

/**
 * Ends a claim's lease; when the ledger cannot be reached for that either, the lease ends by
 * itself with the invocation.
 */
async function releaseQuietly(
  context: ExecutionContext,
  claim: { key: string; token: string },
  reason: string,
): Promise<void> {
  await context.ledger.release(claim, reason).catch(() => undefined);
}

/**
 * The outcome of an enforced action with an external effect to record, why it is unknown, or
 * why it waits for the next delivery. Throws only when a guard cannot be checked.
 */
async function decide(
  request: ActionRequest,
  actionContext: ActionContext,
  claim: { key: string; previousError?: string },
  context: ExecutionContext,
): Promise<Decision> {
  const { rule, planned, resource } = request;
  const action = planned.definition.name;
  const limits = rule.document.limits;
  if (limits?.maxActionsPerHour !== undefined) {
    const verdict = await context.ledger.guards.takeRateToken(
      rule.id,
      limits.maxActionsPerHour,
      claim.key,
    );
    if (!verdict.allowed) return { completion: { status: 'skipped', detail: verdict.reason } };
  }
  const cooldownMs = parseDuration(limits?.cooldown);
  if (cooldownMs !== undefined) {
    const verdict = await context.ledger.guards.takeCooldown(
      rule.id,
      resource,
      cooldownMs,
      claim.key,
    );
    if (!verdict.allowed) return { completion: { status: 'skipped', detail: verdict.reason } };
  }
  try {
    let retrying = claim.previousError !== undefined;
    const states = request.states ?? new ResourceStates();
    const { value, retries, uncertain }: RetryResult<ActionOutcome> = await withRetries(
      async () => {
        try {
          // After a try that may have acted, the resource's state is read again.
          return await executeFromOrigin(
            planned.definition,
            { ...actionContext, retrying },
            states,
            retrying,
          );
        } catch (error) {
          const errorClass = classifyError(error);
          if (errorClass === 'server' || errorClass === 'network') retrying = true;
          throw error;
        }
      },
      { deadline: context.deadline() },
    );
    const completion: Completion = { ...value, retries };
    const why = uncertain
      ? `a try failed with ${uncertain}`
      : claim.previousError && `an earlier attempt's outcome was unknown: ${claim.previousError}`;
    return { completion: why ? resumed(completion, why) : completion };
  } catch (error) {
    if (
      error instanceof RetriesExhaustedError &&
      (error.errorClass === 'server' || error.errorClass === 'network')
    )
      return { unknown: `${action} on ${resource}: outcome unknown: ${error.message}` };
    // AWS refused every try without acting: the next delivery, minutes later, may get through.
    if (error instanceof RetriesExhaustedError && error.errorClass === 'throttled')
      return { deferred: `${action} on ${resource}: not done, throttled: ${error.message}` };
    const retries = error instanceof RetriesExhaustedError ? error.retries : 0;
    return {
      completion: {
        status: 'failed',
        detail: `${action} failed on ${resource}: ${messageOf(error)}`,
        error: messageOf(error),
        retries,
      },
    };
  }
}
