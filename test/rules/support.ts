import type { RuleVerdict } from '../../src/rules/evaluate.js';
import type { StewardEvent } from '../../src/sources/steward-event.js';

/**
 * A decoded event built by hand: a CloudTrail event named `X` with no account, region, resource
 * or record fields, changed by `overrides`.
 */
export function stewardEvent(overrides: Partial<StewardEvent>): StewardEvent {
  return {
    id: 'e',
    source: 'cloudtrail',
    name: 'X',
    time: '2026-11-20T10:00:00Z',
    resources: [],
    raw: {},
    delivery: 'direct',
    ...overrides,
  };
}

/** The verdicts `match` keeps (those that fire or fail), as comparable rows. */
export function outcome(verdicts: readonly RuleVerdict[]): unknown[][] {
  return verdicts
    .filter(({ fires, error }) => fires || error !== undefined)
    .map(({ rule, fires, error }) => [rule.id, fires, error]);
}
