import { describe, expect, it } from 'vitest';
import { explanationLines } from '../../src/rules/explain.js';

describe('explanation lines', () => {
  it('show a value seen that nests 100,000 deep, bounded, instead of overflowing the stack', () => {
    const depth = 100_000;
    const saw = JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`) as unknown;
    const [line] = explanationLines({
      fact: 'record',
      path: '$.requestParameters',
      operator: 'equal',
      expected: 'x',
      saw,
      result: false,
    });
    expect(line).toBe(
      `✗ record $.requestParameters equal "x": saw ${'['.repeat(20)}[…]${']'.repeat(20)}`,
    );
  });

  it('cut a long value seen at 120 characters, marked as truncated', () => {
    const [line] = explanationLines({
      fact: 'record',
      operator: 'equal',
      expected: 1,
      saw: 'z'.repeat(10_000),
      result: false,
    });
    expect(line).toBe(`✗ record equal 1: saw "${'z'.repeat(107)}…(truncated)`);
  });
});
