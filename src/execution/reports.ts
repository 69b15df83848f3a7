import type { LedgerEntry } from '../ledger/entry.js';
import type { Completion } from '../ledger/writes.js';
import type { ActionReport } from '../report.js';
import type { ActionResult, ExecutionContext } from './request.js';

/** The part of an action's report that is known before its outcome. */
export type ReportHead = Pick<ActionReport, 'action' | 'resource' | 'key' | 'mode'>;

/**
 * Another delivery has the action: its stored outcome, after waiting a little for one that is
 * still in progress.
 *
 * @example
 * if (claim.kind !== 'claimed') return storedOutcome(claim, report, context, whereOf(request));
 */
export async function storedOutcome(
  found: { kind: 'duplicate' | 'in-progress'; key: string; entry: LedgerEntry },
  report: ReportHead,
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

/**
 * The report of a recorded outcome, and the problem it is when the action failed.
 *
 * @example
 * return finished(report, { status: 'succeeded', detail: 'stopped i-0123' }, whereOf(request));
 */
export function finished(report: ReportHead, completion: Completion, where: string): ActionResult {
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
