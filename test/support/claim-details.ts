import type { ClaimDetails } from '../../src/ledger/ledger.js';

let counter = 0;

/**
 * What the pipeline claims for one action, with an event and resource of its own on each call,
 * so that every test claims a key nobody else has.
 *
 * @example
 * const claim = await ledger.claim(claimDetails({ mode: 'dry-run' }));
 */
export function claimDetails(overrides: Partial<ClaimDetails> = {}): ClaimDetails {
  counter++;
  return {
    mode: 'enforce',
    eventId: `event-${counter}`,
    ruleId: 'rule-a',
    action: 'ec2.stop-instances',
    resource: `i-0000000000000${String(counter).padStart(4, '0')}`,
    source: 'ec2-state',
    eventName: 'running',
    eventTime: '2026-11-20T10:00:00Z',
    severity: 'high',
    ...overrides,
  };
}
