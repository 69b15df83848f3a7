import { boundText, ledgerBounds } from './bounds.js';
import { isConditionFailure, LedgerUnavailableError } from './errors.js';
import type { ItemTable } from './items.js';

/** The guard's verdict: go ahead, or skip with the reason recorded in the ledger. */
export type GuardVerdict = { allowed: true } | { allowed: false; reason: string };

interface GuardUpdate {
  condition: string;
  update: string;
  names?: Record<string, string>;
  values: Record<string, unknown>;
}

/**
 * The ledger's guards against acting too much or on old news, each one conditional write, so
 * they hold under any number of concurrent invocations: a rate limit per rule and hour, a
 * cooldown per rule and resource, and the newest state change seen per resource. Their items
 * live in the ledger table beside the actions, under their own key prefixes, and expire by TTL.
 *
 * @example
 * const verdict = await guards.takeRateToken('stop-untagged', 3);
 * if (!verdict.allowed) console.log(verdict.reason);
 */
export class LedgerGuards {
  constructor(
    private readonly items: ItemTable,
    private readonly now: () => number,
  ) {}

  /**
   * Applies the update if its condition holds. Returns undefined when it did, or the item as
   * it stands when the condition refused it, to say why.
   */
  private async refusal(
    pk: string,
    guard: GuardUpdate,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      await this.items.update({
        key: { pk },
        condition: guard.condition,
        update: guard.update,
        names: guard.names,
        values: guard.values,
      });
      return undefined;
    } catch (error) {
      if (!isConditionFailure(error)) throw new LedgerUnavailableError('guard', pk, error);
    }
    try {
      return (await this.items.get({ pk }, { consistent: true })) ?? {};
    } catch (error) {
      throw new LedgerUnavailableError('guard', pk, error);
    }
  }

  /**
   * Takes one of the rule's `maxPerHour` actions of the current clock hour for the action
   * `key`, if one is left. The same action asking again (its first try's outcome was unknown,
   * and a later delivery took it over) gets the token it already holds, not a second one.
   */
  async takeRateToken(ruleId: string, maxPerHour: number, key: string): Promise<GuardVerdict> {
    const now = this.now();
    const hour = new Date(now).toISOString().slice(0, 13);
    const refused = await this.refusal(`rate#${ruleId}#${hour}`, {
      condition: '(attribute_not_exists(#count) OR #count < :max) AND NOT contains(#keys, :key)',
      update: 'ADD #count :one, #keys :keys SET expiresAt = :expiresAt',
      names: { '#count': 'count', '#keys': 'keys' },
      values: {
        ':one': 1,
        ':max': maxPerHour,
        ':key': key,
        ':keys': new Set([key]),
        ':expiresAt': Math.floor(now / 1000) + 2 * 3600,
      },
    });
    if (!refused) return { allowed: true };
    if (refused.keys instanceof Set && refused.keys.has(key)) return { allowed: true };
    return {
      allowed: false,
      reason: `rate limit: rule ${ruleId} already took ${maxPerHour} actions in the hour from ${hour}:00Z`,
    };
  }

  /**
   * Starts a cooldown on the resource for the rule, unless one is still running. The action
   * `key` that started it may ask again (a later delivery taking over an unknown outcome).
   */
  async takeCooldown(
    ruleId: string,
    resource: string,
    cooldownMs: number,
    key: string,
  ): Promise<GuardVerdict> {
    const now = this.now();
    const refused = await this.refusal(
      `cooldown#${ruleId}#${boundText(resource, ledgerBounds.keyBytes)}`,
      {
        condition:
          'attribute_not_exists(lastActionAt) OR lastActionAt <= :cutoff OR holderKey = :key',
        update: 'SET lastActionAt = :now, holderKey = :key, expiresAt = :expiresAt',
        values: {
          ':now': now,
          ':cutoff': now - cooldownMs,
          ':key': key,
          ':expiresAt': Math.floor((now + cooldownMs) / 1000) + 3600,
        },
      },
    );
    if (!refused) return { allowed: true };
    const last =
      typeof refused.lastActionAt === 'number'
        ? new Date(refused.lastActionAt).toISOString()
        : 'recently';
    return {
      allowed: false,
      reason: `cooldown: rule ${ruleId} last acted on ${resource} at ${last}`,
    };
  }

  /**
   * Records that an event of `time` was seen for the resource, unless a newer one was seen
   * already: then the event is stale (EventBridge does not promise order) and must not act.
   * The same event seen again is not stale.
   */
  async observe(
    resource: string,
    time: string,
    eventId: string,
    retentionDays: number,
  ): Promise<GuardVerdict> {
    const at = Date.parse(time);
    if (Number.isNaN(at)) return { allowed: true };
    const refused = await this.refusal(`seen#${boundText(resource, ledgerBounds.keyBytes)}`, {
      condition: 'attribute_not_exists(lastEventAt) OR lastEventAt <= :at',
      update: 'SET lastEventAt = :at, lastEventId = :eventId, expiresAt = :expiresAt',
      values: {
        ':at': at,
        ':eventId': eventId,
        ':expiresAt': Math.floor(this.now() / 1000) + retentionDays * 86_400,
      },
    });
    if (!refused) return { allowed: true };
    const newer =
      typeof refused.lastEventAt === 'number'
        ? new Date(refused.lastEventAt).toISOString()
        : 'later';
    return {
      allowed: false,
      reason: `stale: ${resource} already had a newer state change (event ${String(refused.lastEventId ?? '?')} at ${newer}) than this one at ${new Date(at).toISOString()}`,
    };
  }
}
