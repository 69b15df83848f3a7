import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure } from './errors.js';

/** The guard's verdict: go ahead, or skip with the reason recorded in the ledger. */
export type GuardVerdict = { allowed: true } | { allowed: false; reason: string };

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
    private readonly documents: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly now: () => number,
  ) {}

  /** Takes one of the rule's `maxPerHour` actions of the current clock hour, if one is left. */
  async takeRateToken(ruleId: string, maxPerHour: number): Promise<GuardVerdict> {
    const now = this.now();
    const hour = new Date(now).toISOString().slice(0, 13);
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `rate#${ruleId}#${hour}` },
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :max',
          UpdateExpression: 'ADD #count :one SET expiresAt = :expiresAt',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':max': maxPerHour,
            ':expiresAt': Math.floor(now / 1000) + 2 * 3600,
          },
        }),
      );
      return { allowed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return {
        allowed: false,
        reason: `rate limit: rule ${ruleId} already took ${maxPerHour} actions in the hour from ${hour}:00Z`,
      };
    }
  }

  /** Starts a cooldown on the resource for the rule, unless one is still running. */
  async takeCooldown(ruleId: string, resource: string, cooldownMs: number): Promise<GuardVerdict> {
    const now = this.now();
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `cooldown#${ruleId}#${resource}` },
          ConditionExpression: 'attribute_not_exists(lastActionAt) OR lastActionAt <= :cutoff',
          UpdateExpression: 'SET lastActionAt = :now, expiresAt = :expiresAt',
          ExpressionAttributeValues: {
            ':now': now,
            ':cutoff': now - cooldownMs,
            ':expiresAt': Math.floor((now + cooldownMs) / 1000) + 3600,
          },
        }),
      );
      return { allowed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { Item } = await this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: `cooldown#${ruleId}#${resource}` },
          ConsistentRead: true,
        }),
      );
      const last =
        typeof Item?.lastActionAt === 'number'
          ? new Date(Item.lastActionAt).toISOString()
          : 'recently';
      return {
        allowed: false,
        reason: `cooldown: rule ${ruleId} last acted on ${resource} at ${last}`,
      };
    }
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
    try {
      await this.documents.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: `seen#${resource}` },
          ConditionExpression: 'attribute_not_exists(lastEventAt) OR lastEventAt <= :at',
          UpdateExpression: 'SET lastEventAt = :at, lastEventId = :eventId, expiresAt = :expiresAt',
          ExpressionAttributeValues: {
            ':at': at,
            ':eventId': eventId,
            ':expiresAt': Math.floor(this.now() / 1000) + retentionDays * 86_400,
          },
        }),
      );
      return { allowed: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const { Item } = await this.documents.send(
        new GetCommand({
          TableName: this.tableName,
          Key: { pk: `seen#${resource}` },
          ConsistentRead: true,
        }),
      );
      const newer =
        typeof Item?.lastEventAt === 'number' ? new Date(Item.lastEventAt).toISOString() : 'later';
      return {
        allowed: false,
        reason: `stale: ${resource} already had a newer state change (event ${String(Item?.lastEventId ?? '?')} at ${newer}) than this one at ${new Date(at).toISOString()}`,
      };
    }
  }
}
