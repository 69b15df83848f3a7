import { messageOf } from './errors.js';
import type { LedgerMode } from './ledger/entry.js';
import { ClaimLostError, LedgerUnavailableError } from './ledger/errors.js';
import type { ClaimResult } from './ledger/claim.js';
import { decide } from './execution/decide.js';
import type { Decision } from './execution/decision.js';
import { recordAtOnce, takesOneWrite } from './execution/one-write.js';
import { finished, storedOutcome } from './execution/reports.js';
import {
  actionContextOf,
  claimDetailsOf,
  whereOf,
  type ActionRequest,
  type ActionResult,
  type ExecutionContext,
} from './execution/request.js';
import { retriedLedgerWrite } from './execution/retried-write.js';

export type { ExecutionContext } from './execution/request.js';

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
    await retriedLedgerWrite(() => context.ledger.complete(claim, completion), context.deadline());
  } catch (error) {
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
