import type { LedgerMode, LedgerStatus } from './ledger/entry.js';
import type { S3ObjectRef, SourceError, StewardEvent } from './sources/steward-event.js';

/**
 * `unknown`: AWS failed in a way that leaves open whether the action took effect; the ledger
 * keeps it claimed, and the next delivery takes it over. `deferred`: not done now (AWS
 * throttled every try, or the invocation ran out of time) and left to the next delivery.
 */
export type ActionStatus =
  Exclude<LedgerStatus, 'claimed'> | 'duplicate' | 'in-progress' | 'unknown' | 'deferred';

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
 * failure is recorded; `unknown-outcome`: nobody knows yet whether the action ran, or the
 * ledger could not be reached; `claim-lost`: the claim's lease ended and another delivery took
 * the action over, whose outcome stands; `deferred`: an action was left to the next delivery;
 * `internal`: a step failed in a way steward does not
 * expect (a bug), for this event alone.
 */
export interface PipelineError extends SourceError {
  kind:
    'input' | 'evaluation' | 'action' | 'unknown-outcome' | 'deferred' | 'claim-lost' | 'internal';
  /** For `evaluation`: AWS failed a fact's read, so a later delivery may succeed. */
  transient?: boolean;
}

/**
 * Whether the error means the event must be delivered again: its input could not be decoded
 * (so the dead-letter queue keeps it), an outcome is unknown or the ledger was out of reach, a
 * fact could not be read for a reason that may pass, or a step failed unexpectedly. A failed
 * action is recorded, and a rule that cannot be evaluated would fail the same way again.
 *
 * @example
 * if (report.errors.some(mustRedeliver)) throw new BatchIncompleteError(report);
 */
export function mustRedeliver(error: PipelineError): boolean {
  switch (error.kind) {
    case 'input':
    case 'unknown-outcome':
    case 'deferred':
    case 'internal':
      return true;
    case 'evaluation':
      return error.transient === true;
    case 'action':
    case 'claim-lost':
      return false;
  }
}

/** A CloudTrail log file an S3 notification named, and what came of it. */
export interface ObjectReport extends S3ObjectRef {
  read: boolean;
  /** Records decoded from it (when read). */
  records?: number;
  /**
   * Of those, the events no rule matched and nothing went wrong with: counted, not listed, so
   * a report on a file of 500,000 records stays small.
   */
  unmatched?: number;
}

export interface PipelineReport {
  /** Every event of the input, except the unmatched ones of the log files read (see `objects`). */
  events: EventReport[];
  errors: PipelineError[];
  objects: ObjectReport[];
  /** A what-if (`planBatch`): every action only planned, nothing read from or written to the ledger. */
  whatIf?: true;
}
