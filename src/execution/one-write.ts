import { randomUUID } from 'node:crypto';
import type { ActionContext } from '../actions/action.js';
import { messageOf } from '../errors.js';
import { ledgerKey, type LedgerMode } from '../ledger/entry.js';
import type { RecordResult } from '../ledger/record.js';
import type { ClaimDetails, Completion } from '../ledger/writes.js';
import { finished, storedOutcome } from './reports.js';
import {
  actionContextOf,
  whereOf,
  type ActionRequest,
  type ActionResult,
  type ExecutionContext,
} from './request.js';
import { retriedLedgerWrite } from './retried-write.js';

/**
 * Whether the outcome is known before anything outside the ledger is touched: a stale event's
 * skip, a dry run's plan, or an action without external effect. A rule with limits is left
 * out: its guards' writes are keyed by a claim that must be held before they are taken.
 *
 * @example
 * if (takesOneWrite(request, mode)) return recordAtOnce(request, mode, details, context);
 */
export function takesOneWrite(request: ActionRequest, mode: LedgerMode): boolean {
  return (
    request.staleReason !== undefined ||
    mode === 'dry-run' ||
    (request.planned.definition.noExternalEffect === true &&
      request.rule.document.limits === undefined)
  );
}

/**
 * An action whose outcome is known up front: its claim and outcome as one ledger write. A
 * write whose outcome stays unknown leaves nothing to release: the entry is either complete
 * or untouched.
 *
 * @example
 * const { report } = await recordAtOnce(request, 'dry-run', claimDetailsOf(request, 'dry-run', context), context);
 * report.status; // 'planned', or 'duplicate' on a redelivery
 */
export async function recordAtOnce(
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
    result = await retriedLedgerWrite(
      () => context.ledger.record(details, completion, token),
      context.deadline(),
    );
  } catch (error) {
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
