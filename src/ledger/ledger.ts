import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ActionIdentity, LedgerEntry, LedgerStatus } from './entry.js';
import { ledgerKey } from './entry.js';
import { boundData, boundText, ledgerBounds } from './bounds.js';
import { ClaimLostError, isConditionFailure, LedgerUnavailableError } from './errors.js';
import { LedgerGuards } from './guards.js';
import { ownerIsGone, type ClaimOwner } from './owner.js';
import { ItemTable, type Item } from './items.js';
import { ensureLedgerTable, ledgerIndexes } from './table.js';
import { parseTime } from '../json/time.js';

/** What a claim attempt found. */
export type ClaimResult =
  | {
      kind: 'claimed';
      key: string;
      token: string;
      attempts: number;
      /** Taken over from an attempt that ended without an outcome: why it ended. */
      previousError?: string;
    }
  /** The action already has an outcome: return it, do not act again. */
  | { kind: 'duplicate'; key: string; entry: LedgerEntry }
  /** Another invocation holds a live lease on the action: its outcome is not known yet. */
  | { kind: 'in-progress'; key: string; entry: LedgerEntry };

/** What the ledger records about the event and rule beside the action's identity. */
export interface ClaimDetails extends ActionIdentity {
  source: string;
  eventName: string;
  eventTime: string;
  severity: string;
  actor?: string;
  /** Where the action acts: the event's account and region. */
  account?: string;
  region?: string;
  /** Keep this entry longer than the ledger's retention (audit findings). */
  retentionDays?: number;
  /** Epoch ms when the claim's lease ends; default: now plus the ledger's `leaseMs`. */
  leaseUntil?: number;
  /** The local process taking the claim (outside Lambda only; see `ClaimOwner`). */
  owner?: ClaimOwner;
  /** The event id was derived from the record's content (the record had none). */
  idDerived?: boolean;
}

export interface Completion {
  status: Exclude<LedgerStatus, 'claimed'>;
  detail: string;
  data?: Record<string, unknown>;
  error?: string;
  /** How often AWS throttled or failed the action before this outcome. */
  retries?: number;
}

export interface LedgerOptions {
  tableName: string;
  /**
   * How long a claim stays exclusive when its caller names no lease end (in Lambda the pipeline
   * names the invocation's end); past it, another delivery may take the action over.
   */
  leaseMs?: number;
  /** How long entries are kept before DynamoDB's TTL deletes them. */
  retentionDays?: number;
  now?: () => number;
}

export interface LedgerQuery {
  rule?: string;
  resource?: string;
  /** ISO 8601 or epoch ms: entries created at or after this time. */
  since?: string;
  status?: LedgerStatus;
  account?: string;
  region?: string;
  limit?: number;
}

const defaultLeaseMs = 5 * 60 * 1000;
const defaultRetentionDays = 90;

/**
 * The DynamoDB ledger: every action a rule takes is claimed here with a conditional write
 * before it runs, and its outcome recorded after, so a redelivered or concurrent event finds
 * the action taken and does not take it again.
 *
 * @example
 * const claim = await ledger.claim(details);
 * if (claim.kind === 'claimed') await ledger.complete(claim, { status: 'succeeded', detail: 'stopped i-0123' });
 * else console.log('already', claim.entry.status);
 */
export class Ledger {
  readonly tableName: string;
  /** Rate limits, cooldowns and the newest event seen per resource. */
  readonly guards: LedgerGuards;
  readonly retentionDays: number;
  private readonly items: ItemTable;
  private readonly leaseMs: number;
  private readonly now: () => number;

  constructor(
    private readonly client: DynamoDBClient,
    options: LedgerOptions,
  ) {
    this.tableName = options.tableName;
    this.items = new ItemTable(client, this.tableName);
    this.leaseMs = options.leaseMs ?? defaultLeaseMs;
    this.retentionDays = options.retentionDays ?? defaultRetentionDays;
    this.now = options.now ?? Date.now;
    this.guards = new LedgerGuards(this.items, this.now);
  }

  /** Creates the table where it does not exist yet (local servers only; on AWS the stack owns it). */
  ensureTable(): Promise<void> {
    return ensureLedgerTable(this.client, this.tableName);
  }

  /**
   * Claims an action: succeeds for exactly one caller per key, or for the first caller after
   * the holder's lease has ended (or, outside Lambda, after its process on this host has
   * gone). Everyone else gets the entry as the ledger holds it. A claim whose write may or may
   * not have been applied throws `LedgerUnavailableError` with the token it carried, to release.
   */
  async claim(details: ClaimDetails): Promise<ClaimResult> {
    const key = ledgerKey(details);
    const token = randomUUID();
    try {
      for (let tries = 0; tries < 3; tries++) {
        const written = await this.writeClaim(key, token, details);
        if (written) return { kind: 'claimed', key, token, ...written };
        const entry = await this.get(key);
        // Gone between the write and the read: only TTL deletes entries, so claim it afresh.
        if (!entry) continue;
        if (entry.status !== 'claimed') return { kind: 'duplicate', key, entry };
        // The write went through but its response was lost, and the SDK sent it again.
        if (entry.claimToken === token)
          return { kind: 'claimed', key, token, attempts: entry.attempts };
        if (entry.claimToken !== undefined && ownerIsGone(entry.owner)) {
          const takenOver = await this.writeClaim(key, token, details, entry.claimToken);
          if (takenOver) return { kind: 'claimed', key, token, ...takenOver };
          continue;
        }
        return { kind: 'in-progress', key, entry };
      }
      throw new Error('the entry changed under every one of 3 claims in a row');
    } catch (error) {
      throw error instanceof LedgerUnavailableError
        ? error
        : new LedgerUnavailableError('claim', key, error, token);
    }
  }

  /**
   * The claim's conditional write: on a free key or an ended lease, or, with `staleToken`, over
   * the claim of a holder known to be gone. Undefined when the condition refused it.
   */
  private async writeClaim(
    key: string,
    token: string,
    details: ClaimDetails,
    staleToken?: string,
  ): Promise<{ attempts: number; previousError?: string } | undefined> {
    const now = this.now();
    const nowIso = new Date(now).toISOString();
    const owner = details.owner;
    try {
      const attributes = await this.items.update({
        key: { pk: key },
        condition:
          staleToken === undefined
            ? 'attribute_not_exists(pk) OR (#status = :claimed AND leaseUntil < :now)'
            : '#status = :claimed AND claimToken = :staleToken',
        update:
          'SET #status = :claimed, claimToken = :token, leaseUntil = :lease, attempts = if_not_exists(attempts, :zero) + :one, ' +
          '#mode = :mode, eventId = :eventId, ruleId = :ruleId, #action = :action, #resource = :resource, #source = :source, ' +
          'eventName = :eventName, eventTime = :eventTime, severity = :severity, actor = :actor, ' +
          'account = :account, #region = :region, ' +
          'createdAt = if_not_exists(createdAt, :nowIso), updatedAt = :nowIso, expiresAt = :expiresAt' +
          (details.idDerived ? ', idDerived = :true' : '') +
          (owner ? ', #owner = :owner' : ''),
        names: {
          '#status': 'status',
          '#mode': 'mode',
          '#action': 'action',
          '#resource': 'resource',
          '#source': 'source',
          '#region': 'region',
          ...(owner ? { '#owner': 'owner' } : {}),
        },
        values: {
          ':claimed': 'claimed',
          ...(staleToken === undefined ? { ':now': now } : { ':staleToken': staleToken }),
          ':token': token,
          ':lease': details.leaseUntil ?? now + this.leaseMs,
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
          ':nowIso': nowIso,
          ':expiresAt':
            Math.floor(now / 1000) + (details.retentionDays ?? this.retentionDays) * 86_400,
          ...(details.idDerived ? { ':true': true } : {}),
          ...(owner ? { ':owner': { host: owner.host, pid: owner.pid } } : {}),
        },
        returnValues: 'ALL_NEW',
      });
      const attempts = Number(attributes?.attempts ?? 1);
      const previousError = attributes?.error;
      return attempts > 1 && typeof previousError === 'string'
        ? { attempts, previousError }
        : { attempts };
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /**
   * Records a claimed action's outcome; refused with `ClaimLostError` if the claim was taken
   * over meanwhile. The same completion sent again (its first response lost) is recognised by
   * its token and answered with the entry it wrote.
   */
  async complete(
    claim: { key: string; token: string },
    completion: Completion,
  ): Promise<LedgerEntry> {
    const data = completion.data && boundData(completion.data, ledgerBounds.dataBytes);
    const error = completion.error && boundText(completion.error, ledgerBounds.textBytes);
    try {
      const attributes = await this.items.update({
        key: { pk: claim.key },
        condition: '#status = :claimed AND claimToken = :token',
        update:
          'SET #status = :status, detail = :detail, updatedAt = :nowIso, completionToken = :token' +
          (data ? ', #data = :data' : '') +
          (error ? ', #error = :error' : '') +
          (completion.retries ? ', retries = :retries' : '') +
          ' REMOVE leaseUntil, claimToken, #owner',
        names: {
          '#status': 'status',
          '#owner': 'owner',
          ...(data ? { '#data': 'data' } : {}),
          ...(error ? { '#error': 'error' } : {}),
        },
        values: {
          ':claimed': 'claimed',
          ':token': claim.token,
          ':status': completion.status,
          ':detail': boundText(completion.detail, ledgerBounds.textBytes),
          ':nowIso': new Date(this.now()).toISOString(),
          ...(data ? { ':data': data } : {}),
          ...(error ? { ':error': error } : {}),
          ...(completion.retries ? { ':retries': completion.retries } : {}),
        },
        returnValues: 'ALL_NEW',
      });
      return attributes as LedgerEntry;
    } catch (cause) {
      if (!isConditionFailure(cause))
        throw new LedgerUnavailableError('complete', claim.key, cause);
    }
    const entry = await this.get(claim.key);
    if (entry?.completionToken === claim.token) return entry;
    throw new ClaimLostError(claim.key);
  }

  /**
   * Gives up a claim without an outcome (AWS failed mid-call, a guard or the ledger failed):
   * the entry stays claimed, with the reason, and its lease ends now, so the next delivery
   * takes the action over at once instead of after the lease. Releasing a claim that was never
   * written, or is no longer ours, changes nothing.
   */
  async release(claim: { key: string; token: string }, reason: string): Promise<void> {
    try {
      await this.items.update({
        key: { pk: claim.key },
        condition: '#status = :claimed AND claimToken = :token',
        update: 'SET leaseUntil = :now, #error = :reason, updatedAt = :nowIso',
        names: { '#status': 'status', '#error': 'error' },
        values: {
          ':claimed': 'claimed',
          ':token': claim.token,
          ':now': this.now() - 1,
          ':reason': boundText(reason, ledgerBounds.textBytes),
          ':nowIso': new Date(this.now()).toISOString(),
        },
      });
    } catch (error) {
      if (!isConditionFailure(error)) throw new LedgerUnavailableError('release', claim.key, error);
    }
  }

  /**
   * Waits up to `maxWaitMs` for another invocation's claim to get its outcome: a concurrent
   * delivery then reports the stored outcome instead of "in progress".
   */
  async waitForOutcome(key: string, maxWaitMs: number): Promise<LedgerEntry | undefined> {
    const until = Date.now() + maxWaitMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      const entry = await this.get(key);
      if (entry && entry.status !== 'claimed') return entry;
      if (Date.now() + delay > until) return entry;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  async get(key: string): Promise<LedgerEntry | undefined> {
    try {
      return (await this.items.get({ pk: key }, { consistent: true })) as LedgerEntry | undefined;
    } catch (error) {
      throw new LedgerUnavailableError('read', key, error);
    }
  }

  /** Entries newest first: by rule or by resource through their indexes, otherwise a scan. */
  async list(query: LedgerQuery = {}): Promise<LedgerEntry[]> {
    const sinceTime = query.since === undefined ? undefined : parseTime(query.since);
    if (query.since !== undefined && sinceTime === undefined)
      throw new RangeError(`since is not an ISO 8601 time or epoch milliseconds: "${query.since}"`);
    const since = sinceTime === undefined ? undefined : new Date(sinceTime).toISOString();
    const entries: LedgerEntry[] = [];
    let startKey: Item | undefined;
    do {
      const page =
        query.rule !== undefined || query.resource !== undefined
          ? await this.items.query({
              index:
                query.rule !== undefined
                  ? ledgerIndexes.byRule.name
                  : ledgerIndexes.byResource.name,
              keyCondition:
                since === undefined
                  ? '#partition = :partition'
                  : '#partition = :partition AND createdAt >= :since',
              names: {
                '#partition': query.rule !== undefined ? 'ruleId' : 'resource',
              },
              values: {
                ':partition': query.rule ?? query.resource,
                ...(since === undefined ? {} : { ':since': since }),
              },
              forward: false,
              startKey,
            })
          : await this.items.scan({ startKey });
      entries.push(...(page.items as LedgerEntry[]));
      startKey = page.lastKey;
    } while (startKey !== undefined);
    return entries
      .filter(
        (entry) =>
          entry.action !== undefined &&
          (query.resource === undefined || entry.resource === query.resource) &&
          (query.status === undefined || entry.status === query.status) &&
          (query.account === undefined || entry.account === query.account) &&
          (query.region === undefined || entry.region === query.region) &&
          (since === undefined || entry.createdAt >= since),
      )
      .sort((a, b) =>
        a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.pk.localeCompare(b.pk),
      )
      .slice(0, query.limit ?? Number.POSITIVE_INFINITY);
  }
}
