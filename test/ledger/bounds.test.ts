import { describe, expect, it } from 'vitest';
import { boundData, boundText, digestOf, ledgerBounds } from '../../src/ledger/bounds.js';

const bytes = (text: string) => new TextEncoder().encode(text).length;

describe('ledger bounds', () => {
  it('keeps text that fits as it is', () => {
    expect(boundText('i-0123456789abcdef0', ledgerBounds.keyBytes)).toBe('i-0123456789abcdef0');
  });

  it('cuts long text to its limit, naming its full size and digest', () => {
    const long = 'x'.repeat(205 * 1024);
    const bounded = boundText(long, ledgerBounds.keyBytes);
    expect(bytes(bounded)).toBeLessThanOrEqual(ledgerBounds.keyBytes);
    expect(bounded).toMatch(/^x+… \[truncated: 209920 bytes, sha256 [0-9a-f]{32}\]$/);
    expect(bounded).toContain(digestOf(long));
  });

  it('tells two long values apart that share their start', () => {
    const a = 'y'.repeat(5_000) + 'a';
    const b = 'y'.repeat(5_000) + 'b';
    expect(boundText(a, 1_024)).not.toBe(boundText(b, 1_024));
  });

  it('never cuts a multi-byte character in two', () => {
    for (let limit = 100; limit < 140; limit++) {
      const bounded = boundText('é€😀'.repeat(200), limit);
      expect(bytes(bounded)).toBeLessThanOrEqual(limit);
      expect(bounded).not.toContain('\uFFFD');
    }
  });

  it('replaces data too large to keep with its size, digest and start', () => {
    const data = { line: 'z'.repeat(100_000) };
    const bounded = boundData(data, ledgerBounds.dataBytes);
    expect(bounded).toMatchObject({ truncated: true, bytes: 100_011 });
    expect(bounded.sha256).toBe(digestOf(JSON.stringify(data)));
    expect(bytes(JSON.stringify(bounded))).toBeLessThan(ledgerBounds.textBytes + 200);
    expect(boundData({ small: 1 }, ledgerBounds.dataBytes)).toEqual({ small: 1 });
  });

  it('replaces data that cannot be serialised, saying why', () => {
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let i = 0; i < 100_000; i++) deep = deep.next = {};
    expect(boundData(root, ledgerBounds.dataBytes)).toMatchObject({
      truncated: true,
      reason: expect.stringMatching(/call stack/),
    });
  });
});
