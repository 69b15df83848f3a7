import { describe, expect, it } from 'vitest';
import { BoundedMemo } from '../../src/rules/memo.js';

describe('a bounded memo', () => {
  it('works a value out once per key and counts hits and misses', () => {
    const memo = new BoundedMemo<string, number>('lengths', 8);
    let made = 0;
    const length = (key: string) => {
      made += 1;
      return key.length;
    };
    expect([memo.get('abc', length), memo.get('abc', length), memo.get('de', length)]).toEqual([
      3, 3, 2,
    ]);
    expect(made).toBe(2);
    expect(memo.counts()).toEqual({ name: 'lengths', hits: 1, misses: 2, size: 2 });
  });

  it('keeps an undefined value as known, not as missing', () => {
    const memo = new BoundedMemo<string, number | undefined>('ranges', 8);
    memo.get('not a range', () => undefined);
    expect(memo.get('not a range', () => 1)).toBeUndefined();
    expect(memo.counts()).toMatchObject({ hits: 1, misses: 1 });
  });

  it('never holds more than its limit, forgetting the older half when full', () => {
    const memo = new BoundedMemo<number, number>('numbers', 4);
    for (let key = 0; key < 1000; key++) memo.get(key, (each) => each * 2);
    expect(memo.counts().size).toBeLessThanOrEqual(4);
    // The newest key is kept, an old one is worked out again.
    expect(memo.get(999, () => -1)).toBe(1998);
    expect(memo.get(0, () => -1)).toBe(-1);
  });

  it('passes its argument to the maker, so hot callers need no closure per call', () => {
    const memo = new BoundedMemo<string, string>('greetings', 4);
    const greet = (key: string, name: string) => `${key}, ${name}`;
    expect(memo.get('hello', greet, 'ada')).toBe('hello, ada');
    expect(memo.get('hello', greet, 'bob')).toBe('hello, ada');
  });
});
