import type { AwsClients } from '../aws-clients.js';
import type { StewardEvent } from '../sources/steward-event.js';
import type { ActionHistory } from './history.js';
import type { ResourceStateReader } from './origin-state.js';

/** A JSON Schema (draft-07) for an action's parameters. */
export type ParamsSchema = Record<string, unknown>;

export type ActionParams = Record<string, unknown>;

/** What the rule that triggered an action says about itself, as actions need it. */
export interface RuleSummary {
  id: string;
  severity: string;
  kind: 'audit' | 'remediation';
  description: string;
}

/** What an earlier action of the same rule on the same event came to. */
export interface EarlierOutcome {
  action: string;
  resource: string;
  status: string;
  detail?: string;
  /** For a duplicate: the outcome the ledger holds from the delivery that did the action. */
  stored?: string;
}

/** A resource's state as the platform read it before an action, with what the read returned. */
export interface ResourceState<D = unknown> {
  /** Undefined when the resource was not found. */
  state?: string;
  described?: D;
}

/**
 * The resource states an action acts from (stop only a `running` instance), how to read them,
 * and how a skip names what the action would have done.
 */
export interface OriginStates<D = unknown> {
  states: readonly string[];
  reader: ResourceStateReader<D>;
  /** `stop` in "did not stop i-0123: it is stopped, and stop acts only from running". */
  verb: string;
  /** What "acts only from" speaks of when the verb reads badly there: `requiring IMDSv2`. */
  activity?: string;
}

export interface ActionContext<P extends ActionParams = ActionParams, D = unknown> {
  event: StewardEvent;
  rule: RuleSummary;
  /** The one resource this execution acts on, as returned by `targets`. */
  resource: string;
  params: P;
  /** Clients for the event's account and region: where the action acts. */
  clients: AwsClients;
  /** Clients for steward's own account and region: where notifications and findings go. */
  home: AwsClients;
  /** This action's ledger key: the idempotency key to hand to anything downstream. */
  key: string;
  /** The rule's actions that ran before this one on this event, in order. */
  earlier: readonly EarlierOutcome[];
  /** What the ledger holds of earlier actions in the event's account and region (an undo reads it). */
  history: ActionHistory;
  /**
   * A try before this one, in this delivery or an earlier one, failed in a way that leaves open
   * whether it took effect (a lost response, a server error): an action without origin states
   * to check reads whether its work is done before doing it again.
   */
  retrying?: boolean;
  /** For an action with origin states: the resource's state, one of them, as the platform read it. */
  origin?: ResourceState<D>;
}

/** What an action did (or, in dry-run, would do), kept in the ledger. */
export interface ActionOutcome {
  status: 'succeeded' | 'skipped';
  /** One readable sentence: "stopped i-0123 (was running)". */
  detail: string;
  /** Structured data worth keeping (an audit finding, the previous state). */
  data?: Record<string, unknown>;
}

/**
 * One entry of the action catalog. Declares everything the platform must know about an
 * action before it runs: its parameters, the IAM it needs, whether it destroys anything, the
 * resources it acts on, what a dry run reports, and how it executes.
 *
 * @example
 * const action = actionCatalog.get('ec2.stop-instances');
 * for (const resource of action.targets(event, params)) console.log(action.describe({ ...ctx, resource }));
 */
export interface ActionDefinition<P extends ActionParams = ActionParams, D = unknown> {
  name: string;
  summary: string;
  paramsSchema: ParamsSchema;
  /**
   * A fragment of a rule that uses the action (its `actions:`, and the `triggers:` or
   * `allowDestructive:` it needs), as `steward actions NAME` shows it; tests load it through
   * the rule loader.
   */
  example: string;
  /**
   * IAM actions the deployed role needs for this action with these parameters, e.g.
   * `ec2:StopInstances`; the read of its origin states is granted by the platform.
   */
  permissions(params: P): readonly string[];
  /** Destroys data or resources; a rule must set `allowDestructive: true` to use it. */
  destructive: boolean;
  /** Its ledger entries are audit findings, kept for the findings' longer retention. */
  recordsFindings?: boolean;
  /**
   * Touches nothing outside the ledger: its outcome is known before anything is written, so
   * the ledger takes the claim and records the outcome in one conditional write.
   */
  noExternalEffect?: boolean;
  /**
   * The resource states the action acts from (stop only a `running` instance): the executor
   * reads the state before `execute` and skips a resource in any other state with the reason.
   * Absent when any state will do.
   */
  originStates?: OriginStates<D>;
  /** The resources of the event this action acts on; one ledger entry each. */
  targets(event: StewardEvent, params: P): string[];
  /** What the action would do, reported by a dry run and kept with the outcome. */
  describe(context: ActionContext<P, D>): string;
  execute(context: ActionContext<P, D>): Promise<ActionOutcome>;
}

/** Lets a catalog hold actions of different parameter types under one element type. */
export function defineAction<P extends ActionParams, D = unknown>(
  definition: ActionDefinition<P, D>,
): ActionDefinition {
  return definition as unknown as ActionDefinition;
}

const ec2InstanceId = /^i-[0-9a-f]{8,17}$/;

/** The EC2 instance ids among an event's resources. */
export function instanceTargets(event: StewardEvent): string[] {
  return event.resources.filter((resource) => ec2InstanceId.test(resource));
}

/**
 * One target per event, for actions that report on the event as a whole (a notification, an
 * emitted event): its first resource, or `-` when it names none.
 */
export function eventTarget(event: StewardEvent): string[] {
  return [event.resources[0] ?? '-'];
}

/** States as a sentence names them: `running`, `stopped or running`, `a, b or c`. */
export function listStates(states: readonly string[]): string {
  return states.length <= 1
    ? (states[0] ?? 'no state')
    : `${states.slice(0, -1).join(', ')} or ${states[states.length - 1]}`;
}
