import type { Instance } from '@aws-sdk/client-ec2';
import type { AwsClients } from '../aws-clients.js';
import type { ActionContext, ActionDefinition, ActionOutcome, ResourceState } from './action.js';
import { listStates } from './action.js';

/**
 * How the platform reads the state of one kind of resource before an action acts on it. The
 * permissions the read needs are granted with every action that declares origin states of
 * this kind.
 *
 * @example
 * const { state } = await instanceState.read(clients, 'i-0123');
 * console.log(state); // 'running'
 */
export interface ResourceStateReader<D = unknown> {
  /** Readings are shared per kind and resource: `ec2-instance`, `cloudtrail-trail`. */
  kind: string;
  permissions: readonly string[];
  read(clients: AwsClients, resource: string): Promise<ResourceState<D>>;
}

/** An EC2 instance's `State.Name`, with what DescribeInstances said of it. */
export const instanceState: ResourceStateReader<Instance> = {
  kind: 'ec2-instance',
  permissions: ['ec2:DescribeInstances'],
  async read(clients, instanceId) {
    const { DescribeInstancesCommand } = await import('@aws-sdk/client-ec2');
    const ec2 = await clients.ec2();
    const described = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = described.Reservations?.[0]?.Instances?.[0];
    const state = instance?.State?.Name;
    return state === undefined ? {} : { state, described: instance };
  },
};

/** A CloudTrail trail's `logging` or `not logging`, as GetTrailStatus says. */
export const trailLoggingState: ResourceStateReader<never> = {
  kind: 'cloudtrail-trail',
  permissions: ['cloudtrail:GetTrailStatus'],
  async read(clients, trail) {
    const { GetTrailStatusCommand } = await import('@aws-sdk/client-cloudtrail');
    const cloudTrail = await clients.cloudTrail();
    const status = await cloudTrail.send(new GetTrailStatusCommand({ Name: trail }));
    return { state: status.IsLogging === true ? 'logging' : 'not logging' };
  },
};

/**
 * The states of the resources one rule's actions act on within one event: each resource is
 * read once, however many of the rule's actions declare origin states for it.
 *
 * @example
 * const states = new ResourceStates();
 * await states.read(instanceState, clients, 'i-0123'); // one DescribeInstances
 * await states.read(instanceState, clients, 'i-0123'); // the same reading
 */
export class ResourceStates {
  private readonly readings = new Map<string, Promise<ResourceState>>();

  /** The resource's state, read now when `fresh` or not read yet for this event and rule. */
  read(
    reader: ResourceStateReader,
    clients: AwsClients,
    resource: string,
    fresh = false,
  ): Promise<ResourceState> {
    const key = `${reader.kind}\u0000${resource}`;
    const known = this.readings.get(key);
    if (known !== undefined && !fresh) return known;
    const reading = reader.read(clients, resource);
    this.readings.set(key, reading);
    // A failed read is not an answer: the next try reads again.
    reading.catch(() => {
      if (this.readings.get(key) === reading) this.readings.delete(key);
    });
    return reading;
  }
}

/**
 * The IAM actions an action needs for these parameters, its origin-state read included: what
 * the deployed role and the member role grant for it.
 *
 * @example
 * actionPermissions(actionCatalog.get('ec2.stop-instances')!, {}); // ['ec2:DescribeInstances', 'ec2:StopInstances']
 */
export function actionPermissions(
  action: ActionDefinition,
  params: ActionContext['params'],
): string[] {
  return [...(action.originStates?.reader.permissions ?? []), ...action.permissions(params)];
}

/**
 * Runs an action as the executor does: when it declares origin states, the platform reads the
 * resource's state first (shared through `states`) and skips, saying why, unless the state is
 * one of them; the action then receives the reading as `origin`. `fresh` reads the state again,
 * for a retry after a try that may have changed it.
 *
 * @example
 * const outcome = await executeFromOrigin(action, context, new ResourceStates());
 * console.log(outcome.detail); // 'did not stop i-0123: it is stopped, and stop acts only from running'
 */
export async function executeFromOrigin(
  action: ActionDefinition,
  context: ActionContext,
  states: ResourceStates,
  fresh = false,
): Promise<ActionOutcome> {
  const declared = action.originStates;
  if (declared === undefined) return action.execute(context);
  const origin = await states.read(declared.reader, context.clients, context.resource, fresh);
  const { state } = origin;
  if (state === undefined || !declared.states.includes(state)) {
    return {
      status: 'skipped',
      detail: `did not ${declared.verb} ${context.resource}: it is ${state ?? 'not found'}, and ${declared.activity ?? declared.verb} acts only from ${listStates(declared.states)}`,
      data: { state },
    };
  }
  return action.execute({ ...context, origin });
}
