import { describe, expect, it } from 'vitest';
import {
  needsAttention,
  type StageStatus,
  type StatusMetrics,
} from '../../src/operations/status.js';

const quietMetrics: StatusMetrics = {
  eventsByFunction: [{ name: 'ec2State', count: 3 }],
  eventsBySource: [{ name: 'ec2-state', count: 3 }],
  decodeErrorsByFunction: [],
  evaluationErrorsByFunction: [],
  matchesByRule: [{ name: 'stop-untagged', count: 1 }],
  actionsByStatus: [{ name: 'succeeded', count: 1 }],
  failedByRule: [],
};

/** A stage where everything was read and nothing went wrong, changed by `change`. */
function status(change: Partial<StageStatus> = {}): StageStatus {
  return {
    stage: 'prod',
    region: 'us-east-1',
    since: '2026-12-01T09:00:00.000Z',
    until: '2026-12-01T10:00:00.000Z',
    stack: 'steward-prod',
    namespace: { namespace: 'steward/prod', from: 'stack' },
    metrics: { available: true, value: quietMetrics },
    failures: { available: true, value: [] },
    deadLetters: {
      available: true,
      value: { queue: 'steward-prod-dead-letters', url: 'https://sqs/q', messages: 0, inFlight: 1 },
    },
    alarms: { available: true, value: [] },
    ...change,
  };
}

describe('needsAttention', () => {
  it('is false for a stage that was read whole and is quiet (messages in flight are a replay)', () => {
    expect(needsAttention(status())).toBe(false);
  });

  it.each([
    [
      'an alarm in ALARM',
      { alarms: { available: true, value: [{ name: 'a', reason: 'r', since: 's' }] } },
    ],
    [
      'a dead-lettered message',
      {
        deadLetters: { available: true, value: { queue: 'q', url: 'u', messages: 1, inFlight: 0 } },
      },
    ],
    [
      'a failed action',
      {
        metrics: {
          available: true,
          value: { ...quietMetrics, actionsByStatus: [{ name: 'failed', count: 1 }] },
        },
      },
    ],
    [
      'an action of unknown outcome',
      {
        metrics: {
          available: true,
          value: { ...quietMetrics, actionsByStatus: [{ name: 'unknown', count: 2 }] },
        },
      },
    ],
    ['a part that could not be read', { alarms: { available: false, reason: 'AccessDenied' } }],
  ] as [string, Partial<StageStatus>][])('is true for %s', (_, change) => {
    expect(needsAttention(status(change))).toBe(true);
  });
});
