import { describe, expect, it } from 'vitest';
import { TopLevelKeys } from '../../src/sources/top-level-keys.js';

/** Reads each key (the bytes after its opening quote); whether each was `Records`. */
function read(keys: TopLevelKeys, ...texts: string[]): boolean[] {
  return texts.map((text) => {
    keys.begin();
    for (const byte of Buffer.from(`${text}"`, 'utf8')) if (keys.push(byte)) break;
    return keys.isRecords;
  });
}

describe('TopLevelKeys', () => {
  it('knows Records however its letters are escaped, and nothing else for it', () => {
    const keys = new TopLevelKeys();
    expect(read(keys, 'Records', 'Rec\\u006frds', 'records', 'Records ', 'Rec\\qrds')).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
  });

  it('ends a key only at an unescaped quote', () => {
    const keys = new TopLevelKeys();
    keys.begin();
    const ends = [...Buffer.from('a\\"b"', 'utf8')].map((byte) => keys.push(byte));
    expect(ends).toEqual([false, false, false, false, true]);
    expect(keys.describe()).toBe('an object with keys "a\\"b"');
  });

  it('names the first ten keys and counts the rest, and cuts a key too long to be Records', () => {
    const keys = new TopLevelKeys();
    expect(keys.describe()).toBe('an empty object');
    const names = Array.from({ length: 12 }, (_, i) => `k${i}`);
    read(keys, ...names);
    expect(keys.describe()).toBe(
      `an object with keys ${names
        .slice(0, 10)
        .map((name) => `"${name}"`)
        .join(', ')}, ... (12 keys)`,
    );
    const long = new TopLevelKeys();
    expect(read(long, `Records${'x'.repeat(300)}`)).toEqual([false]);
    expect(long.describe()).toBe(`an object with keys "Records${'x'.repeat(25)}…"`);
  });
});
