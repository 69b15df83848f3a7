import type { EarlierOutcome } from './action.js';

/** What a status says when the action's own detail cannot: its outcome is not settled. */
const unsettled: Record<string, string> = {
  unknown: 'outcome unknown: the next delivery takes it over',
  'in-progress': 'in progress in another invocation',
  deferred: 'not done yet: the next delivery does it',
};

/**
 * What an earlier action of the rule actually did, in one line: its own sentence when it
 * succeeded (`revoked tcp 22 from 0.0.0.0/0 on sg-0123`), else its status first (`skipped: …`,
 * `failed: …`, `planned: would …`). A duplicate says what the ledger holds from the delivery
 * that did it. Audit findings and notifications report with it, never with a fixed sentence.
 *
 * @example
 * outcomeSentence({ action: 'cloudtrail.start-logging', resource: 'main', status: 'failed',
 *   detail: 'TrailNotFoundException' }); // 'cloudtrail.start-logging on main: failed: TrailNotFoundException'
 */
export function outcomeSentence(outcome: EarlierOutcome): string {
  const status = outcome.status === 'duplicate' ? (outcome.stored ?? 'duplicate') : outcome.status;
  const what =
    unsettled[status] ??
    (outcome.detail === undefined
      ? status
      : status === 'succeeded'
        ? outcome.detail
        : `${status}: ${outcome.detail}`);
  return `${outcome.action} on ${outcome.resource}: ${what}`;
}
