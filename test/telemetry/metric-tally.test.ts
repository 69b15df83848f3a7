import { describe, expect, it } from 'vitest';
import { MetricTally } from '../../src/telemetry/metric-tally.js';

describe('MetricTally', () => {
  it('sums a count and keeps a latency’s samples, once per metric and dimension values', () => {
    const tally = new MetricTally();
    tally.add('Actions', { Rule: 'r', Status: 'failed' });
    tally.add('Actions', { Rule: 'r', Status: 'failed' });
    tally.add('Actions', { Rule: 'r', Status: 'succeeded' }, 3);
    tally.add('LedgerLatency', { Function: 'f' }, 4.5);
    tally.add('LedgerLatency', { Function: 'f' }, 2);
    expect(tally.entries()).toEqual([
      { metric: 'Actions', dimensions: { Rule: 'r', Status: 'failed' }, value: 2 },
      { metric: 'Actions', dimensions: { Rule: 'r', Status: 'succeeded' }, value: 3 },
      { metric: 'LedgerLatency', dimensions: { Function: 'f' }, value: [4.5, 2] },
    ]);
    expect(tally.total('Actions')).toBe(5);
    expect(tally.total('Actions', (dimensions) => dimensions.Status === 'failed')).toBe(2);
    expect(tally.total('LedgerLatency')).toBe(2);
    expect(tally.total('Matches')).toBe(0);
  });
});
