/**
 * The events of a sweep: each resource found, as a `StewardEvent` of source `sweep` the rule's
 * conditions and actions see as any other event, with its lazy fact already known.
 */
import type { SweepResourceKind } from '../rules/rule.js';
import type { RequestFields, StewardEvent } from '../sources/steward-event.js';
import type { ResourceQuery, SweptResource } from './queries.js';

/** Where and when a sweep found its resources. */
export interface SweepScope {
  /** The id of the rule whose schedule trigger swept. */
  rule: string;
  account: string;
  region: string;
  /** ISO 8601: when the sweep ran. */
  time: string;
  /** ISO 8601: the start of the sweep's period (see `periodStart`). */
  periodStart: string;
}

/**
 * The id of a sweep's event: the same for every sweep of the rule within one period, so the
 * ledger reports a second sweep's actions as `duplicate`, and new in the next period.
 *
 * @example
 * sweepEventId({ rule: 'owner-tag', account: '123456789012', region: 'us-east-1', periodStart: '2026-12-01T00:00:00.000Z' }, 'i-0123');
 * // 'sweep:owner-tag:123456789012:us-east-1:i-0123:2026-12-01T00:00:00.000Z'
 */
export function sweepEventId(
  scope: Pick<SweepScope, 'rule' | 'account' | 'region' | 'periodStart'>,
  resource: string,
): string {
  return `sweep:${scope.rule}:${scope.account}:${scope.region}:${resource}:${scope.periodStart}`;
}

/**
 * The request fields that name a resource of this kind where actions look for it (a log
 * group's `logGroupName`, a trail's `name`, a group's `groupId`), as a CloudTrail call on it
 * would carry them. Instances are found by their id among the event's resources.
 */
function requestFields(kind: SweepResourceKind, resource: string): RequestFields | undefined {
  switch (kind) {
    case 'ec2-instances':
      return undefined;
    case 'security-groups':
      return { groupId: resource };
    case 'log-groups':
      return { logGroupName: resource };
    case 'trails':
      return { name: resource };
  }
}

/**
 * The event of one resource a sweep found.
 *
 * @example
 * for await (const found of query.list(clients)) batch.events.push(sweepEvent(query, found, scope));
 */
export function sweepEvent(
  query: Pick<ResourceQuery, 'kind' | 'fact'>,
  found: SweptResource,
  scope: SweepScope,
): StewardEvent {
  const request = requestFields(query.kind, found.resource);
  return {
    id: sweepEventId(scope, found.resource),
    source: 'sweep',
    name: query.kind,
    time: scope.time,
    account: scope.account,
    region: scope.region,
    resources: [found.resource],
    ...(request === undefined ? {} : { request }),
    raw: found.described,
    delivery: 'sweep',
    sweep: { rule: scope.rule, periodStart: scope.periodStart },
    facts: { [query.fact]: found.fact },
  };
}
