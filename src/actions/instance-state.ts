import type { Instance } from '@aws-sdk/client-ec2';
import type { ActionContext, ActionOutcome, ActionParams, OriginStates } from './action.js';
import { instanceState } from './origin-state.js';

/**
 * The origin states of an instance action, read by the executor with one DescribeInstances,
 * the way Cloud Custodian's `valid_origin_states` does: start only a stopped instance, stop
 * only a running one.
 *
 * @example
 * originStates: instanceOrigin(['stopped'], 'start'),
 */
export function instanceOrigin(
  states: readonly string[],
  verb: string,
  activity?: string,
): OriginStates<Instance> {
  return activity === undefined
    ? { states, reader: instanceState, verb }
    : { states, reader: instanceState, verb, activity };
}

/**
 * Changes one instance's state, which the executor found to be one of the action's origin
 * states, and says so in the past tense: "stopped i-0123 (was running)".
 *
 * @example
 * return changeInstanceState(context, 'started', () =>
 *   ec2.send(new StartInstancesCommand({ InstanceIds: [context.resource] })));
 */
export async function changeInstanceState<P extends ActionParams>(
  context: ActionContext<P, Instance>,
  done: string,
  send: () => Promise<unknown>,
): Promise<ActionOutcome> {
  await send();
  const previousState = context.origin?.state;
  return {
    status: 'succeeded',
    detail: `${done} ${context.resource} (was ${previousState ?? 'in an unknown state'})`,
    data: { previousState },
  };
}
