import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { boundText, ledgerBounds } from './bounds.js';
import { claimAction, type ClaimResult } from './claim.js';
import type { LedgerEntry } from './entry.js';
import type { EntryWrites } from './entry-writes.js';
import { ClaimLostError, isConditionFailure, LedgerUnavailableError } from './errors.js';
import { LedgerGuards } from './guards.js';
import { ItemTable } from './items.js';
import { listEntries, type LedgerQuery } from './list.js';
import { recordAction, type RecordResult } from './record.js';
import { ensureLedgerTable } from './table.js';
import { outcomeParts, type ClaimDetails, type Completion } from './writes.js';

export type { ClaimDetails, Completion } from './writes.js';

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

export type { LedgerQuery } from './list.js';

const defaultLeaseMs = 5 * 60 * 1000;
const defaultRetentionDays = 90;

/**
 * The DynamoDB ledger: every action a rule takes is claimed here with a conditional write
 * before it runs, and its outcome recorded after, so a redelivered or concurrent event finds
 * the action taken and does not take it again. An action whose outcome is known before it
 * touches anything outside the ledger is claimed and recorded in one write (`record`).
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
  private readonly now: () => number;
  private readonly writes: EntryWrites;

  constructor(
    private readonly client: DynamoDBClient,
    options: LedgerOptions,
  ) {
    this.tableName = options.tableName;
    this.items = new ItemTable(client, this.tableName);
    this.retentionDays = options.retentionDays ?? defaultRetentionDays;
    this.now = options.now ?? Date.now;
    this.guards = new LedgerGuards(this.items, this.now);
    this.writes = {
      items: this.items,
      now: this.now,
      leaseMs: options.leaseMs ?? defaultLeaseMs,
      retentionDays: this.retentionDays,
      get: (key) => this.get(key),
    };
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
  claim(details: ClaimDetails): Promise<ClaimResult> {
    return claimAction(this.writes, details);
  }

  /**
   * Claims an action and records its outcome in one conditional write, for an action whose
   * outcome is known before anything outside the ledger is touched (a dry run's plan, an audit
   * finding): exactly one caller per key records it, as one claim would be taken, and every
   * other caller gets the stored outcome, or finds another invocation's claim still in
   * progress. The same write sent again with the same `token` after a lost response is
   * recognised as this caller's. A write whose outcome is unknown throws
   * `LedgerUnavailableError`; there is no claim to release, since the entry is either complete
   * or untouched.
   *
   * @example
   * const result = await ledger.record(details, { status: 'planned', detail: 'would tag i-0123' });
   * if (result.kind === 'duplicate') console.log('already', result.entry.status);
   */
  record(
    details: ClaimDetails,
    completion: Completion,
    token: string = randomUUID(),
  ): Promise<RecordResult> {
    return recordAction(this.writes, details, completion, token);
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
    const outcome = outcomeParts(claim.token, completion, this.now());
    try {
      const attributes = await this.items.update({
        key: { pk: claim.key },
        condition: '#status = :claimed AND claimToken = :token',
        update: `SET ${outcome.update}, updatedAt = :nowIso REMOVE ${outcome.remove}`,
        names: outcome.names,
        values: { ':claimed': 'claimed', ...outcome.values },
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

  /**
   * Entries newest first: by event (both modes), rule or resource through their indexes,
   * otherwise a scan.
   *
   * @example
   * const actions = await ledger.list({ event: '5d8c2f7e-…' }); // what the event did, newest first
   */
  list(query: LedgerQuery = {}): Promise<LedgerEntry[]> {
    return listEntries(this.items, query);
  }
}
