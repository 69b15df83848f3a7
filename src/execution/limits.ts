import type { Ledger } from '../ledger/ledger.js';
import type { Completion } from '../ledger/writes.js';
import { parseDuration } from '../rules/duration.js';
import type { CompiledRule } from '../rules/rule.js';

/**
 * The skip a rule's limits call for (its hourly rate spent, its resource still cooling down),
 * or undefined when the action may go ahead. Each limit passed is taken in the ledger, keyed by
 * the held claim so a retried delivery does not take it twice. Throws when the ledger cannot
 * say.
 *
 * @example
 * const skip = await limitsSkip(rule, 'i-0123', claim.key, context.ledger);
 * if (skip) return { completion: skip };
 */
export async function limitsSkip(
  rule: CompiledRule,
  resource: string,
  claimKey: string,
  ledger: Ledger,
): Promise<Completion | undefined> {
  const limits = rule.document.limits;
  if (limits?.maxActionsPerHour !== undefined) {
    const verdict = await ledger.guards.takeRateToken(rule.id, limits.maxActionsPerHour, claimKey);
    if (!verdict.allowed) return { status: 'skipped', detail: verdict.reason };
  }
  const cooldownMs = parseDuration(limits?.cooldown);
  if (cooldownMs !== undefined) {
    const verdict = await ledger.guards.takeCooldown(rule.id, resource, cooldownMs, claimKey);
    if (!verdict.allowed) return { status: 'skipped', detail: verdict.reason };
  }
  return undefined;
}
