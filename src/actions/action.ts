import type { AwsClients } from '../aws-clients.js';
import type { StewardEvent } from '../sources/steward-event.js';

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
}

export interface ActionContext<P extends ActionParams = ActionParams> {
  event: StewardEvent;
  rule: RuleSummary;
  /** The one resource this execution acts on, as returned by `targets`. */
  resource: string;
  params: P;
  clients: AwsClients;
  /** This action's ledger key: the idempotency key to hand to anything downstream. */
  key: string;
  /** The rule's actions that ran before this one on this event, in order. */
  earlier: readonly EarlierOutcome[];
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
export interface ActionDefinition<P extends ActionParams = ActionParams> {
  name: string;
  summary: string;
  paramsSchema: ParamsSchema;
  /** IAM actions the deployed role needs for this action, e.g. `ec2:StopInstances`. */
  permissions: readonly string[];
  /** Destroys data or resources; a rule must set `allowDestructive: true` to use it. */
  destructive: boolean;
  /** The resources of the event this action acts on; one ledger entry each. */
  targets(event: StewardEvent, params: P): string[];
  /** What the action would do, reported by a dry run and kept with the outcome. */
  describe(context: ActionContext<P>): string;
  execute(context: ActionContext<P>): Promise<ActionOutcome>;
}

/** Lets a catalog hold actions of different parameter types under one element type. */
export function defineAction<P extends ActionParams>(
  definition: ActionDefinition<P>,
): ActionDefinition {
  return definition as unknown as ActionDefinition;
}

const ec2InstanceId = /^i-[0-9a-f]{8,17}$/;

/** The EC2 instance ids among an event's resources. */
export function instanceTargets(event: StewardEvent): string[] {
  return event.resources.filter((resource) => ec2InstanceId.test(resource));
}
