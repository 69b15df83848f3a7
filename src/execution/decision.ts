import { messageOf } from '../errors.js';
import type { Completion } from '../ledger/writes.js';
import { RetriesExhaustedError } from '../retry.js';

/**
 * What an enforced action came to: an outcome to record, a reason the outcome is unknown, or a
 * reason the action was not tried now but will be on the next delivery.
 */
export type Decision = { completion: Completion } | { unknown: string } | { deferred: string };

/**
 * What an action's last error means for its claim: after server or network errors it may have
 * acted, so its outcome is unknown; throttled on every try, it did nothing and waits for the
 * next delivery; anything else is a failure to record.
 *
 * @example
 * failureDecision(new Error('UnauthorizedOperation'), 'ec2.stop-instances', 'i-0123');
 * // { completion: { status: 'failed', detail: 'ec2.stop-instances failed on i-0123: …', … } }
 */
export function failureDecision(error: unknown, action: string, resource: string): Decision {
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

/**
 * A skip after a try whose outcome was unknown (a lost response, a server error, or an earlier
 * delivery's attempt that ended so) may be that try's own work: the resource is already
 * stopped, the rule already revoked. The outcome says so, and why.
 *
 * @example
 * resumed({ status: 'skipped', detail: 'i-0123 is stopped' }, 'a try failed with InternalError');
 * // detail: "i-0123 is stopped; it may be steward's own work (a try failed with InternalError)"
 */
export function resumed(completion: Completion, why: string): Completion {
  if (completion.status !== 'skipped') return completion;
  return { ...completion, detail: `${completion.detail}; it may be steward's own work (${why})` };
}
