import type { LedgerMode, LedgerStatus } from './ledger/entry.js';
import type { S3ObjectRef, SourceError, StewardEvent } from './sources/steward-event.js';

/**
 * `unknown`: AWS failed in a way that leaves open whether the action took effect; the ledger
 * keeps it claimed, and the next delivery takes it over.
 */
export type ActionStatus =
  Exclude<LedgerStatus, 'claimed'> | 'duplicate' | 'in-progress' | 'unknown';

export interface ActionReport {
  action: string;
  resource: string;
  status: ActionStatus;
  key: string;
  mode: LedgerMode;
  detail?: string;
  /** For a duplicate: the outcome the ledger already held. */
  stored?: LedgerStatus;
  /** How often AWS throttled or failed the action before its outcome. */
  retries?: number;
}

export interface MatchReport {
  rule: string;
  actions: ActionReport[];
}

export interface EventReport {
  id: string;
  /** True when the record carried no id and `id` is the digest of its content. */
  idDerived?: true;
  source: StewardEvent['source'];
  name: string;
  resources: string[];
  matches: MatchReport[];
}

/**
 * Something that kept an event or an action from completing. `input`: the event could not be
 * decoded; `evaluation`: a rule could not be evaluated; `action`: an action failed and the
 * failure is recorded; `unknown-outcome`: nobody knows yet whether the action ran.
 */
export interface PipelineError extends SourceError {
  kind: 'input' | 'evaluation' | 'action' | 'unknown-outcome';
}

export interface PipelineReport {
  events: EventReport[];
  errors: PipelineError[];
  /** CloudTrail log files an S3 notification named, and whether they were read. */
  objects: (S3ObjectRef & { read: boolean })[];
}
