import { boundData, boundText, ledgerBounds } from './bounds.js';
import type { ActionIdentity, EventDetails, LedgerStatus } from './entry.js';
import type { ItemUpdate } from './items.js';
import type { ClaimOwner } from './owner.js';

/** What a claim records: the action's identity, its event's details, and how the claim is held. */
export interface ClaimDetails extends ActionIdentity, EventDetails {
  /** Keep this entry longer than the ledger's retention (audit findings). */
  retentionDays?: number;
  /** Epoch ms when the claim's lease ends; default: now plus the ledger's `leaseMs`. */
  leaseUntil?: number;
  /** The local process taking the claim (outside Lambda only; see `ClaimOwner`). */
  owner?: ClaimOwner;
  /** The event id was derived from the record's content (the record had none). */
  idDerived?: boolean;
}

/** An action's outcome, as the ledger keeps it. */
export interface Completion {
  status: Exclude<LedgerStatus, 'claimed'>;
  detail: string;
  data?: Record<string, unknown>;
  error?: string;
  /** How often AWS throttled or failed the action before this outcome. */
  retries?: number;
}

/** The parts of one `UpdateItem` that a ledger write is made of. */
export type WriteParts = Pick<ItemUpdate, 'update'> & {
  names: Record<string, string>;
  values: Record<string, unknown>;
};

/**
 * Who may write an action's entry: nobody holds it yet (or a holder's lease has ended), or,
 * with `staleToken`, the holder is known to be gone.
 *
 * @example
 * const { condition, values } = takeCondition(Date.now());
 */
export function takeCondition(
  now: number,
  staleToken?: string,
): { condition: string; values: Record<string, unknown> } {
  return staleToken === undefined
    ? {
        condition: 'attribute_not_exists(pk) OR (#status = :claimed AND leaseUntil < :now)',
        values: { ':claimed': 'claimed', ':now': now },
      }
    : {
        condition: '#status = :claimed AND claimToken = :staleToken',
        values: { ':claimed': 'claimed', ':staleToken': staleToken },
      };
}

/**
 * The `SET` clauses naming the action, its event and rule, and when the entry expires: what
 * every entry holds however it was written.
 *
 * @example
 * const parts = identityParts(details, Date.now(), 90);
 */
export function identityParts(
  details: ClaimDetails,
  now: number,
  retentionDays: number,
): WriteParts {
  return {
    update:
      'attempts = if_not_exists(attempts, :zero) + :one, ' +
      '#mode = :mode, eventId = :eventId, ruleId = :ruleId, #action = :action, #resource = :resource, #source = :source, ' +
      'eventName = :eventName, eventTime = :eventTime, severity = :severity, actor = :actor, ' +
      'account = :account, #region = :region, ' +
      'createdAt = if_not_exists(createdAt, :nowIso), updatedAt = :nowIso, expiresAt = :expiresAt' +
      (details.idDerived ? ', idDerived = :true' : ''),
    names: {
      '#status': 'status',
      '#mode': 'mode',
      '#action': 'action',
      '#resource': 'resource',
      '#source': 'source',
      '#region': 'region',
    },
    values: {
      ':zero': 0,
      ':one': 1,
      ':mode': details.mode,
      ':eventId': boundText(details.eventId, ledgerBounds.keyBytes),
      ':ruleId': boundText(details.ruleId, ledgerBounds.keyBytes),
      ':action': details.action,
      ':resource': boundText(details.resource, ledgerBounds.keyBytes),
      ':source': details.source,
      ':eventName': boundText(details.eventName, ledgerBounds.textBytes),
      ':eventTime': boundText(details.eventTime, ledgerBounds.keyBytes),
      ':severity': details.severity,
      ':actor': boundText(details.actor ?? '-', ledgerBounds.textBytes),
      ':account': boundText(details.account ?? '-', ledgerBounds.keyBytes),
      ':region': boundText(details.region ?? '-', ledgerBounds.keyBytes),
      ':nowIso': new Date(now).toISOString(),
      ':expiresAt': Math.floor(now / 1000) + (details.retentionDays ?? retentionDays) * 86_400,
      ...(details.idDerived ? { ':true': true } : {}),
    },
  };
}

/**
 * The `SET` clauses of a claim: held under `token` until `leaseUntil`, by `owner` if named.
 *
 * @example
 * const parts = claimParts(token, Date.now() + 60_000, undefined);
 */
export function claimParts(token: string, leaseUntil: number, owner?: ClaimOwner): WriteParts {
  return {
    update:
      '#status = :claimed, claimToken = :token, leaseUntil = :lease' +
      (owner ? ', #owner = :owner' : ''),
    names: { '#status': 'status', ...(owner ? { '#owner': 'owner' } : {}) },
    values: {
      ':claimed': 'claimed',
      ':token': token,
      ':lease': leaseUntil,
      ...(owner ? { ':owner': { host: owner.host, pid: owner.pid } } : {}),
    },
  };
}

/**
 * The `SET` clauses of an outcome, written under `token` (so the same write sent again after a
 * lost response is recognised), and the claim's attributes it ends, to `REMOVE`; `updatedAt` is
 * left to the write it is part of.
 *
 * @example
 * const parts = outcomeParts(token, { status: 'planned', detail: 'would tag i-0123' }, Date.now());
 */
export function outcomeParts(
  token: string,
  completion: Completion,
  now: number,
): WriteParts & { remove: string } {
  const data = completion.data && boundData(completion.data, ledgerBounds.dataBytes);
  const error = completion.error && boundText(completion.error, ledgerBounds.textBytes);
  return {
    update:
      '#status = :status, detail = :detail, completionToken = :token' +
      (data ? ', #data = :data' : '') +
      (error ? ', #error = :error' : '') +
      (completion.retries ? ', retries = :retries' : ''),
    remove: 'leaseUntil, claimToken, #owner',
    names: {
      '#status': 'status',
      '#owner': 'owner',
      ...(data ? { '#data': 'data' } : {}),
      ...(error ? { '#error': 'error' } : {}),
    },
    values: {
      ':token': token,
      ':status': completion.status,
      ':detail': boundText(completion.detail, ledgerBounds.textBytes),
      ':nowIso': new Date(now).toISOString(),
      ...(data ? { ':data': data } : {}),
      ...(error ? { ':error': error } : {}),
      ...(completion.retries ? { ':retries': completion.retries } : {}),
    },
  };
}
