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

export type Trigger = Ec2StateTrigger | CloudTrailTrigger | LogsTrigger;

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
