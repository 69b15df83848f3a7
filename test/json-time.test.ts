import { describe, expect, it } from 'vitest';
import { parseTime } from '../src/json/time.js';

describe('parseTime', () => {
  it('reads ISO 8601 texts and epoch milliseconds as numbers or digits', () => {
    expect(parseTime('2026-11-20T10:00:00Z')).toBe(Date.UTC(2026, 10, 20, 10));
    expect(parseTime('2026-11-20T11:00:00+01:00')).toBe(Date.UTC(2026, 10, 20, 10));
    expect(parseTime(1_795_168_800_000)).toBe(1_795_168_800_000);
    expect(parseTime('1795168800000')).toBe(1_795_168_800_000);
    expect(parseTime('0')).toBe(0);
  });

  it('is undefined for anything else, and for times no Date can hold', () => {
    for (const bad of ['yesterday', '', ' ', '12abc', '99999999999999999', Number.NaN, Infinity]) {
      expect(parseTime(bad), String(bad)).toBeUndefined();
    }
    expect(parseTime(null)).toBeUndefined();
    expect(parseTime({ time: 1 })).toBeUndefined();
    expect(parseTime('9000000000000000')).toBeUndefined();
  });
});
