import type { TopLevelCondition } from 'json-rules-engine';
import type { ActionDefinition, ActionParams } from '../actions/action.js';
import type { EventSource } from '../sources/steward-event.js';
import type { NamedLists } from './lists.js';
import type { RuleScope, ScopeDocument } from './scope.js';

export type Ec2State =
  'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

export interface Ec2StateTrigger {
  source: 'ec2-state';
  states: Ec2State[];
}

export interface CloudTrailTrigger {
  source: 'cloudtrail';
  /** e.g. `ec2.amazonaws.com`; any service when absent. */
  eventSource?: string;
  events: string[];
  includeFailedCalls?: boolean;
  /** Record fields (dotted paths) and the values they must have; also filtered by EventBridge. */
  match?: Record<string, string[]>;
}

export interface LogsTrigger {
  source: 'cloudwatch-logs';
  logGroups: string[];
  filter?: string;
}

/**
 * An event on EventBridge from one of AWS's own services (GuardDuty, Security Hub, Config,
 * Health, …), by its `source` and `detail-type`. Only `aws.*` sources are believed: no one but
 * AWS can put an event with such a source on a bus.
 */
export interface EventBridgeTrigger {
  source: 'eventbridge';
  /** EventBridge `source`s, e.g. `aws.guardduty`. */
  sources: string[];
  /** EventBridge `detail-type`s, e.g. `GuardDuty Finding`. */
  detailTypes: string[];
  /**
   * Fields of the envelope (dotted paths, e.g. `detail.type`) and the values they must have,
   * written as a CloudTrail trigger's `match`; also filtered by EventBridge.
   */
  match?: Record<string, string[]>;
}

/** What a schedule trigger sweeps: each a paginated describe call. */
export type SweepResourceKind = 'ec2-instances' | 'security-groups' | 'log-groups' | 'trails';

/**
 * A sweep on a schedule: every resource of a kind, in every configured account and region,
 * becomes an event (source `sweep`) the rule's conditions and actions see as any other.
 */
export interface ScheduleTrigger {
  source: 'schedule';
  /** An EventBridge schedule expression: `rate(1 day)`, `cron(0 6 * * ? *)`. */
  schedule: string;
  resources: SweepResourceKind;
  /**
   * Server-side filters of the describe call, by the API's filter name (EC2's `Filters`, such
   * as `instance-state-name` or `tag-key`; a log group name prefix as `logGroupNamePrefix`).
   */
  filters?: Record<string, string[]>;
  /**
   * A sweep acts on one resource at most once per period (`1h`, `1d`, `7d`); by default the
   * schedule's rate, or a day for a cron schedule.
   */
  period?: string;
}

export type Trigger =
  Ec2StateTrigger | CloudTrailTrigger | LogsTrigger | EventBridgeTrigger | ScheduleTrigger;

export interface RuleTest {
  name: string;
  eventFile?: string;
  event?: unknown;
  facts?: Record<string, unknown>;
  expect: { fires: boolean; actions?: string[] };
}

/** Bounds on what an enforced rule may do, held atomically in the ledger. */
export interface RuleLimits {
  /** At most this many actions of the rule per clock hour (blast radius). */
  maxActionsPerHour?: number;
  /** After acting on a resource, leave it alone this long (`30m`, `1h`, `1d`). */
  cooldown?: string;
}

/** A rule file as its author wrote it, after schema validation. */
export interface RuleDocument {
  id: string;
  description: string;
  kind: 'audit' | 'remediation';
  severity: 'info' | 'low' | 'medium' | 'high' | 'critical';
  references?: string[];
  /** The accounts and regions the rule applies to; everywhere when absent. */
  scope?: ScopeDocument;
  triggers: Trigger[];
  conditions?: TopLevelCondition;
  actions: { action: string; params?: ActionParams }[];
  mode?: 'enforce' | 'dry-run';
  allowDestructive?: boolean;
  /** Accept CloudTrail event sources and names the offline event catalog does not know. */
  allowUnknownEvents?: boolean;
  limits?: RuleLimits;
  tests?: RuleTest[];
}

export interface PlannedAction {
  definition: ActionDefinition;
  params: ActionParams;
}

/** A validated rule, ready to evaluate: its actions resolved from the catalog. */
export interface CompiledRule {
  id: string;
  file: string;
  document: RuleDocument;
  mode: 'enforce' | 'dry-run';
  actions: PlannedAction[];
  sources: ReadonlySet<EventSource>;
  /** The named lists its `inList`/`notInList` conditions consult. */
  lists: NamedLists;
  /**
   * The accounts and regions it applies to, its lists resolved; absent when it applies
   * everywhere. The rule index leaves the rule out for an event outside it.
   */
  scope?: RuleScope;
}
