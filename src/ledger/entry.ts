import { createHash } from 'node:crypto';

/** `planned` is a dry run's outcome; the others are an enforced run's. */
export type LedgerStatus = 'claimed' | 'planned' | 'succeeded' | 'failed' | 'skipped';

export type LedgerMode = 'enforce' | 'dry-run';

/** What identifies one action: the same four values always give the same ledger key. */
export interface ActionIdentity {
  mode: LedgerMode;
  eventId: string;
  ruleId: string;
  action: string;
  resource: string;
}

/** What the ledger records about an action's event and rule beside the action's identity. */
export interface EventDetails {
  source: string;
  eventName: string;
  eventTime: string;
  severity: string;
  actor?: string;
  /** The account and region the action acts in (the event's); `-` when the event named none. */
  account?: string;
  region?: string;
}

/** One item of the ledger table. */
export interface LedgerEntry extends ActionIdentity, EventDetails {
  pk: string;
  status: LedgerStatus;
  detail?: string;
  data?: Record<string, unknown>;
  error?: string;
  attempts: number;
  /** How often AWS throttled or failed the action before its outcome. */
  retries?: number;
  claimToken?: string;
  /** Epoch milliseconds until which the claim's holder may still complete it. */
  leaseUntil?: number;
  /** The local process holding the claim, outside Lambda. */
  owner?: { host: string; pid: number };
  /** The claim token of the completion that recorded the outcome. */
  completionToken?: string;
  /** The event had no id of its own; `eventId` was derived from its content. */
  idDerived?: boolean;
  createdAt: string;
  updatedAt: string;
  /** Epoch seconds: DynamoDB's TTL deletes the entry after this. */
  expiresAt: number;
}

/**
 * The ledger key of an action. Dry-run and enforced outcomes get different keys, so a dry
 * run never blocks a later enforced run.
 */
export function ledgerKey(identity: ActionIdentity): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([identity.eventId, identity.ruleId, identity.action, identity.resource]))
    .digest('hex')
    .slice(0, 40);
  return `${identity.mode === 'enforce' ? 'act' : 'dry'}_${digest}`;
}
