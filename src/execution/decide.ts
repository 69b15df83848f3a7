import type { ActionContext, ActionOutcome } from '../actions/action.js';
import { executeFromOrigin, ResourceStates } from '../actions/origin-state.js';
import type { Completion } from '../ledger/writes.js';
import { classifyError, withRetries, type RetryResult } from '../retry.js';
import { failureDecision, resumed, type Decision } from './decision.js';
import { limitsSkip } from './limits.js';
import type { ActionRequest, ExecutionContext } from './request.js';

/**
 * The outcome of an enforced action with an external effect to record, why it is unknown, or
 * why it waits for the next delivery: the rule's limits are taken, then the action runs from
 * its origin states with retries on throttling and server errors. Throws only when a limit
 * cannot be checked.
 *
 * @example
 * const decision = await decide(request, actionContextOf(request, context, claim.key), claim, context);
 * if ('completion' in decision) await context.ledger.complete(claim, decision.completion);
 */
export async function decide(
  request: ActionRequest,
  actionContext: ActionContext,
  claim: { key: string; previousError?: string },
  context: ExecutionContext,
): Promise<Decision> {
  const { rule, planned, resource } = request;
  const skip = await limitsSkip(rule, resource, claim.key, context.ledger);
  if (skip) return { completion: skip };
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
    return failureDecision(error, planned.definition.name, resource);
  }
}
