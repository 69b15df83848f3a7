import type { EC2Client, Instance } from '@aws-sdk/client-ec2';
import { listStates, type ActionOutcome } from './action.js';

/** An instance an action may act on, as DescribeInstances showed it, or why it may not. */
export type InstanceCheck =
  { skipped?: undefined; state: string; instance: Instance } | { skipped: ActionOutcome };

/**
 * Reads an instance's state and lets the action go on only from one of its origin states, the
 * way Cloud Custodian's `valid_origin_states` does: start only a stopped instance, stop only a
 * running one. Otherwise the outcome is `skipped`, with a reason that names the state.
 *
 * @example
 * const check = await checkInstanceState(ec2, 'i-0123', 'start', ['stopped']);
 * if (check.skipped) return check.skipped;
 * await ec2.send(new StartInstancesCommand({ InstanceIds: ['i-0123'] }));
 */
export async function checkInstanceState(
  ec2: EC2Client,
  instanceId: string,
  verb: string,
  originStates: readonly string[],
  /** What "acts only from" speaks of, when the verb reads badly there. */
  activity: string = verb,
): Promise<InstanceCheck> {
  const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
  const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
  const instance = described.Reservations?.[0]?.Instances?.[0];
  const state = instance?.State?.Name;
  if (instance === undefined || state === undefined || !originStates.includes(state)) {
    return {
      skipped: {
        status: 'skipped',
        detail: `did not ${verb} ${instanceId}: it is ${state ?? 'not found'}, and ${activity} acts only from ${listStates(originStates)}`,
        data: { state },
      },
    };
  }
  return { state, instance };
}

/**
 * Changes one instance's state once `checkInstanceState` allows it, and says so in the past
 * tense: "stopped i-0123 (was running)".
 *
 * @example
 * return changeInstanceState(ec2, 'i-0123', { verb: 'start', done: 'started', originStates: ['stopped'] },
 *   () => ec2.send(new StartInstancesCommand({ InstanceIds: ['i-0123'] })));
 */
export async function changeInstanceState(
  ec2: EC2Client,
  instanceId: string,
  change: { verb: string; done: string; originStates: readonly string[] },
  send: () => Promise<unknown>,
): Promise<ActionOutcome> {
  const check = await checkInstanceState(ec2, instanceId, change.verb, change.originStates);
  if (check.skipped) return check.skipped;
  await send();
  return {
    status: 'succeeded',
    detail: `${change.done} ${instanceId} (was ${check.state})`,
    data: { previousState: check.state },
  };
}
