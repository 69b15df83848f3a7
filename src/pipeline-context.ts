import type { ClientPool } from './client-pool.js';
import type { Ledger } from './ledger/ledger.js';
import type { ClaimOwner } from './ledger/owner.js';
import type { RuleIndex } from './rules/rule-index.js';
import type { SourceTrust } from './sources/index.js';
import type { PipelineObserver, Tracing } from './telemetry/observer.js';

/** What evaluating events and planning their actions needs: no ledger. */
export interface EvaluationContext {
  ruleIndex: RuleIndex;
  /** Clients for the account and region of each event; the function's own for S3 reads. */
  clients: ClientPool;
  /** Enforced rules execute their actions only when live; otherwise every action is a dry run. */
  live: boolean;
  /** Read the CloudTrail log files S3 notifications name (needs S3), or only report them. */
  readObjects: boolean;
  /** Lazy fact values to use instead of AWS calls (`steward run --facts`). */
  factStubs?: Readonly<Record<string, unknown>>;
  /** The log groups believed as CloudTrail's (`STEWARD_CLOUDTRAIL_LOG_GROUPS`); none when absent. */
  trust?: SourceTrust;
  /** Told as each event's processing ends, for a progress display. */
  onEvent?: () => void;
  /** Told what happens, for logs and metrics (the Lambda handlers'); none in the CLI. */
  observer?: PipelineObserver;
  /** X-Ray tracing, when the deployment turns it on. */
  tracing?: Tracing;
}

export interface PipelineContext extends EvaluationContext {
  ledger: Ledger;
  /**
   * Time left in the invocation (Lambda's `getRemainingTimeInMillis`): no claim is taken and no
   * retry starts after it, and claims' leases end with it. Absent outside Lambda.
   */
  remainingTimeMs?: () => number;
  /** Recorded with claims outside Lambda, so a later process can take over those of a dead one. */
  owner?: ClaimOwner;
  /** How long a delivery waits for a concurrent one's outcome (default 5 s). */
  inProgressWaitMs?: number;
  /** How long audit findings are kept (default 365 days). */
  findingRetentionDays?: number;
}
